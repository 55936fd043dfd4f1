#include "corpus_count.h"

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>
#include <vector>

namespace fe {

void CorpusCounter::count_file(const std::string& path, std::atomic<uint64_t>* bytes_done,
                               const std::atomic<bool>* stop) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw std::system_error(errno, std::generic_category(), "cannot open corpus file '" + path + "'");
  std::vector<char> buf(1 << 22);
  size_t got;
  while ((got = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) {
    feed(buf.data(), got);
    if (bytes_done) bytes_done->fetch_add(got, std::memory_order_relaxed);
    if (stop && stop->load(std::memory_order_relaxed)) return;
  }
  if (std::ferror(f.get()))
    throw std::system_error(errno ? errno : EIO, std::generic_category(), "cannot read corpus file '" + path + "'");
  finish();
}

void CorpusCounter::feed(const char* p, size_t n) {
  stream_.feed(
      p, n, [&](std::string_view w, bool high) { add_word(w, high); }, [&] { end_sentence(); });
}

void CorpusCounter::finish() {
  stream_.finish([&](std::string_view w, bool high) { add_word(w, high); });
  end_sentence();
}

}  // namespace fe
