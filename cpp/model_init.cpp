#include "model_init.h"

#include "rng.h"

namespace fe {

void init_input_vectors(float* syn0, const Vocab& vocab, int dim, int stride, uint64_t seed) {
  const float scale = 1.0f / static_cast<float>(dim);
  for (size_t i = 0; i < vocab.size(); ++i) {
    std::string_view w = vocab.words.word(i);
    Rng rng(hash_bytes(w.data(), w.size()) ^ (seed * 0xD1B54A32D192ED03ull));
    float* row = syn0 + i * static_cast<size_t>(stride);
    for (int d = 0; d < dim; ++d) row[d] = (2.0f * rng.uniform() - 1.0f) * scale;
    for (int d = dim; d < stride; ++d) row[d] = 0.0f;
  }
}

void init_rows_uniform(float* syn0, size_t first, size_t count, int dim, int stride, uint64_t seed) {
  const float scale = 1.0f / static_cast<float>(dim);
  for (size_t i = 0; i < count; ++i) {
    Rng rng((i * 0x9E3779B97F4A7C15ull) ^ (seed * 0xD1B54A32D192ED03ull) ^ 0x5EEDB0C4E7ull);
    float* row = syn0 + (first + i) * static_cast<size_t>(stride);
    for (int d = 0; d < dim; ++d) row[d] = (2.0f * rng.uniform() - 1.0f) * scale;
    for (int d = dim; d < stride; ++d) row[d] = 0.0f;
  }
}

}  // namespace fe
