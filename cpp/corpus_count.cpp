#include "corpus_count.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

#include "file_chunks.h"

namespace fe {

namespace {
constexpr size_t kReadBytes = size_t{1} << 22;

using FilePtr = std::unique_ptr<FILE, int (*)(FILE*)>;

FilePtr open_corpus(const std::string& path) {
  FilePtr f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw std::system_error(errno, std::generic_category(), "cannot open corpus file '" + path + "'");
  return f;
}

[[noreturn]] void throw_read_error(const std::string& path) {
  throw std::system_error(errno ? errno : EIO, std::generic_category(), "cannot read corpus file '" + path + "'");
}

// The offset just past the first ASCII whitespace byte at or after `from` (the file size if
// there is none): a cut there splits no word, no UTF-8 sequence and no Unicode space.
uint64_t cut_after_space(FILE* f, const std::string& path, uint64_t from, uint64_t size) {
  if (from == 0 || from >= size) return std::min(from, size);
  if (std::fseek(f, static_cast<long>(from), SEEK_SET) != 0) throw_read_error(path);
  std::vector<char> buf(1 << 16);
  uint64_t pos = from;
  size_t got;
  while ((got = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
    for (size_t i = 0; i < got; ++i)
      if (is_space(static_cast<unsigned char>(buf[i]))) return pos + i + 1;
    pos += got;
  }
  if (std::ferror(f)) throw_read_error(path);
  return size;
}
}  // namespace

// What one thread found in its byte range.  The sentence count before the range's first
// newline depends on the sentence left open by the ranges before it, so those words are only
// recorded (how many, and which normalise to nothing) and replayed in order by merge_range.
struct CorpusCounter::RangeCount {
  WordCounter words;                 // the range's words, in first-seen order
  uint64_t lead_words = 0;           // words before the first sentence-ending newline (or all)
  std::vector<uint64_t> lead_empty;  // which of those normalise to nothing (not counted)
  bool has_newline = false;          // a newline that ends sentences follows the lead words
  uint64_t sentences = 0;            // sentences ended after that newline, within the range
  uint64_t open_words = 0;           // the sentence open at the range's end: its words so far
  bool open_counted = false;         // and whether one of them was counted
  std::exception_ptr error;
};

void CorpusCounter::count_file(const std::string& path, std::atomic<uint64_t>* bytes_done,
                               const std::atomic<bool>* stop, int threads, uint64_t min_range_bytes) {
  try {
    count_file_ranges(path, bytes_done, stop, threads, min_range_bytes);
  } catch (const std::length_error& e) {  // a word over kMaxTokenBytes: say in which file
    throw std::length_error("'" + path + "': " + e.what());
  }
}

void CorpusCounter::count_file_ranges(const std::string& path, std::atomic<uint64_t>* bytes_done,
                                      const std::atomic<bool>* stop, int threads, uint64_t min_range_bytes) {
  const uint64_t size = regular_file_size(path);  // before fopen, which would block on a pipe with no writer
  if (threads < 2 || counter_.max_vocab_size() || !stream_.clean() || in_sentence_ ||
      size < static_cast<uint64_t>(threads) * std::max<uint64_t>(min_range_bytes, 1)) {
    count_file_serial(path, bytes_done, stop);
    return;
  }
  std::vector<uint64_t> cuts{0};
  {
    FilePtr f = open_corpus(path);
    for (int t = 1; t < threads; ++t) {
      // A cut already past this range's nominal start (a huge word) is reused: each scan
      // starts where the last one ended, so all of them cover the file at most once.
      const uint64_t nominal = size / threads * t;
      cuts.push_back(cuts.back() >= nominal ? cuts.back() : cut_after_space(f.get(), path, nominal, size));
    }
  }
  cuts.push_back(size);
  std::vector<RangeCount> ranges(static_cast<size_t>(threads));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      try {
        count_range(path, cuts[t], cuts[t + 1], ranges[t], bytes_done, stop);
      } catch (...) {
        ranges[t].error = std::current_exception();
      }
    });
  for (auto& th : pool) th.join();
  for (auto& r : ranges)
    if (r.error) std::rethrow_exception(r.error);
  if (stop && stop->load(std::memory_order_relaxed)) return;
  for (auto& r : ranges) merge_range(r);
  finish();
}

