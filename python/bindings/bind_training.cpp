// Bindings for vocabulary building, sampling tables, SIMD kernels and the trainer.
// Conversions only: the work is in cpp/.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <system_error>
#include <thread>

#include "corpus_count.h"
#include "huffman.h"
#include "model_init.h"
#include "rng.h"
#include "sampling.h"
#include "simd_dispatch.h"
#include "trainer.h"
#include "vocab.h"

namespace py = pybind11;
using namespace fe;

namespace {

Utf8Policy parse_policy(const std::string& s) {
  if (s == "replace") return Utf8Policy::Replace;
  if (s == "ignore") return Utf8Policy::Ignore;
  if (s == "strict") return Utf8Policy::Strict;
  throw py::value_error("unicode_errors must be 'replace', 'ignore' or 'strict', not '" + s + "'");
}

std::vector<uint64_t> to_counts(py::array_t<int64_t, py::array::c_style | py::array::forcecast> a) {
  std::vector<uint64_t> out(static_cast<size_t>(a.size()));
  auto r = a.unchecked<1>();
  for (py::ssize_t i = 0; i < a.size(); ++i) {
    if (r(i) < 0) throw py::value_error("word counts must not be negative");
    out[static_cast<size_t>(i)] = static_cast<uint64_t>(r(i));
  }
  return out;
}

py::str to_str(std::string_view w) {
  // Words are valid UTF-8 after normalisation; 'replace' guards words built elsewhere.
  PyObject* o = PyUnicode_DecodeUTF8(w.data(), static_cast<py::ssize_t>(w.size()), "replace");
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

// The UTF-8 bytes of a Python str (no copy: CPython caches them).
std::string_view str_view(PyObject* o) {
  py::ssize_t n;
  const char* p = PyUnicode_AsUTF8AndSize(o, &n);
  if (!p) throw py::error_already_set();
  return std::string_view(p, static_cast<size_t>(n));
}

// str_view for a word of the corpus: a str that has no UTF-8 form (a lone surrogate, as
// os.fsdecode leaves for undecodable bytes) raises UnicodeEncodeError naming where it is.
std::string_view word_view(PyObject* w, py::ssize_t j, uint64_t sentence) {
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

// Runs fn on a helper thread while the calling thread keeps the interpreter responsive: it
// waits without the GIL, checks for Ctrl-C and calls `progress` about once a second.
template <class Fn>
void run_interruptible(Fn&& fn, std::atomic<bool>& stop, py::object progress, std::atomic<uint64_t>& done) {
  std::exception_ptr err;
  std::atomic<bool> finished{false};
  std::thread t([&] {
    try {
      fn();
    } catch (...) {
      err = std::current_exception();
    }
    finished.store(true);
  });
  auto last = std::chrono::steady_clock::now();
  try {
    while (!finished.load()) {
      {
        py::gil_scoped_release nogil;
        for (int i = 0; i < 20 && !finished.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      auto now = std::chrono::steady_clock::now();
      if (!progress.is_none() && now - last >= std::chrono::seconds(1)) {
        last = now;
        progress(done.load());
      }
    }
  } catch (...) {
    stop.store(true);
    {
      py::gil_scoped_release nogil;
      t.join();
    }
    throw;
  }
  t.join();
  if (err) std::rethrow_exception(err);
}

struct PyTrainer {
  std::unique_ptr<Trainer> trainer;
  py::object vocab_ref;  // keeps the vocabulary alive while the trainer refers to it
  const Vocab* vocab = nullptr;
  py::object syn0, syn1neg, syn1;

  // Retries a blocking hand-over in short waits so Ctrl-C is seen promptly.
  template <class Fn>
  void retry(Fn&& fn) {
    for (;;) {
      Trainer::Push r;
      {
        py::gil_scoped_release nogil;
        r = fn();
      }
      if (r == Trainer::Push::Done || r == Trainer::Push::Stopped) return;
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    }
  }
};

float* matrix_ptr(py::object arr, size_t rows, int stride, const char* name) {
  if (arr.is_none()) return nullptr;
  auto a = py::reinterpret_borrow<py::array>(arr);
  if (!a.dtype().is(py::dtype::of<float>()) || a.ndim() != 2 || !(a.flags() & py::array::c_style) ||
      !a.writeable())
    throw py::value_error(std::string(name) + " must be a writeable C-contiguous float32 matrix");
  if (static_cast<size_t>(a.shape(0)) < rows || a.shape(1) != stride)
    throw py::value_error(std::string(name) + " has the wrong shape");
  if (reinterpret_cast<uintptr_t>(a.data()) % 64)
    throw py::value_error(std::string(name) + " must be 64-byte aligned");
  return static_cast<float*>(a.mutable_data());
}

}  // namespace

void bind_training(py::module_& m) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const std::system_error& e) {
      // OSError picks the subclass from errno (ENOENT -> FileNotFoundError, ...).
      py::object err = py::module_::import("builtins").attr("OSError")(e.code().value(), e.what());
      PyErr_SetObject(PyExc_OSError, err.ptr());
    }
  });

