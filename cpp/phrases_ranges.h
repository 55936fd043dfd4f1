// Byte ranges of a plain corpus file that threads can read on their own, each starting where a
// sentence starts (gensim's LineSentence / Text8Corpus rules), so no candidate phrase straddles
// two ranges and per-range results merge, in file order, into a one-thread scan's.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "text.h"
#include "tokenizer.h"

namespace fe {

struct ByteRange {
  uint64_t begin = 0, end = 0;
};

using FileHandle = std::unique_ptr<FILE, int (*)(FILE*)>;
FileHandle open_read(const std::string& path);
[[noreturn]] void throw_read_failure(const std::string& path);

// Up to `parts` ranges covering [0, size of path) whose starts are sentence starts under
// `rule`.  Ranges may be empty.  Reads the file once more (in parallel) only when the rule
// caps sentences and a cut cannot be put just after a newline.
std::vector<ByteRange> sentence_ranges(const std::string& path, int parts, SentenceRule rule);

// Calls each(const char* p, size_t n) on the bytes of [r.begin, r.end) of path in 4 MB blocks
// (fewer if the file shrank); `stop` ends it early, `bytes_done` counts what was read.
template <class Each>
void each_block(const std::string& path, ByteRange r, Each&& each, const std::atomic<bool>* stop = nullptr,
                std::atomic<uint64_t>* bytes_done = nullptr) {
  FileHandle f = open_read(path);
  if (r.begin && std::fseek(f.get(), static_cast<long>(r.begin), SEEK_SET) != 0) throw_read_failure(path);
  std::vector<char> buf(size_t{1} << 22);
  for (uint64_t left = r.end - r.begin; left;) {
    const size_t got = std::fread(buf.data(), 1, static_cast<size_t>(std::min<uint64_t>(left, buf.size())), f.get());
    if (!got) {
      if (std::ferror(f.get())) throw_read_failure(path);
      break;
    }
    each(buf.data(), got);
    left -= got;
    if (bytes_done) bytes_done->fetch_add(got, std::memory_order_relaxed);
    if (stop && stop->load(std::memory_order_relaxed)) return;
  }
}

// Tokenises [r.begin, r.end) of path from a fresh sentence: on_word(word, has_high_bytes) per
// word, on_end() where `rule` ends a sentence and once at the end.  `stop` ends it early.
template <class OnWord, class OnEnd>
void read_range(const std::string& path, ByteRange r, SentenceRule rule, OnWord&& on_word, OnEnd&& on_end,
                const std::atomic<bool>* stop = nullptr, std::atomic<uint64_t>* bytes_done = nullptr) {
  StreamTokenizer tok(rule);
  each_block(
      path, r, [&](const char* p, size_t n) { tok.feed(p, n, on_word, on_end); }, stop, bytes_done);
  if (stop && stop->load(std::memory_order_relaxed)) return;
  tok.finish(on_word, on_end);
}

}  // namespace fe
