// Bindings for fastText's subword rules (cpp/subwords.h) and the n-gram rows' setup.
// Conversions only.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>

#include "convert.h"
#include "input_rows.h"
#include "model_init.h"
#include "subwords.h"
#include "vocab.h"

namespace py = pybind11;
using namespace fe;
using namespace fe_bind;

namespace {

SubwordRule rule_of(int min_n, int max_n, int64_t bucket) {
  if (min_n < 1) throw py::value_error("min_n must be at least 1");
  if (max_n < 0) throw py::value_error("max_n must not be negative");
  if (bucket < 0 || bucket > 0x7FFFFFFF) throw py::value_error("bucket must be in [0, 2^31 - 1]");
  if (max_n > 0 && bucket == 0) throw py::value_error("bucket must be positive when max_n > 0");
  return SubwordRule{min_n, max_n, static_cast<uint32_t>(bucket)};
}

// A float32 C-contiguous matrix's data and shape, checked.
float* float_matrix(py::array& a, const char* name, bool writeable) {
  if (!a.dtype().is(py::dtype::of<float>()) || a.ndim() != 2 || !(a.flags() & py::array::c_style) ||
      (writeable && !a.writeable()))
    throw py::value_error(std::string(name) + " must be a " + (writeable ? "writeable " : "") +
                          "C-contiguous float32 matrix");
  return writeable ? static_cast<float*>(a.mutable_data()) : const_cast<float*>(static_cast<const float*>(a.data()));
}

}  // namespace

void bind_subwords(py::module_& m) {
  m.def(
      "ft_hash", [](py::bytes data) { return ft_hash(std::string_view(data)); }, py::arg("data"),
      "fastText's FNV-1a hash of a byte string (bytes sign-extended)");
  m.def(
      "ngrams",
      [](const std::string& word, int min_n, int max_n) {
        std::vector<py::str> out;
        for_each_ngram(word, rule_of(min_n, max_n, 1), [&](std::string_view g) { out.push_back(to_str(g)); });
        return out;
      },
      py::arg("word"), py::arg("min_n"), py::arg("max_n"), "The character n-grams of '<' + word + '>', in fastText's order");
  m.def(
      "ngram_buckets",
      [](const std::string& word, int min_n, int max_n, int64_t bucket) {
        std::vector<int32_t> out;
        ngram_buckets(word, rule_of(min_n, max_n, bucket), out);
        return py::array_t<int32_t>(static_cast<py::ssize_t>(out.size()), out.data());
      },
      py::arg("word"), py::arg("min_n"), py::arg("max_n"), py::arg("bucket"),
      "Bucket ids (hash mod bucket) of a word's n-grams, duplicates kept");
  m.def(
      "subword_table",
      [](const Vocab& vocab, int min_n, int max_n, int64_t bucket) {
        const SubwordRule rule = rule_of(min_n, max_n, bucket);
        py::gil_scoped_release nogil;
        return std::make_shared<InputRowTable>(subword_table(vocab, rule));
      },
      py::arg("vocab"), py::arg("min_n"), py::arg("max_n"), py::arg("bucket"),
      "Word i trains row i and rows len(vocab) + bucket id of its n-grams");
  m.def(
      "subword_table_of_bytes",
      [](const std::vector<py::bytes>& words, int min_n, int max_n, int64_t bucket) {
        const SubwordRule rule = rule_of(min_n, max_n, bucket);
        std::vector<std::string_view> views(words.begin(), words.end());
        py::gil_scoped_release nogil;
        return std::make_shared<InputRowTable>(
            subword_table(views.size(), [&](size_t i) { return views[i]; }, rule));
      },
      py::arg("words"), py::arg("min_n"), py::arg("max_n"), py::arg("bucket"),
      "subword_table over words given as raw bytes (a .bin file's words, valid UTF-8 or not)");
  m.def(
      "compose_vectors",
      [](py::array syn0, const InputRowTable& table, py::array out, int dim) {
        const float* s = float_matrix(syn0, "syn0", false);
        float* o = float_matrix(out, "out", true);
        if (static_cast<uint64_t>(syn0.shape(0)) != table.input_rows() || dim < 1 || syn0.shape(1) < dim)
          throw py::value_error("syn0 does not fit the table");
        if (static_cast<size_t>(out.shape(0)) != table.entries() || out.shape(1) < dim)
          throw py::value_error("out must have one row per table entry and at least dim columns");
        const int stride = static_cast<int>(syn0.shape(1)), out_stride = static_cast<int>(out.shape(1));
        py::gil_scoped_release nogil;
        compose_vectors(s, stride, table, o, dim, out_stride);
      },
      py::arg("syn0"), py::arg("table"), py::arg("out"), py::arg("dim"),
      "out[i, :dim] = the mean of entry i's rows of syn0 (fastText's getWordVector)");
  m.def(
      "init_rows_uniform",
      [](py::array syn0, uint64_t first, uint64_t count, int dim, uint64_t seed) {
        float* s = float_matrix(syn0, "syn0", true);
        if (first + count > static_cast<uint64_t>(syn0.shape(0)) || dim < 1 || syn0.shape(1) < dim)
          throw py::value_error("rows or dim outside syn0");
        const int stride = static_cast<int>(syn0.shape(1));
        py::gil_scoped_release nogil;
        init_rows_uniform(s, first, count, dim, stride, seed);
      },
      py::arg("syn0"), py::arg("first"), py::arg("count"), py::arg("dim"), py::arg("seed"),
      "Rows [first, first + count) uniform in [-1/dim, 1/dim), seeded by the seed and the row's place");
}