  py::class_<Vocab, std::shared_ptr<Vocab>>(m, "Vocab")
      .def(py::init([](const std::vector<std::string>& words, py::array_t<int64_t> counts) {
             std::vector<std::string_view> views(words.begin(), words.end());
             return std::make_shared<Vocab>(make_vocab(views, to_counts(counts)));
           }),
           py::arg("words"), py::arg("counts"))
      .def("__len__", &Vocab::size)
      .def("words", [](const Vocab& v) {
        py::list out(v.size());
        for (size_t i = 0; i < v.size(); ++i) out[i] = to_str(v.words.word(i));
        return out;
      })
      .def("counts", [](const Vocab& v) {
        py::array_t<int64_t> out(static_cast<py::ssize_t>(v.size()));
        auto w = out.mutable_unchecked<1>();
        for (size_t i = 0; i < v.size(); ++i) w(static_cast<py::ssize_t>(i)) = static_cast<int64_t>(v.counts[i]);
        return out;
      })
      .def("total", &Vocab::total)
      .def("find", [](const Vocab& v, const std::string& w) { return v.find(w); });

  py::class_<CorpusCounter>(m, "CorpusCounter")
      .def(py::init([](uint64_t max_vocab_size, const std::string& unicode_errors, bool newline_ends,
                       uint64_t max_sentence_words) {
             return std::make_unique<CorpusCounter>(max_vocab_size, parse_policy(unicode_errors),
                                                    SentenceRule{newline_ends, max_sentence_words});
           }),
           py::arg("max_vocab_size") = 0, py::arg("unicode_errors") = "replace", py::arg("newline_ends") = true,
           py::arg("max_sentence_words") = 0)
      .def(
          "count_file",
          [](CorpusCounter& c, const std::string& path, py::object progress, int threads, uint64_t min_range_bytes) {
            if (threads < 1) throw py::value_error("threads must be at least 1");
            std::atomic<bool> stop{false};
            std::atomic<uint64_t> done{0};
            run_interruptible([&] { c.count_file(path, &done, &stop, threads, min_range_bytes); }, stop, progress, done);
          },
          py::arg("path"), py::arg("progress") = py::none(), py::arg("threads") = 1,
          py::arg("min_range_bytes") = uint64_t{1} << 20,
          "Counts a plain text file, with up to `threads` threads over byte ranges of at least "
          "min_range_bytes; progress(bytes_read) is called about once a second.")
      .def("feed",
           [](CorpusCounter& c, py::bytes data) {
             std::string_view v = data;
             py::gil_scoped_release nogil;
             c.feed(v.data(), v.size());
           })
      .def("finish", &CorpusCounter::finish)
      .def(
          "add_sentences",
          [](CorpusCounter& c, py::handle batch, uint64_t offset) {
            walk_sentences(
                batch, offset,
                [&](std::string_view w) {
                  bool high = false;
                  for (unsigned char ch : w) high |= ch >= 0x80;
                  c.add_word(w, high);
                },
                [&] { c.end_sentence(); });
          },
          py::arg("batch"), py::arg("offset") = 0)
      .def("add_count", [](CorpusCounter& c, const std::string& w, uint64_t n) { c.add_word_count(w, n); })
      .def_property_readonly("total_words", [](const CorpusCounter& c) { return c.counter().total_words(); })
      .def_property_readonly("sentences", [](const CorpusCounter& c) { return c.counter().sentences(); })
      .def_property_readonly("num_words", [](const CorpusCounter& c) { return c.counter().size(); })
      .def_property_readonly("min_reduce", [](const CorpusCounter& c) { return c.counter().min_reduce(); })
      .def(
          "effective_min_count",
          [](const CorpusCounter& c, uint64_t min_count, uint64_t max_final_vocab) {
            return effective_min_count(c.counter().counts(), VocabFilter{min_count, max_final_vocab, true});
          },
          py::arg("min_count"), py::arg("max_final_vocab") = 0)
      .def(
          "finalize",
          [](const CorpusCounter& c, uint64_t min_count, uint64_t max_final_vocab, bool sorted) {
            return std::make_shared<Vocab>(finalize_vocab(c.counter(), VocabFilter{min_count, max_final_vocab, sorted}));
          },
          py::arg("min_count"), py::arg("max_final_vocab") = 0, py::arg("sorted") = true);

