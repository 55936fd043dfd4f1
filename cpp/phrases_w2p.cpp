#include "phrases_w2p.h"

#include <algorithm>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

#include "file_chunks.h"
#include "phrases_apply.h"
#include "phrases_ranges.h"

namespace fe {

namespace {

// The tool prunes (ReduceVocab) only past 0.7 of its 500M-slot hash: entries counted at most
// min_reduce times go, and min_reduce grows.
constexpr uint64_t kReduceAt = 350000000;

struct W2pCount {
  PhraseVocab vocab;
  uint64_t words = 0;
  std::string first, last;  // the range's first and last words, for the bigram across a cut
  std::exception_ptr error;
};

// The tool's ReduceVocab: keeps entries counted more than min_reduce times.
void reduce(PhraseVocab& v, uint64_t& min_reduce) {
  v.prune(min_reduce + 1);
  ++min_reduce;
}

// Counts one range's unigrams and the bigrams inside it.  With `reduce_cap`, prunes as the
// tool does (a serial count); `entries` / `over` stop the threads when together they pass it.
void count_range(const std::string& path, ByteRange r, W2pCount& out, bool serial, std::atomic<uint64_t>* entries,
                 std::atomic<bool>* over, const std::atomic<bool>* stop, std::atomic<uint64_t>* bytes_done) {
  w2p::Tokens tok;
  std::string key;
  bool have_last = false;
  uint64_t min_reduce = 1;
  size_t reported = 0;
  auto on_word = [&](std::string_view w) {
    ++out.words;
    out.vocab.add(w);
    if (have_last) {
      w2p::bigram(out.last, w, key);
      out.vocab.add(key);
    } else {
      out.first.assign(w);
    }
    out.last.assign(w);
    have_last = true;
    if (serial) {
      if (out.vocab.size() > kReduceAt) reduce(out.vocab, min_reduce);
    } else if ((out.words & 4095) == 0) {
      const size_t now = out.vocab.size();
      if (entries->fetch_add(now - reported) + (now - reported) > kReduceAt) over->store(true);
      if (stop && stop->load(std::memory_order_relaxed)) over->store(true);
      reported = now;
    }
  };
  each_block(
      path, r, [&](const char* p, size_t n) { tok.feed(p, n, on_word, [] {}); }, over ? over : stop,
      bytes_done);
  tok.finish(on_word);
}

// `parts` ranges of [0, size), each cut just after one of the tool's separators.
std::vector<ByteRange> separator_ranges(const std::string& path, uint64_t size, int parts) {
  FileHandle f = open_read(path);
  std::vector<uint64_t> cuts{0};
  std::vector<char> buf(size_t{1} << 16);
  for (int t = 1; t < parts; ++t) {
    uint64_t pos = std::max(cuts.back(), size / static_cast<uint64_t>(parts) * static_cast<uint64_t>(t));
    uint64_t cut = size;
    while (pos < size && cut == size) {
      if (std::fseek(f.get(), static_cast<long>(pos), SEEK_SET) != 0) throw_read_failure(path);
      const size_t got = std::fread(buf.data(), 1, buf.size(), f.get());
      if (!got) {
        if (std::ferror(f.get())) throw_read_failure(path);
        break;
      }
      for (size_t i = 0; i < got; ++i)
        if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n') {
          cut = pos + i + 1;
          break;
        }
      pos += got;
    }
    cuts.push_back(cut);
  }
  cuts.push_back(size);
  std::vector<ByteRange> out;
  for (int t = 0; t < parts; ++t) out.push_back(ByteRange{cuts[t], cuts[t + 1]});
  return out;
}

PhraseVocab count_file(const std::string& path, int threads, uint64_t& train_words, const std::atomic<bool>* stop,
                       std::atomic<uint64_t>* bytes_done) {
  const uint64_t size = regular_file_size(path);
  if (threads > 1 && size >= static_cast<uint64_t>(threads) << 20) {
    // Cut after a separator: ranges hold whole words; the bigram across each cut is added when merging.
    const std::vector<ByteRange> ranges = separator_ranges(path, size, threads);
    std::vector<std::unique_ptr<W2pCount>> parts;
    for (size_t t = 0; t < ranges.size(); ++t) parts.push_back(std::make_unique<W2pCount>());
    std::atomic<uint64_t> entries{0};
    std::atomic<bool> over{false};
    std::vector<std::thread> pool;
    for (size_t t = 0; t < ranges.size(); ++t)
      pool.emplace_back([&, t] {
        try {
          count_range(path, ranges[t], *parts[t], false, &entries, &over, stop, bytes_done);
        } catch (...) {
          parts[t]->error = std::current_exception();
        }
      });
    for (auto& th : pool) th.join();
    for (auto& p : parts)
      if (p->error) std::rethrow_exception(p->error);
    if (stop && stop->load()) return PhraseVocab{};
    if (!over.load()) {
      PhraseVocab vocab = std::move(parts[0]->vocab);
      train_words = parts[0]->words;
      std::string last = parts[0]->last, key;
      bool have_last = parts[0]->words != 0;
      for (size_t t = 1; t < parts.size(); ++t) {
        W2pCount& p = *parts[t];
        vocab.merge(std::move(p.vocab));
        train_words += p.words;
        if (p.words) {
          if (have_last) {
            w2p::bigram(last, p.first, key);
            vocab.add(key);
          }
          last = p.last;
          have_last = true;
        }
        parts[t].reset();
      }
      return vocab;
    }
  }
  W2pCount one;
  count_range(path, ByteRange{0, size}, one, true, nullptr, nullptr, stop, bytes_done);
  train_words = one.words;
  return std::move(one.vocab);
}

}  // namespace

