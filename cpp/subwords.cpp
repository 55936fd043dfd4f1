#include "subwords.h"

#include <stdexcept>

namespace fe {

uint32_t ft_hash(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<uint32_t>(static_cast<int8_t>(c));
    h *= 16777619u;
  }
  return h;
}

void ngram_buckets(std::string_view word, const SubwordRule& rule, std::vector<int32_t>& out) {
  if (rule.max_n > 0 && rule.bucket == 0) throw std::invalid_argument("bucket must be positive when max_n > 0");
  for_each_ngram(word, rule, [&](std::string_view g) { out.push_back(static_cast<int32_t>(ft_hash(g) % rule.bucket)); });
}

InputRowTable subword_table(size_t n, const std::function<std::string_view(size_t)>& word,
                            const SubwordRule& rule) {
  const uint64_t nwords = n;
  if (nwords + rule.bucket > 0x7FFFFFFFull)
    throw std::invalid_argument("vocabulary + bucket rows exceed 2^31 - 1 (fastText's int32 row ids)");
  std::vector<uint64_t> offsets;
  std::vector<int32_t> rows;
  offsets.reserve(nwords + 1);
  offsets.push_back(0);
  std::vector<int32_t> buckets;
  for (size_t i = 0; i < nwords; ++i) {
    rows.push_back(static_cast<int32_t>(i));
    buckets.clear();
    ngram_buckets(word(i), rule, buckets);
    for (int32_t b : buckets) rows.push_back(static_cast<int32_t>(nwords + static_cast<uint32_t>(b)));
    offsets.push_back(rows.size());
  }
  return InputRowTable(std::move(offsets), std::move(rows), nwords + rule.bucket);
}

void compose_vectors(const float* syn0, int stride, const InputRowTable& table, float* out, int dim,
                     int out_stride) {
  const auto& off = table.offsets();
  const auto& rows = table.rows();
  for (size_t t = 0; t < table.entries(); ++t) {
    float* o = out + t * static_cast<size_t>(out_stride);
    for (int d = 0; d < dim; ++d) o[d] = 0.0f;
    for (uint64_t k = off[t]; k < off[t + 1]; ++k) {
      const float* r = syn0 + static_cast<size_t>(rows[k]) * static_cast<size_t>(stride);
      for (int d = 0; d < dim; ++d) o[d] += r[d];
    }
    const float scale = static_cast<float>(1.0 / static_cast<double>(off[t + 1] - off[t]));
    for (int d = 0; d < dim; ++d) o[d] *= scale;
  }
}

}  // namespace fe
