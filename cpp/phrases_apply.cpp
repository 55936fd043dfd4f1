#include "phrases_apply.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <memory>
#include <system_error>
#include <thread>

#include "file_chunks.h"
#include "phrases_ranges.h"
#include "text.h"

namespace fe {

void write_all(int fd, const char* p, size_t n, const char* what) {
  while (n) {
    const ssize_t r = ::write(fd, p, n);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), what);
    }
    p += r;
    n -= static_cast<size_t>(r);
  }
}

void write_phrased(const std::vector<std::string_view>& words, const PhraseScorer& scorer, std::string& key,
                   std::vector<PhraseSpan>& spans, std::string& out) {
  spans.clear();
  analyze_sentence(words, *scorer.settings, scorer, key, spans);
  const std::string& delim = scorer.settings->delimiter;
  for (size_t i = 0; i < spans.size(); ++i) {
    if (i) out += ' ';
    for (uint32_t j = spans[i].begin; j < spans[i].end; ++j) {
      if (j > spans[i].begin) out += delim;
      out.append(words[j]);
    }
  }
  out += '\n';
}

namespace {

constexpr size_t kFlushBytes = size_t{1} << 20;

// Where one range's lines go: the output itself (the first range) or a temporary file
// appended to it once the ranges before are written.
struct RangeOutput {
  int fd = -1;
  FILE* tmp = nullptr;
  uint64_t sentences = 0;
  std::exception_ptr error;
  ~RangeOutput() {
    if (tmp) std::fclose(tmp);
  }
  void flush(std::string& buf) {
    if (tmp) {
      if (std::fwrite(buf.data(), 1, buf.size(), tmp) != buf.size())
        throw std::system_error(errno ? errno : EIO, std::generic_category(), "cannot write a temporary file");
    } else {
      write_all(fd, buf.data(), buf.size(), "cannot write the output file");
    }
    buf.clear();
  }
};

void transform_range(const std::string& src, ByteRange r, SentenceRule rule, const PhraseScorer& scorer,
                     RangeOutput& out, const std::atomic<bool>* stop, std::atomic<uint64_t>* bytes_done) {
  SentenceBuffer sentence;
  std::string scratch, key, buf;
  std::vector<PhraseSpan> spans;
  read_range(
      src, r, rule,
      [&](std::string_view w, bool high) { sentence.word(normalise_word(w, high, Utf8Policy::Replace, scratch)); },
      [&] {
        if (sentence.empty()) return;
        write_phrased(sentence.words(), scorer, key, spans, buf);
        sentence.clear();
        ++out.sentences;
        if (buf.size() >= kFlushBytes) out.flush(buf);
      },
      stop, bytes_done);
  out.flush(buf);
}

}  // namespace

uint64_t transform_file(const std::string& src, SentenceRule rule, int threads, const PhraseScorer& scorer,
                        int out_fd, const std::atomic<bool>* stop, std::atomic<uint64_t>* bytes_done) {
  const uint64_t size = regular_file_size(src);
  const uint64_t min_range = uint64_t{1} << 20;
  if (threads < 1 || size < static_cast<uint64_t>(threads) * min_range) threads = 1;
  const std::vector<ByteRange> ranges =
      threads > 1 ? sentence_ranges(src, threads, rule) : std::vector<ByteRange>{ByteRange{0, size}};
  std::vector<std::unique_ptr<RangeOutput>> outs;
  for (size_t t = 0; t < ranges.size(); ++t) {
    outs.push_back(std::make_unique<RangeOutput>());
    outs[t]->fd = out_fd;
    if (t) {
      outs[t]->tmp = std::tmpfile();
      if (!outs[t]->tmp) throw std::system_error(errno, std::generic_category(), "cannot create a temporary file");
    }
  }
  std::vector<std::thread> pool;
  for (size_t t = 0; t < ranges.size(); ++t)
    pool.emplace_back([&, t] {
      try {
        transform_range(src, ranges[t], rule, scorer, *outs[t], stop, bytes_done);
      } catch (...) {
        outs[t]->error = std::current_exception();
      }
    });
  for (auto& th : pool) th.join();
  uint64_t sentences = 0;
  for (auto& o : outs)
    if (o->error) std::rethrow_exception(o->error);
  if (stop && stop->load()) return 0;
  std::vector<char> copy(kFlushBytes);
  for (auto& o : outs) {
    sentences += o->sentences;
    if (!o->tmp) continue;
    std::rewind(o->tmp);
    size_t got;
    while ((got = std::fread(copy.data(), 1, copy.size(), o->tmp)) > 0)
      write_all(out_fd, copy.data(), got, "cannot write the output file");
    if (std::ferror(o->tmp)) throw std::system_error(EIO, std::generic_category(), "cannot read a temporary file");
  }
  return sentences;
}

}  // namespace fe
