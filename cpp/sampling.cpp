#include "sampling.h"

#include <cmath>
#include <stdexcept>

namespace fe {

std::vector<double> keep_probabilities(const std::vector<uint64_t>& counts, double sample) {
  std::vector<double> p(counts.size(), 1.0);
  if (sample <= 0) return p;
  double total = 0;
  for (uint64_t c : counts) total += static_cast<double>(c);
  for (size_t i = 0; i < counts.size(); ++i) {
    if (!counts[i]) continue;
    double ratio = sample * total / static_cast<double>(counts[i]);  // t / f
    p[i] = std::min(1.0, std::sqrt(ratio) + ratio);
  }
  return p;
}

std::vector<uint64_t> keep_thresholds(const std::vector<double>& probs) {
  std::vector<uint64_t> t(probs.size());
  for (size_t i = 0; i < probs.size(); ++i) {
    double s = std::ldexp(probs[i], 32);
    t[i] = probs[i] >= 1.0 ? (uint64_t(1) << 32) : static_cast<uint64_t>(std::llround(s));
  }
  return t;
}

AliasTable::AliasTable(const std::vector<uint64_t>& counts, double power) {
  const size_t n = counts.size();
  if (n == 0) return;
  if (n > 0xFFFFFFFFull) throw std::length_error("vocabulary too large for the sampling table");
  std::vector<double> w(n);
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += (w[i] = std::pow(static_cast<double>(counts[i]), power));
  if (!(sum > 0)) throw std::invalid_argument("negative sampling needs positive word counts");
  // Vose's alias method.
  std::vector<double> scaled(n);
  std::vector<uint32_t> small, large;
  for (size_t i = 0; i < n; ++i) {
    scaled[i] = w[i] * static_cast<double>(n) / sum;
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
  }
  cells_.assign(n, Cell{0, 0});
  while (!small.empty() && !large.empty()) {
    uint32_t s = small.back(), l = large.back();
    small.pop_back();
    cells_[s].threshold = static_cast<uint32_t>(std::min(std::ldexp(scaled[s], 32), 4294967295.0));
    cells_[s].alias = l;
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // Leftovers are 1 up to rounding: they always keep themselves.
  for (uint32_t i : small) cells_[i] = Cell{0xFFFFFFFFu, i};
  for (uint32_t i : large) cells_[i] = Cell{0xFFFFFFFFu, i};
}

std::vector<double> AliasTable::probabilities() const {
  const size_t n = cells_.size();
  std::vector<double> p(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    double keep = std::ldexp(static_cast<double>(cells_[i].threshold), -32);
    if (cells_[i].alias == i) keep = 1.0;
    p[i] += keep / n;
    if (cells_[i].alias != i) p[cells_[i].alias] += (1.0 - keep) / n;
  }
  return p;
}

}  // namespace fe