  py::class_<PyTrainer>(m, "Trainer")
      .def(py::init([](py::object vocab_obj, py::dict cfg, py::object syn0, py::object syn1neg, py::object syn1) {
             auto pt = std::make_unique<PyTrainer>();
             const Vocab& vocab = *vocab_obj.cast<std::shared_ptr<Vocab>>();
             TrainConfig c;
             c.sg = cfg["sg"].cast<bool>();
             c.hs = cfg["hs"].cast<bool>();
             c.negative = cfg["negative"].cast<int>();
             c.window = cfg["window"].cast<int>();
             c.workers = cfg["workers"].cast<int>();
             c.shrink_windows = cfg["shrink_windows"].cast<bool>();
             c.cbow_mean = cfg["cbow_mean"].cast<bool>();
             c.shared_negatives = cfg["shared_negatives"].cast<bool>();
             c.compute_loss = cfg["compute_loss"].cast<bool>();
             c.exact_sigmoid = cfg["exact_sigmoid"].cast<bool>();
             c.sample = cfg["sample"].cast<double>();
             c.ns_exponent = cfg["ns_exponent"].cast<double>();
             c.alpha = cfg["alpha"].cast<double>();
             c.min_alpha = cfg["min_alpha"].cast<double>();
             c.seed = cfg["seed"].cast<uint64_t>();
             c.expected_words = cfg["expected_words"].cast<uint64_t>();
             c.utf8 = parse_policy(cfg["unicode_errors"].cast<std::string>());
             if (cfg.contains("file_chunk_bytes")) c.file_chunk_bytes = cfg["file_chunk_bytes"].cast<uint64_t>();
             Matrices mats;
             mats.rows = vocab.size();
             auto s0 = py::reinterpret_borrow<py::array>(syn0);
             if (s0.ndim() != 2) throw py::value_error("syn0 must be a matrix");
             mats.stride = static_cast<int>(s0.shape(1));
             mats.syn0 = matrix_ptr(syn0, mats.rows, mats.stride, "syn0");
             mats.syn1neg = matrix_ptr(syn1neg, mats.rows, mats.stride, "syn1neg");
             mats.syn1 = matrix_ptr(syn1, mats.rows ? mats.rows - 1 : 0, mats.stride, "syn1");
             pt->trainer = std::make_unique<Trainer>(vocab, c, mats);
             pt->vocab_ref = vocab_obj;
             pt->vocab = &vocab;
             pt->syn0 = syn0;
             pt->syn1neg = syn1neg;
             pt->syn1 = syn1;
             return pt;
           }),
           py::arg("vocab"), py::arg("config"), py::arg("syn0"), py::arg("syn1neg"), py::arg("syn1"))
      .def("start_file_epoch", [](PyTrainer& t, const std::string& path) { t.trainer->start_file_epoch(path); })
      .def(
          "start_stream_epoch",
          [](PyTrainer& t, bool newline_ends, uint64_t max_sentence_words) {
            t.trainer->start_stream_epoch(SentenceRule{newline_ends, max_sentence_words});
          },
          py::arg("newline_ends") = true, py::arg("max_sentence_words") = 0)
      .def(
          "push_sentences",
          [](PyTrainer& t, py::handle batch, uint64_t offset) {
            Trainer& tr = *t.trainer;
            Job job;
            walk_sentences(
                batch, offset,
                [&](std::string_view w) {
                  // A Python str's UTF-8 is valid already: look it up as it is.
                  int64_t found = t.vocab->find(w);
                  if (found >= 0) job.ids.push_back(static_cast<int32_t>(found));
                },
                [&] { job.end_sentence(); });
            if (job.ids.empty()) return;
            t.retry([&] { return tr.push(job, 0.1); });
          },
          py::arg("batch"), py::arg("offset") = 0)
      .def("feed_bytes",
           [](PyTrainer& t, py::bytes data) {
             std::string_view v = data;
             {
               py::gil_scoped_release nogil;
               t.trainer->feed_bytes(v.data(), v.size());
             }
             t.retry([&] { return t.trainer->drain(0.1); });
           })
      .def("finish_bytes",
           [](PyTrainer& t) {
             t.trainer->finish_bytes();
             t.retry([&] { return t.trainer->drain(0.1); });
           })
      .def("close_stream", [](PyTrainer& t) { t.trainer->close_stream(); })
      .def(
          "wait",
          [](PyTrainer& t, double timeout) {
            py::gil_scoped_release nogil;
            return t.trainer->wait(timeout);
          },
          py::arg("timeout"))
      .def("finish_epoch",
           [](PyTrainer& t) {
             EpochStats s;
             {
               py::gil_scoped_release nogil;
               s = t.trainer->finish_epoch();
             }
             py::dict d;
             d["words"] = s.words;
             d["kept"] = s.kept;
             d["loss"] = s.loss;
             d["examples"] = s.examples;
             return d;
           })
      .def("stop", [](PyTrainer& t) { t.trainer->stop(); })
      .def_property_readonly("stopped", [](PyTrainer& t) { return t.trainer->stopped(); })
      .def_property_readonly("words_done", [](PyTrainer& t) { return t.trainer->words_done(); })
      .def_property_readonly("alpha", [](PyTrainer& t) { return t.trainer->alpha(); })
      .def_property_readonly("epoch_loss", [](PyTrainer& t) { return t.trainer->epoch_loss(); })
      .def_property_readonly("kernel", [](PyTrainer& t) { return std::string(t.trainer->kernel_name()); });