Word2PhraseStats word2phrase(const std::string& src, int out_fd, int64_t min_count, float threshold, int threads,
                             const std::atomic<bool>* stop, std::atomic<uint64_t>* bytes_done) {
  Word2PhraseStats stats;
  PhraseVocab vocab = count_file(src, threads, stats.train_words, stop, bytes_done);
  if (stop && stop->load()) return stats;
  // SortVocab: only entries counted at least min_count times are found afterwards.
  auto known = [&](std::string_view k, uint64_t& n) {
    n = vocab.count(k);
    return n != 0 && static_cast<int64_t>(n) >= min_count;
  };
  for (size_t i = 0; i < vocab.size(); ++i) stats.entries += static_cast<int64_t>(vocab.count_at(i)) >= min_count;

  const float train_words = static_cast<float>(stats.train_words);
  std::string out, last, key;  // last: the previous token ("\n" after a line end), "" at the start
  bool prev_known = false;    // the previous word was found (the tool's li != -1)
  uint64_t pa = 0, pb = 0, pab = 0;
  w2p::Tokens tok;
  auto on_word = [&](std::string_view w) {
    uint64_t n;
    const bool word_known = known(w, n);
    if (word_known) pb = n;  // an unknown word leaves pb as it was, as the tool does
    w2p::bigram(last, w, key);
    const bool bigram_known = known(key, n);
    if (bigram_known) pab = n;
    const bool join = w2p::joins(prev_known, pa, word_known, pb, bigram_known, pab, min_count, train_words, threshold);
    prev_known = word_known;
    if (join) pb = 0;  // a joined word never starts the next phrase
    out += join ? '_' : ' ';
    out.append(w);
    pa = pb;
    last.assign(w);
    if (out.size() >= (size_t{1} << 20)) {
      write_all(out_fd, out.data(), out.size(), "cannot write the output file");
      out.clear();
    }
  };
  auto on_newline = [&] {
    out += '\n';
    last.assign("\n");
  };
  const uint64_t size = regular_file_size(src);
  each_block(
      src, ByteRange{0, size}, [&](const char* p, size_t n) { tok.feed(p, n, on_word, on_newline); }, stop,
      bytes_done);
  tok.finish(on_word);
  write_all(out_fd, out.data(), out.size(), "cannot write the output file");
  return stats;
}

}  // namespace fe
