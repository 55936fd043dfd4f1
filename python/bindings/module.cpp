// fastembed._core: conversions between the C++ core (cpp/) and Python.  Bindings only.
#include <pybind11/pybind11.h>

namespace py = pybind11;

void bind_training(py::module_& m);  // bind_training.cpp: vocabulary, tables, trainer
void bind_io(py::module_& m);        // bind_io.cpp: word2vec file parsing
void bind_probes(py::module_& m);    // bind_probes.cpp: test-only probes of tables and kernels
void bind_embed(py::module_& m);     // bind_embed.cpp: document embeddings from word vectors
void bind_subwords(py::module_& m);  // bind_subwords.cpp: fastText's n-gram rules
void bind_phrases(py::module_& m);   // bind_phrases.cpp: phrase detection and word2phrase

PYBIND11_MODULE(_core, m) {
  m.doc() = "fastembed's C++ core (private: use the fastembed package)";
  bind_training(m);
  bind_io(m);
  bind_probes(m);
  bind_embed(m);
  bind_subwords(m);
  bind_phrases(m);
}