  m.def(
      "init_input_vectors",
      [](py::array_t<float, py::array::c_style> syn0, const Vocab& vocab, int dim, uint64_t seed) {
        if (syn0.ndim() != 2 || static_cast<size_t>(syn0.shape(0)) < vocab.size() || syn0.shape(1) < dim)
          throw py::value_error("syn0 has the wrong shape");
        init_input_vectors(syn0.mutable_data(), vocab, dim, static_cast<int>(syn0.shape(1)), seed);
      },
      py::arg("syn0"), py::arg("vocab"), py::arg("dim"), py::arg("seed"));

  // Formulas and tables, exposed for the tests.
  m.def("keep_probabilities", [](py::array_t<int64_t> counts, double sample) {
    return keep_probabilities(to_counts(counts), sample);
  });
  m.def("alias_probabilities", [](py::array_t<int64_t> counts, double power) {
    return AliasTable(to_counts(counts), power).probabilities();
  });
  m.def("alias_draws", [](py::array_t<int64_t> counts, double power, uint64_t n, uint64_t seed) {
    AliasTable t(to_counts(counts), power);
    std::vector<uint64_t> hist(t.size(), 0);
    Rng rng(seed);
    for (uint64_t i = 0; i < n; ++i) ++hist[t.sample(rng)];
    return hist;
  });
  m.def("huffman_paths", [](py::array_t<int64_t> counts) {
    HuffmanTree t = build_huffman(to_counts(counts));
    py::list codes, points;
    for (size_t w = 0; w + 1 < t.offsets.size(); ++w) {
      std::vector<int> c(t.codes.begin() + t.offsets[w], t.codes.begin() + t.offsets[w + 1]);
      std::vector<int> p(t.points.begin() + t.offsets[w], t.points.begin() + t.offsets[w + 1]);
      codes.append(py::cast(c));
      points.append(py::cast(p));
    }
    return py::make_tuple(codes, points);
  });
  m.def("window_radii", [](int window, uint64_t n, uint64_t seed) {
    // The kernels' draw: window - below(window), uniform in [1, window].
    Rng rng(seed);
    std::vector<uint64_t> hist(static_cast<size_t>(window) + 1, 0);
    for (uint64_t i = 0; i < n; ++i) ++hist[static_cast<size_t>(window) - rng.below(static_cast<uint32_t>(window))];
    return hist;
  });

