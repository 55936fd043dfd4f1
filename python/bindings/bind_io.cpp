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

// "<count> <dim>\n" at the start of the buffer -> (count, dim, offset of the first record).
py::tuple parse_word2vec_header(const py::buffer& buf) {
  py::buffer_info info;
  const Buffer b = view_of(buf, &info);
  fe::W2VHeader h;
  fe::W2VStatus s = fe::parse_w2v_header(b.data, b.size, &h);
  if (!s.ok()) raise_status(s);
  return py::make_tuple(h.count, h.dim, h.body_offset);
}

// Number of values on the first line of a header-less text file (gensim's no_header rule).
int64_t first_line_dims(const py::buffer& buf) {
  py::buffer_info info;
  const Buffer b = view_of(buf, &info);
  int64_t count = 0, dim = 0;
  fe::W2VStatus s = fe::scan_w2v_text(b.data, b.size, 1, &count, &dim);
  if (!s.ok()) raise_status(s);
  return dim;
}

// Parses up to len(out) records starting at byte `offset` into `out` (float32 [rows, dim], C
// order) -> (offset after the records read, records read, word offsets, word lengths).
// `partial`: stop quietly at an incomplete record instead of reporting a truncated file.
py::tuple parse_word2vec_records(const py::buffer& buf, bool binary, std::size_t offset,
                                 py::array_t<float, py::array::c_style> out, int64_t first_number,
                                 int threads, bool partial) {
  py::buffer_info info;
  const Buffer b = view_of(buf, &info);
  if (out.ndim() != 2) throw py::value_error("out must be 2-dimensional");
  if (offset > b.size) throw py::value_error("offset beyond the buffer");
  const int64_t rows = out.shape(0), dim = out.shape(1);
  float* dst = out.mutable_data();
  fe::W2VWords words;
  fe::W2VStatus s;
  std::size_t end = offset;
  int64_t parsed = 0;
  {
    py::gil_scoped_release nogil;
    s = binary ? fe::parse_w2v_binary(b.data, b.size, offset, rows, dim, dst, &words, first_number,
                                      partial, &parsed, &end)
               : fe::parse_w2v_text(b.data, b.size, offset, rows, dim, dst, &words, first_number,
                                    threads, partial, &parsed, &end);
  }
  if (!s.ok()) raise_status(s);
  return py::make_tuple(end, parsed, to_array(std::move(words.offsets)),
                        to_array(std::move(words.lengths)));
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

// {keys[i]: i} built with the dict sized up front: ~25% faster than dict(zip(keys, range(n)))
// for the 400,000 keys of a large vector file (later repeats of a key overwrite earlier ones).
py::dict index_dict(const py::list& keys) {
  const Py_ssize_t n = PyList_GET_SIZE(keys.ptr());
#if PY_VERSION_HEX < 0x030D0000
  PyObject* raw = _PyDict_NewPresized(n);
#else
  PyObject* raw = PyDict_New();
#endif
  if (!raw) throw py::error_already_set();
  py::dict d = py::reinterpret_steal<py::dict>(raw);
  for (Py_ssize_t i = 0; i < n; ++i) {
    py::object value = py::reinterpret_steal<py::object>(PyLong_FromSsize_t(i));
    if (!value || PyDict_SetItem(d.ptr(), PyList_GET_ITEM(keys.ptr(), i), value.ptr()) < 0)
      throw py::error_already_set();
  }
  return d;
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

  m.def("parse_word2vec_header", &parse_word2vec_header, py::arg("buffer"),
        "Parse the '<count> <dim>' header line -> (count, dim, offset of the first record).");
  m.def("first_line_dims", &first_line_dims, py::arg("buffer"),
        "Number of values on the first line of a header-less text file.");
  m.def("max_word2vec_records", &fe::w2v_max_records, py::arg("body_bytes"), py::arg("dim"),
        py::arg("binary"), "Most records that body_bytes bytes can hold.");
  m.def("parse_word2vec_records", &parse_word2vec_records, py::arg("buffer"), py::arg("binary"),
        py::arg("offset"), py::arg("out").noconvert(), py::arg("first_number"), py::arg("threads"),
        py::arg("partial"),
        "Parse up to len(out) records into out -> (end offset, records read, word offsets, lengths).");
  m.def("index_dict", &index_dict, py::arg("keys"), "{keys[i]: i for i in range(len(keys))}.");
  m.def("decode_words", &decode_words, py::arg("buffer"), py::arg("offsets"), py::arg("lengths"),
        py::arg("encoding"), py::arg("errors"),
        "Decode word spans -> (list of str, -1) or (None, index of the undecodable word).");
  m.def("format_word2vec", &format_word2vec, py::arg("words"), py::arg("vectors"),
        py::arg("binary"), py::arg("newline"), "Format rows as word2vec records -> bytes.");
}
