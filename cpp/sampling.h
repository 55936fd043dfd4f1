// The two sampling tables of word2vec: sub-sampling keep probabilities and the
// unigram^power distribution negatives are drawn from (an alias table: O(1) per draw,
// 8 bytes a word, instead of the C tool's 400 MB table).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rng.h"

namespace fe {

// min(1, sqrt(t/f) + t/f) with f = count/total; all ones when sample <= 0.
std::vector<double> keep_probabilities(const std::vector<uint64_t>& counts, double sample);

// Keep a word iff rng.next32() < threshold: the probability scaled to 2^32 (2^32 = always).
std::vector<uint64_t> keep_thresholds(const std::vector<double>& probs);

class AliasTable {
 public:
  AliasTable() = default;
  // Weights proportional to count^power.
  AliasTable(const std::vector<uint64_t>& counts, double power);

  size_t size() const { return cells_.size(); }
  uint32_t sample(Rng& rng) const {
    uint64_t r = rng.next();
    uint32_t i = static_cast<uint32_t>(((r >> 32) * cells_.size()) >> 32);
    const Cell& c = cells_[i];
    return static_cast<uint32_t>(r) < c.threshold ? i : c.alias;
  }
  // {threshold, alias} pairs, for the kernels.
  const uint32_t* cells_data() const { return reinterpret_cast<const uint32_t*>(cells_.data()); }
  // The exact probability of drawing each index (what the table encodes), for tests.
  std::vector<double> probabilities() const;

 private:
  struct Cell {
    uint32_t threshold;  // keep i with probability threshold / 2^32, else take alias
    uint32_t alias;
  };
  std::vector<Cell> cells_;
};

}  // namespace fe
