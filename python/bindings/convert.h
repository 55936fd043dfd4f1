// Conversions shared by the binding files: numpy counts, UTF-8 words, batches of sentences.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fe_bind {

namespace py = pybind11;

inline std::vector<uint64_t> to_counts(py::array_t<int64_t, py::array::c_style | py::array::forcecast> a) {
  std::vector<uint64_t> out(static_cast<size_t>(a.size()));
  auto r = a.unchecked<1>();
  for (py::ssize_t i = 0; i < a.size(); ++i) {
    if (r(i) < 0) throw py::value_error("word counts must not be negative");
    out[static_cast<size_t>(i)] = static_cast<uint64_t>(r(i));
  }
  return out;
}

inline py::str to_str(std::string_view w) {
  // Words are valid UTF-8 after normalisation; 'replace' guards words built elsewhere.
  PyObject* o = PyUnicode_DecodeUTF8(w.data(), static_cast<py::ssize_t>(w.size()), "replace");
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

// The UTF-8 bytes of a word of the corpus (no copy: CPython caches them): a str that has no UTF-8 form (a lone surrogate, as
// os.fsdecode leaves for undecodable bytes) raises UnicodeEncodeError naming where it is.
inline std::string_view word_view(PyObject* w, py::ssize_t j, uint64_t sentence) {
  py::ssize_t n;
  if (const char* p = PyUnicode_AsUTF8AndSize(w, &n)) return std::string_view(p, static_cast<size_t>(n));
  if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) throw py::error_already_set();
  py::error_already_set err;  // takes the pending exception
  py::object e = err.value();
  std::string reason = py::str(e.attr("reason"));
  reason += " (word " + std::to_string(j) + " of sentence " + std::to_string(sentence) + " of the corpus)";
  py::object again = py::reinterpret_borrow<py::object>(PyExc_UnicodeEncodeError)(
      e.attr("encoding"), e.attr("object"), e.attr("start"), e.attr("end"), reason);
  PyErr_SetObject(PyExc_UnicodeEncodeError, again.ptr());
  throw py::error_already_set();
}

// Walks a batch of sentences (each a list/tuple of str), calling on_word / on_end; positions in
// errors count from `offset`, the index of the batch's first sentence in the corpus.
template <class OnWord, class OnEnd>
void walk_sentences(py::handle batch, uint64_t offset, OnWord&& on_word, OnEnd&& on_end) {
  py::sequence seq = py::reinterpret_borrow<py::sequence>(batch);
  const size_t n = seq.size();
  for (size_t i = 0; i < n; ++i) {
    py::object s = seq[i];
    if (PyUnicode_Check(s.ptr()) || PyBytes_Check(s.ptr()))
      throw py::type_error("sentence " + std::to_string(offset + i) + " is a " +
                           std::string(Py_TYPE(s.ptr())->tp_name) +
                           ", not a list of str words (split it into words first, e.g. line.split())");
    PyObject* fast = PySequence_Fast(s.ptr(), "");
    if (!fast) {
      if (!PyErr_ExceptionMatches(PyExc_TypeError)) throw py::error_already_set();  // the sentence's own error
      PyErr_Clear();
      throw py::type_error("sentence " + std::to_string(offset + i) + " is a " +
                           std::string(Py_TYPE(s.ptr())->tp_name) + ", not a list of str words");
    }
    py::object hold = py::reinterpret_steal<py::object>(fast);
    const py::ssize_t len = PySequence_Fast_GET_SIZE(fast);
    PyObject** items = PySequence_Fast_ITEMS(fast);
    for (py::ssize_t j = 0; j < len; ++j) {
      PyObject* w = items[j];
      if (!PyUnicode_Check(w))
        throw py::type_error("word " + std::to_string(j) + " of sentence " + std::to_string(offset + i) +
                             " is a " + std::string(Py_TYPE(w)->tp_name) + ", not a str");
      on_word(word_view(w, j, offset + i));
    }
    on_end();
  }
}

}  // namespace fe_bind
