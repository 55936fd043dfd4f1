// Counting words for the vocabulary: from a plain file (read in large blocks) or from bytes
// streamed in by the caller (decompressed files), with the same tokenizer as training.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "text.h"
#include "tokenizer.h"
#include "vocab.h"

namespace fe {

class CorpusCounter {
 public:
  CorpusCounter(uint64_t max_vocab_size, Utf8Policy policy, SentenceRule rule = {})
      : counter_(max_vocab_size), policy_(policy), rule_(rule), stream_(rule) {}

  // Counts a whole plain file; `bytes_done` (if given) is advanced as it reads and `stop`
  // (if given) ends the scan early.  With threads > 1, no max_vocab_size and a file of at
  // least threads * min_range_bytes, threads count byte ranges of it and the result is merged:
  // the same words, first-seen order, counts and sentences as one thread's scan.  (Pruning
  // under max_vocab_size depends on the order words arrive in, so it stays on one thread.)
  void count_file(const std::string& path, std::atomic<uint64_t>* bytes_done = nullptr,
                  const std::atomic<bool>* stop = nullptr, int threads = 1,
                  uint64_t min_range_bytes = uint64_t{1} << 20);
  // Streamed bytes (a decompressed file): feed in any pieces, then finish().
  void feed(const char* p, size_t n);
  void finish();
  // One pre-split sentence (from a Python iterable).
  void add_word(std::string_view w, bool high) {
    std::string_view v = normalise_word(w, high, policy_, scratch_);
    if (!v.empty()) {
      counter_.add(v);
      in_sentence_ = true;
    }
  }
  // A word with a known count (a vocabulary file); no sentence is counted.
  void add_word_count(std::string_view w, uint64_t n) {
    std::string_view v = normalise_word(w, false, policy_, scratch_);
    if (!v.empty() && n) counter_.add(v, n);
  }
  void end_sentence() {
    if (in_sentence_) counter_.end_sentence();
    in_sentence_ = false;
  }

  const WordCounter& counter() const { return counter_; }

 private:
  struct RangeCount;
  void count_file_ranges(const std::string& path, std::atomic<uint64_t>* bytes_done,
                         const std::atomic<bool>* stop, int threads, uint64_t min_range_bytes);
  void count_file_serial(const std::string& path, std::atomic<uint64_t>* bytes_done,
                         const std::atomic<bool>* stop);
  void count_range(const std::string& path, uint64_t begin, uint64_t end, RangeCount& out,
                   std::atomic<uint64_t>* bytes_done, const std::atomic<bool>* stop) const;
  void merge_range(const RangeCount& r);

  WordCounter counter_;
  Utf8Policy policy_;
  SentenceRule rule_;
  StreamTokenizer stream_;
  std::string scratch_;
  bool in_sentence_ = false;
};

}  // namespace fe