void CorpusCounter::count_file_serial(const std::string& path, std::atomic<uint64_t>* bytes_done,
                                      const std::atomic<bool>* stop) {
  FilePtr f = open_corpus(path);
  std::vector<char> buf(kReadBytes);
  size_t got;
  while ((got = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) {
    feed(buf.data(), got);
    if (bytes_done) bytes_done->fetch_add(got, std::memory_order_relaxed);
    if (stop && stop->load(std::memory_order_relaxed)) return;
  }
  if (std::ferror(f.get())) throw_read_error(path);
  finish();
}

void CorpusCounter::count_range(const std::string& path, uint64_t begin, uint64_t end, RangeCount& out,
                                std::atomic<uint64_t>* bytes_done, const std::atomic<bool>* stop) const {
  FilePtr f = open_corpus(path);
  if (begin && std::fseek(f.get(), static_cast<long>(begin), SEEK_SET) != 0) throw_read_error(path);
  // Newlines only (no word cap): the tokenizer reports the newlines that end sentences, if
  // any, and the sentence rule is applied here, from a fresh sentence after the first one.
  StreamTokenizer tok(SentenceRule{rule_.newline_ends, 0});
  SentenceTracker after{rule_, 0};
  std::string scratch;
  auto end_after = [&] {
    if (out.open_counted) ++out.sentences;
    out.open_counted = false;
  };
  auto on_word = [&](std::string_view w, bool high) {
    const std::string_view v = normalise_word(w, high, policy_, scratch);
    if (!out.has_newline) {
      if (v.empty()) out.lead_empty.push_back(out.lead_words);
      ++out.lead_words;
    } else {
      after.word(end_after);
      if (!v.empty()) out.open_counted = true;
    }
    if (!v.empty()) out.words.add(v);
  };
  auto on_newline = [&] {
    if (out.has_newline) after.newline(end_after);
    out.has_newline = true;
  };
  std::vector<char> buf(kReadBytes);
  uint64_t left = end - begin;
  while (left) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
    const size_t got = std::fread(buf.data(), 1, want, f.get());
    if (got == 0) {
      if (std::ferror(f.get())) throw_read_error(path);
      break;  // the file shrank: count what is there, as the serial scan would
    }
    tok.feed(buf.data(), got, on_word, on_newline);
    left -= got;
    if (bytes_done) bytes_done->fetch_add(got, std::memory_order_relaxed);
    if (stop && stop->load(std::memory_order_relaxed)) return;
  }
  tok.feed(" ", 1, on_word, on_newline);  // the range ends after whitespace: flushes nothing but a file's last word
  out.open_words = after.words;
}

void CorpusCounter::merge_range(const RangeCount& r) {
  const WordTable& table = r.words.table();
  const auto& counts = r.words.counts();
  for (size_t i = 0; i < counts.size(); ++i) counter_.add(table.word(i), counts[i]);
  // Replay the lead words through this counter's sentence state, then take over the state
  // the range's own scan ended with.
  auto end = [&] { end_sentence(); };
  auto empty = r.lead_empty.begin();
  for (uint64_t j = 0; j < r.lead_words; ++j) {
    stream_.tracker().word(end);
    if (empty != r.lead_empty.end() && *empty == j) {
      ++empty;
    } else {
      in_sentence_ = true;
    }
  }
  if (r.has_newline) {
    stream_.tracker().newline(end);
    counter_.add_sentences(r.sentences);
    stream_.tracker().words = r.open_words;
    in_sentence_ = r.open_counted;
  }
}

void CorpusCounter::feed(const char* p, size_t n) {
  stream_.feed(
      p, n, [&](std::string_view w, bool high) { add_word(w, high); }, [&] { end_sentence(); });
}

void CorpusCounter::finish() {
  stream_.finish([&](std::string_view w, bool high) { add_word(w, high); }, [&] { end_sentence(); });
}

}  // namespace fe
