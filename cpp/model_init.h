// Initial input vectors, as gensim 4: uniform in [-1/dim, 1/dim) (the C tool's range is half as
// wide; on the 17M-word benchmark gensim's range scored 1.5 analogy points higher for CBOW at
// 3 epochs and the same for skip-gram).  Each row's
// stream is seeded from the seed and the word itself, so a word starts at the same vector
// whatever its position in the vocabulary, in any process.
#pragma once
#include <cstdint>

#include "vocab.h"

namespace fe {

void init_input_vectors(float* syn0, const Vocab& vocab, int dim, int stride, uint64_t seed);

// Rows [first, first + count) of syn0 (n-gram buckets: no word to seed them from), uniform in
// the same range, each row's stream seeded from the seed and its place in the range (an n-gram
// bucket starts the same whatever the vocabulary's size).
void init_rows_uniform(float* syn0, size_t first, size_t count, int dim, int stride, uint64_t seed);

}  // namespace fe
