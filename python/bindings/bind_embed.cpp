// Bindings for document embeddings from word vectors (cpp/doc_embed.h): the words are looked up
// here (in the keyed vectors' dict, with the GIL), the averaging runs without it.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "convert.h"
#include "doc_embed.h"
#include "tokenizer.h"

namespace py = pybind11;
using namespace fe;

namespace {

// A document's row ids: a str is split on whitespace (as str.split()), a sequence is taken
// item by item; items without a row are skipped.
void lookup_document(py::handle doc, size_t position, const py::dict& index, std::vector<int32_t>& ids) {
  auto add = [&](PyObject* key) {
    PyObject* row = PyDict_GetItemWithError(index.ptr(), key);
    if (!row) {
      if (PyErr_Occurred()) throw py::error_already_set();
      return;
    }
    ids.push_back(static_cast<int32_t>(PyLong_AsLong(row)));
  };
  if (PyUnicode_Check(doc.ptr())) {
    std::string_view text = py::reinterpret_borrow<py::str>(doc).cast<std::string_view>();
    tokenize(text.data(), text.data() + text.size(), true,
             [&](std::string_view w, bool) {
               py::str key = fe_bind::to_str(w);
               add(key.ptr());
             },
             [] {});
    return;
  }
  if (PyBytes_Check(doc.ptr()))
    throw py::type_error("document " + std::to_string(position) + " is bytes: decode it to str, or split it into words");
  PyObject* fast = PySequence_Fast(doc.ptr(), "");
  if (!fast) {
    PyErr_Clear();
    throw py::type_error("document " + std::to_string(position) + " is a " + std::string(Py_TYPE(doc.ptr())->tp_name) +
                         ", not a list of words or a str");
  }
  py::object hold = py::reinterpret_steal<py::object>(fast);
  const py::ssize_t n = PySequence_Fast_GET_SIZE(fast);
  PyObject** items = PySequence_Fast_ITEMS(fast);
  for (py::ssize_t i = 0; i < n; ++i) add(items[i]);
}

}  // namespace

void bind_embed(py::module_& m) {
  m.def(
      "mean_embeddings",
      [](py::array vectors, py::dict index, py::sequence docs, py::object weights) {
        auto v = py::array_t<float>::ensure(vectors);
        if (!v || v.ndim() != 2 || v.strides(1) != static_cast<py::ssize_t>(sizeof(float)) ||
            v.strides(0) % static_cast<py::ssize_t>(sizeof(float)))
          throw py::value_error("vectors must be a float32 matrix with contiguous rows");
        const size_t rows = static_cast<size_t>(v.shape(0)), dim = static_cast<size_t>(v.shape(1));
        const size_t stride = static_cast<size_t>(v.strides(0)) / sizeof(float);
        const float* w = nullptr;
        py::array_t<float, py::array::c_style | py::array::forcecast> warr;
        if (!weights.is_none()) {
          warr = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(weights);
          if (!warr || warr.ndim() != 1 || static_cast<size_t>(warr.shape(0)) != rows)
            throw py::value_error("weights must be one float per vector");
          w = warr.data();
        }
        std::vector<int32_t> ids;
        std::vector<uint64_t> offsets{0};
        const size_t n = static_cast<size_t>(docs.size());
        for (size_t d = 0; d < n; ++d) {
          lookup_document(docs[d], d, index, ids);
          offsets.push_back(ids.size());
        }
        for (int32_t id : ids)
          if (id < 0 || static_cast<size_t>(id) >= rows) throw py::value_error("a key maps outside the vectors");
        py::array_t<float> out({n, dim});
        float* o = out.mutable_data();
        const float* base = v.data();
        {
          py::gil_scoped_release nogil;
          weighted_mean_embeddings(base, stride, dim, ids.data(), offsets.data(), n, w, o);
        }
        return out;
      },
      py::arg("vectors"), py::arg("index"), py::arg("docs"), py::arg("weights") = py::none(),
      "[len(docs), dim] float32: each document's mean word vector, weighted per row; unknown words "
      "skipped, a document without known words a zero row.");
}
