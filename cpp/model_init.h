// Initial input vectors, as the C tool and gensim: uniform in [-0.5/dim, 0.5/dim).  Each row's
// stream is seeded from the seed and the word itself, so a word starts at the same vector
// whatever its position in the vocabulary, in any process.
#pragma once
#include <cstdint>

#include "vocab.h"

namespace fe {

void init_input_vectors(float* syn0, const Vocab& vocab, int dim, int stride, uint64_t seed);

}  // namespace fe
