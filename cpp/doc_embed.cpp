#include "doc_embed.h"

#include <algorithm>
#include <vector>

namespace fe {

void weighted_mean_embeddings(const float* vectors, size_t stride, size_t dim, const int32_t* ids,
                              const uint64_t* offsets, size_t ndocs, const float* weights, float* out) {
  std::vector<double> acc(dim);  // float64 sums: a long document's mean does not drift
  for (size_t d = 0; d < ndocs; ++d) {
    std::fill(acc.begin(), acc.end(), 0.0);
    const uint64_t b = offsets[d], e = offsets[d + 1];
    for (uint64_t i = b; i < e; ++i) {
      const float* row = vectors + static_cast<size_t>(ids[i]) * stride;
      const double w = weights ? weights[ids[i]] : 1.0;
      for (size_t k = 0; k < dim; ++k) acc[k] += w * row[k];
    }
    float* o = out + d * dim;
    const double n = static_cast<double>(e - b);
    for (size_t k = 0; k < dim; ++k) o[k] = n > 0 ? static_cast<float>(acc[k] / n) : 0.0f;
  }
}

}  // namespace fe