  m.def(
      "chunk_words",
      [](const std::string& path, uint64_t chunk_bytes) {
        // Every word as the file-mode workers read it, chunk by chunk (for the tests).
        FileChunks chunks(path, chunk_bytes);
        ChunkReader reader(path);
        std::string buf;
        py::list out;
        for (uint64_t c = 0; c < chunks.count(); ++c) {
          reader.read(chunks, c, buf);
          tokenize(buf.data(), buf.data() + buf.size(), true,
                   [&](std::string_view w, bool) { out.append(to_str(w)); }, [] {});
        }
        return out;
      },
      py::arg("path"), py::arg("chunk_bytes"));

  m.def(
      "stream_pieces",
      [](const std::vector<std::vector<py::bytes>>& files, bool newline_ends, uint64_t max_words, size_t piece_bytes) {
        // The sentences the stream-mode workers see, piece by piece (for the tests): files of
        // byte blocks go through the trainer's cutter, each piece through its tokeniser.
        StreamCutter cutter(SentenceRule{newline_ends, max_words}, piece_bytes);
        py::list pieces;
        auto on_piece = [&](std::string&& text, uint64_t sentence_words) {
          py::list sentences, current;
          tokenize_piece(
              text, sentence_words, cutter.rule(), [&](std::string_view w, bool) { current.append(to_str(w)); },
              [&] {
                if (py::len(current)) sentences.append(current);
                current = py::list();
              });
          pieces.append(sentences);
        };
        for (const auto& blocks : files) {
          for (const auto& b : blocks) {
            std::string_view v = b;
            cutter.feed(v.data(), v.size(), on_piece);
          }
          cutter.finish(on_piece);
        }
        return pieces;
      },
      py::arg("files"), py::arg("newline_ends"), py::arg("max_words"), py::arg("piece_bytes"));

