// Bindings for word2vec file parsing and formatting (cpp/w2v_format.h).  Conversions only:
// buffers in, numpy arrays / Python strings out; parsing runs with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "w2v_format.h"

namespace py = pybind11;

namespace {

// fastembed._core.TruncatedFileError: a ValueError (bad input) that is also an EOFError, which
// is what gensim raises for a short file.
PyObject* truncated_error = nullptr;

[[noreturn]] void raise_status(const fe::W2VStatus& s) {
  if (s.error == fe::W2VError::kTruncated) {
    PyErr_SetString(truncated_error, s.message.c_str());
    throw py::error_already_set();
  }
  throw py::value_error(s.message);
}

struct Buffer {
  const char* data;
  std::size_t size;
};

Buffer view_of(const py::buffer& buf, py::buffer_info* keep) {
  *keep = buf.request();
  if (keep->ndim != 1 || keep->itemsize != 1 || keep->strides[0] != 1)
    throw py::type_error("expected a contiguous byte buffer (bytes, mmap or uint8 array)");
  return {static_cast<const char*>(keep->ptr), static_cast<std::size_t>(keep->size)};
}

py::array_t<uint64_t> to_array(std::vector<uint64_t>&& v) {
  py::array_t<uint64_t> a(static_cast<py::ssize_t>(v.size()));
  if (!v.empty()) std::memcpy(a.mutable_data(), v.data(), v.size() * sizeof(uint64_t));
  return a;
}

py::array_t<uint32_t> to_array(std::vector<uint32_t>&& v) {
  py::array_t<uint32_t> a(static_cast<py::ssize_t>(v.size()));
  if (!v.empty()) std::memcpy(a.mutable_data(), v.data(), v.size() * sizeof(uint32_t));
  return a;
}

// Returns (vectors float32 [n, dim], word offsets uint64 [n], word lengths uint32 [n],
// declared count).  n = min(declared count, limit) with limit < 0 meaning no limit.
py::tuple parse_word2vec(const py::buffer& buf, bool binary, bool no_header, int64_t limit,
                         int threads) {
  py::buffer_info info;
  const Buffer b = view_of(buf, &info);
  fe::W2VHeader h;
  if (no_header) {
    if (binary) throw py::value_error("no_header is only available for text-format files");
    int64_t count = 0, dim = 0;
    fe::W2VStatus s;
    {
      py::gil_scoped_release nogil;
      s = fe::scan_w2v_text(b.data, b.size, limit, &count, &dim);
    }
    if (!s.ok()) raise_status(s);
    h.count = count;
    h.dim = dim;
    h.body_offset = 0;
  } else {
    fe::W2VStatus s = fe::parse_w2v_header(b.data, b.size, &h);
    if (!s.ok()) raise_status(s);
  }
  const int64_t declared = h.count;
  const int64_t n = (limit >= 0 && limit < h.count) ? limit : h.count;
  // Never allocate more than the bytes can hold: a lying header fails here, before numpy.
  const int64_t fits = fe::w2v_max_records(b.size - h.body_offset, h.dim, binary);
  if (n > fits) {
    fe::W2VStatus s;
    s.error = fe::W2VError::kTruncated;
    s.message = "header declares " + std::to_string(n) + " vectors of " + std::to_string(h.dim) +
                " dimensions but the file can hold at most " + std::to_string(fits);
    raise_status(s);
  }
  py::array_t<float> vectors({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(h.dim)});
  float* out = vectors.mutable_data();
  fe::W2VWords words;
  fe::W2VStatus s;
  {
    py::gil_scoped_release nogil;
    s = binary ? fe::parse_w2v_binary(b.data, b.size, h.body_offset, n, h.dim, out, &words)
               : fe::parse_w2v_text(b.data, b.size, h.body_offset, n, h.dim, out, &words, threads);
  }
  if (!s.ok()) raise_status(s);
  return py::make_tuple(vectors, to_array(std::move(words.offsets)),
                        to_array(std::move(words.lengths)), declared);
}

// Decodes each word span into a str.  Returns (list, -1), or (None, i) when word i fails to
// decode under errors='strict', so the caller can raise an error naming the word.
py::tuple decode_words(const py::buffer& buf, const py::array_t<uint64_t>& offsets,
                       const py::array_t<uint32_t>& lengths, const std::string& encoding,
                       const std::string& errors) {
  py::buffer_info info;
  const Buffer b = view_of(buf, &info);
  const py::ssize_t n = offsets.size();
  if (lengths.size() != n) throw py::value_error("offsets and lengths differ in length");
  auto off = offsets.unchecked<1>();
  auto len = lengths.unchecked<1>();
  const bool utf8 = encoding == "utf8" || encoding == "utf-8" || encoding == "UTF-8";
  py::list out(n);
  for (py::ssize_t i = 0; i < n; ++i) {
    if (off(i) > b.size || len(i) > b.size - off(i)) throw py::value_error("word span out of range");
    const char* p = b.data + off(i);
    PyObject* s = utf8 ? PyUnicode_DecodeUTF8(p, static_cast<py::ssize_t>(len(i)), errors.c_str())
                       : PyUnicode_Decode(p, static_cast<py::ssize_t>(len(i)), encoding.c_str(),
                                          errors.c_str());
    if (!s) {
      if (PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
        PyErr_Clear();
        return py::make_tuple(py::none(), i);
      }
      throw py::error_already_set();
    }
    PyList_SET_ITEM(out.ptr(), i, s);  // steals the reference
  }
  return py::make_tuple(out, -1);
}

// Formats rows as word2vec records.  `vectors` must be C-contiguous float32 [len(words), dim].
py::bytes format_word2vec(const std::vector<std::string>& words,
                          const py::array_t<float, py::array::c_style>& vectors, bool binary,
                          bool newline) {
  if (vectors.ndim() != 2) throw py::value_error("vectors must be 2-dimensional");
  const int64_t rows = vectors.shape(0), dim = vectors.shape(1);
  if (static_cast<std::size_t>(rows) != words.size())
    throw py::value_error("need one word per vector row");
  std::vector<std::string_view> views(words.begin(), words.end());
  std::string out;
  {
    py::gil_scoped_release nogil;
    fe::format_w2v_rows(views, vectors.data(), rows, dim, dim, binary, newline, &out);
  }
  return py::bytes(out);
}

}  // namespace

void bind_io(py::module_& m) {
  py::tuple bases = py::make_tuple(py::handle(PyExc_ValueError), py::handle(PyExc_EOFError));
  truncated_error = PyErr_NewExceptionWithDoc(
      "fastembed._core.TruncatedFileError",
      "The file ends before the data its header declares (a ValueError and an EOFError).",
      bases.ptr(), nullptr);
  if (!truncated_error) throw py::error_already_set();
  m.add_object("TruncatedFileError", py::handle(truncated_error));

  m.def("parse_word2vec", &parse_word2vec, py::arg("buffer"), py::arg("binary"),
        py::arg("no_header"), py::arg("limit"), py::arg("threads"),
        "Parse a word2vec file held in a byte buffer -> (vectors, offsets, lengths, declared).");
  m.def("decode_words", &decode_words, py::arg("buffer"), py::arg("offsets"), py::arg("lengths"),
        py::arg("encoding"), py::arg("errors"),
        "Decode word spans -> (list of str, -1) or (None, index of the undecodable word).");
  m.def("format_word2vec", &format_word2vec, py::arg("words"), py::arg("vectors"),
        py::arg("binary"), py::arg("newline"), "Format rows as word2vec records -> bytes.");
}
