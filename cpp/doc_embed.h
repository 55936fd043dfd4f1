// Document embeddings without a document model: the (weighted) mean of a document's word
// vectors, e.g. SIF's a / (a + p(w)) weights.  Plain loops over rows; the caller looks the
// words up and handles the principal-component step.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fe {

// out[d] = sum_{i in doc d} weight[ids[i]] * vectors[ids[i]] / (number of words in doc d), for
// docs given as ids[offsets[d] .. offsets[d + 1]); a document without words gets a zero row.
// vectors: rows of `stride` floats (the first `dim` used); weights null = 1; out: ndocs x dim.
void weighted_mean_embeddings(const float* vectors, size_t stride, size_t dim, const int32_t* ids,
                              const uint64_t* offsets, size_t ndocs, const float* weights, float* out);

}  // namespace fe