  m.def("available_kernels", &available_kernels);
  m.def("active_kernels", [] { return std::string(active_kernels().name); });
  m.def("set_kernels", &set_kernels, py::arg("name"));
  m.def("kernel_dot", [](const std::string& name, py::array_t<float, py::array::c_style> a, py::array_t<float, py::array::c_style> b) {
    const KernelSet& k = kernels_by_name(name);
    if (a.size() != b.size() || a.size() % 16) throw py::value_error("lengths must match and be a multiple of 16");
    auto pa = aligned_array<float>(a.size()), pb = aligned_array<float>(b.size());
    std::copy(a.data(), a.data() + a.size(), pa.get());
    std::copy(b.data(), b.data() + b.size(), pb.get());
    return k.dot(pa.get(), pb.get(), static_cast<int>(a.size()));
  });
  m.def("kernel_merge_hot", [](const std::string& name, py::array_t<float, py::array::c_style> syn1,
                               py::array_t<float, py::array::c_style> own, py::array_t<float, py::array::c_style> snap,
                               int begin) {
    // One merge of a thread's copy of the hot syn1 rows [begin, begin + rows of own) (for the
    // tests): returns syn1, the copy and the snapshot afterwards.
    const KernelSet& k = kernels_by_name(name);
    if (syn1.ndim() != 2 || own.ndim() != 2 || snap.ndim() != 2 || own.shape(1) != syn1.shape(1) ||
        snap.shape(0) != own.shape(0) || snap.shape(1) != own.shape(1) || syn1.shape(1) % 16 || begin < 0 ||
        begin + own.shape(0) > syn1.shape(0))
      throw py::value_error("expected syn1 [rows, stride % 16 == 0] and own/snap [hot rows, stride] inside it");
    const size_t st = static_cast<size_t>(syn1.shape(1));
    auto a = aligned_array<float>(syn1.size()), o = aligned_array<float>(own.size()), n = aligned_array<float>(own.size());
    std::copy(syn1.data(), syn1.data() + syn1.size(), a.get());
    std::copy(own.data(), own.data() + own.size(), o.get());
    std::copy(snap.data(), snap.data() + snap.size(), n.get());
    KernelModel km{};
    km.syn1 = a.get();
    km.stride = static_cast<int>(st);
    km.hot_begin = begin;
    km.hot_rows = static_cast<int>(own.shape(0));
    KernelScratch ks{};
    ks.hot = o.get();
    ks.hot_snap = n.get();
    k.merge_hot(km, ks);
    auto out = [](const float* p, py::ssize_t rows, py::ssize_t cols) {
      py::array_t<float> r({rows, cols});
      std::copy(p, p + rows * cols, r.mutable_data());
      return r;
    };
    return py::make_tuple(out(a.get(), syn1.shape(0), syn1.shape(1)), out(o.get(), own.shape(0), own.shape(1)),
                          out(n.get(), own.shape(0), own.shape(1)));
  });
  m.def("kernel_negatives",
        [](const std::string& name, py::array_t<int64_t> counts, double power, int negative,
           py::array_t<int32_t, py::array::c_style> centres, int rounds, bool ahead, uint64_t seed) {
          // hist[c, v]: how often word v was drawn as a negative for centre word c, over
          // `rounds` passes through `centres` (a test hook for the kernels' negative draws).
          const KernelSet& k = kernels_by_name(name);
          AliasTable t(to_counts(counts), power);
          const py::ssize_t n = static_cast<py::ssize_t>(t.size());
          if (negative < 1 || rounds < 0) throw py::value_error("negative must be >= 1 and rounds >= 0");
          for (py::ssize_t i = 0; i < centres.size(); ++i)
            if (centres.data()[i] < 0 || centres.data()[i] >= n) throw py::value_error("centre word out of range");
          KernelModel km{};
          km.alias_cells = t.cells_data();
          km.vocab_size = static_cast<uint32_t>(n);
          km.negative = negative;
          km.stride = 16;
          std::vector<float> row(16 * static_cast<size_t>(n) + 16);  // prefetch targets only
          float* base = row.data();
          km.syn1neg = base;
          std::vector<int32_t> outputs(static_cast<size_t>(negative) + 1), ahead_buf(kNegativesAhead * static_cast<size_t>(negative));
          std::vector<float> labels(outputs.size());
          KernelScratch ks{};
          ks.rng = splitmix64(seed) | 1;
          ks.outputs = outputs.data();
          ks.labels = labels.data();
          ks.ahead = ahead_buf.data();
          py::array_t<int64_t> hist({n, n});
          std::fill(hist.mutable_data(), hist.mutable_data() + hist.size(), 0);
          int64_t* h = hist.mutable_data();
          for (int r = 0; r < rounds; ++r)
            for (py::ssize_t i = 0; i < centres.size(); ++i) {
              const int32_t c = centres.data()[i];
              const int got = k.negatives_for(km, ks, c, ahead ? 1 : 0);
              for (int j = 0; j < got; ++j) ++h[c * n + outputs[j]];
            }
          return hist;
        },
        py::arg("name"), py::arg("counts"), py::arg("power"), py::arg("negative"), py::arg("centres"),
        py::arg("rounds"), py::arg("ahead"), py::arg("seed"));
  m.def("kernel_axpy", [](const std::string& name, float alpha, py::array_t<float, py::array::c_style> x, py::array_t<float, py::array::c_style> y) {
    const KernelSet& k = kernels_by_name(name);
    if (x.size() != y.size() || x.size() % 16) throw py::value_error("lengths must match and be a multiple of 16");
    auto px = aligned_array<float>(x.size()), py_ = aligned_array<float>(y.size());
    std::copy(x.data(), x.data() + x.size(), px.get());
    std::copy(y.data(), y.data() + y.size(), py_.get());
    k.axpy(alpha, px.get(), py_.get(), static_cast<int>(x.size()));
    return std::vector<float>(py_.get(), py_.get() + y.size());
  });
}
