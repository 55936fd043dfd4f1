// Vocabulary: counting words from a corpus (with word2vec-style pruning when a size cap is
// set), then the final, filtered and sorted vocabulary the trainer indexes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "word_table.h"

namespace fe {

class WordCounter {
 public:
  // max_vocab_size == 0 means no cap.  Above the cap, words seen at most `min_reduce` times are
  // dropped and min_reduce grows by one (the word2vec C tool's ReduceVocab).
  explicit WordCounter(uint64_t max_vocab_size = 0) : max_vocab_size_(max_vocab_size) {}

  void add(std::string_view w, uint64_t n = 1) {
    size_t i = table_.insert(w);
    if (i == counts_.size()) counts_.push_back(0);
    counts_[i] += n;
    total_words_ += n;
    if (max_vocab_size_ && counts_.size() > max_vocab_size_) prune();
  }
  void end_sentence() { ++sentences_; }

  size_t size() const { return counts_.size(); }
  uint64_t total_words() const { return total_words_; }
  uint64_t sentences() const { return sentences_; }
  uint64_t min_reduce() const { return min_reduce_; }
  uint64_t max_vocab_size() const { return max_vocab_size_; }
  const WordTable& table() const { return table_; }
  const std::vector<uint64_t>& counts() const { return counts_; }
  // Adds the sentences counted elsewhere (a reader that tallies them itself).
  void add_sentences(uint64_t n) { sentences_ += n; }

 private:
  void prune();

  WordTable table_;
  std::vector<uint64_t> counts_;
  uint64_t max_vocab_size_;
  uint64_t min_reduce_ = 1;
  uint64_t total_words_ = 0;
  uint64_t sentences_ = 0;
};

struct Vocab {
  WordTable words;
  std::vector<uint64_t> counts;

  size_t size() const { return counts.size(); }
  int64_t find(std::string_view w) const { return words.find(w); }
  uint64_t total() const {
    uint64_t t = 0;
    for (uint64_t c : counts) t += c;
    return t;
  }
};

struct VocabFilter {
  uint64_t min_count = 5;
  uint64_t max_final_vocab = 0;  // 0: no cap
  bool sorted = true;            // descending count, ties in first-seen order
  // A trim rule's verdicts, one per counted word (gensim's RULE_DEFAULT 0: by min_count,
  // RULE_DISCARD 1, RULE_KEEP 2); null: min_count alone.
  const std::vector<int8_t>* rules = nullptr;
};

// The min_count actually applied: raised so that at most max_final_vocab words survive
// (gensim's rule: one more than the count of the first word past the cap).
uint64_t effective_min_count(const std::vector<uint64_t>& counts, const VocabFilter& f);

Vocab finalize_vocab(const WordCounter& counter, const VocabFilter& f);

// Builds a vocabulary from explicit words and counts (loading a saved model, -read-vocab).
Vocab make_vocab(const std::vector<std::string_view>& words, const std::vector<uint64_t>& counts);

}  // namespace fe
