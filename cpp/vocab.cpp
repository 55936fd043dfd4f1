#include "vocab.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace fe {

void WordCounter::prune() {
  while (counts_.size() > max_vocab_size_) {
    std::vector<bool> keep(counts_.size());
    size_t out = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      keep[i] = counts_[i] > min_reduce_;
      if (keep[i]) counts_[out++] = counts_[i];
    }
    table_.filter(keep);
    counts_.resize(out);
    ++min_reduce_;
  }
}

uint64_t effective_min_count(const std::vector<uint64_t>& counts, const VocabFilter& f) {
  uint64_t mc = std::max<uint64_t>(f.min_count, 1);
  if (f.max_final_vocab && f.max_final_vocab < counts.size()) {
    std::vector<uint64_t> sorted(counts);
    std::nth_element(sorted.begin(), sorted.begin() + f.max_final_vocab, sorted.end(),
                     std::greater<uint64_t>());
    mc = std::max(mc, sorted[f.max_final_vocab] + 1);
  }
  return mc;
}

Vocab finalize_vocab(const WordCounter& counter, const VocabFilter& f) {
  const auto& counts = counter.counts();
  const uint64_t mc = effective_min_count(counts, f);
  std::vector<size_t> order;
  if (f.rules && f.rules->size() != counts.size())
    throw std::invalid_argument("trim rule verdicts do not match the counted words");
  for (size_t i = 0; i < counts.size(); ++i) {
    const int8_t r = f.rules ? (*f.rules)[i] : 0;
    if (r == 2 || (r != 1 && counts[i] >= mc)) order.push_back(i);
  }
  if (f.sorted)
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return counts[a] > counts[b]; });
  Vocab v;
  v.words.reserve(order.size());
  v.counts.reserve(order.size());
  for (size_t i : order) {
    v.words.insert(counter.table().word(i));
    v.counts.push_back(counts[i]);
  }
  return v;
}

Vocab make_vocab(const std::vector<std::string_view>& words, const std::vector<uint64_t>& counts) {
  if (words.size() != counts.size())
    throw std::invalid_argument("make_vocab: words and counts differ in length");
  Vocab v;
  v.words.reserve(words.size());
  for (size_t i = 0; i < words.size(); ++i) {
    bool inserted = false;
    v.words.insert(words[i], &inserted);
    if (!inserted) throw std::invalid_argument("duplicate word in vocabulary: " + std::string(words[i]));
    v.counts.push_back(counts[i]);
  }
  return v;
}

}  // namespace fe
