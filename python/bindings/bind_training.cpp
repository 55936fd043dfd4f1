// Bindings for vocabulary building, the typed training config and the trainer.  Conversions
// only: the work is in cpp/.  Test-only probes of the tables and kernels are in bind_probes.cpp.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cmath>
#include <system_error>

#include "convert.h"
#include "corpus_count.h"
#include "input_rows.h"
#include "interruptible.h"
#include "model_init.h"
#include "simd_dispatch.h"
#include "trainer.h"
#include "vocab.h"

namespace py = pybind11;
using namespace fe;
using namespace fe_bind;

namespace {

struct PyTrainer {
  std::unique_ptr<Trainer> trainer;
  const Vocab* vocab = nullptr;
  // Everything the trainer points into, kept alive while it lives.
  py::object vocab_ref, syn0, syn1neg, syn1, input_ref, lockf, doc0, doc_lockf;
  size_t doc_rows = 0;
  int max_tags = 0;

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

const float* lockf_ptr(py::object arr, size_t rows) {
  if (arr.is_none()) return nullptr;
  auto a = py::reinterpret_borrow<py::array>(arr);
  if (!a.dtype().is(py::dtype::of<float>()) || a.ndim() != 1 || !(a.flags() & py::array::c_style) ||
      static_cast<size_t>(a.shape(0)) != rows)
    throw py::value_error("lockf must be a C-contiguous float32 vector with one factor per input row (" +
                          std::to_string(rows) + ")");
  const float* p = static_cast<const float*>(a.data());
  for (size_t i = 0; i < rows; ++i)
    if (!std::isfinite(p[i])) throw py::value_error("lockf[" + std::to_string(i) + "] is not finite");
  return p;
}

template <class T>
std::vector<T> to_vector(py::array_t<T, py::array::c_style | py::array::forcecast> a) {
  if (a.ndim() != 1) throw py::value_error("expected a one-dimensional array");
  return std::vector<T>(a.data(), a.data() + a.size());
}

}  // namespace

void bind_training(py::module_& m) {
  py::register_exception<TrainingDiverged>(m, "TrainingDivergedError", PyExc_FloatingPointError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const std::system_error& e) {
      // OSError picks the subclass from errno (ENOENT -> FileNotFoundError, ...).
      py::object err = py::module_::import("builtins").attr("OSError")(e.code().value(), e.what());
      PyErr_SetObject(PyExc_OSError, err.ptr());
    }
  });

  py::enum_<Utf8Policy>(m, "Utf8Policy", "How bytes that are not UTF-8 in a corpus are decoded")
      .value("REPLACE", Utf8Policy::Replace)
      .value("IGNORE", Utf8Policy::Ignore)
      .value("STRICT", Utf8Policy::Strict);

  py::enum_<Arch>(m, "Arch", "How a centre word and its context are trained")
      .value("SKIPGRAM_SHARED", Arch::SkipGramShared, "skip-gram, one draw of outputs per centre word")
      .value("SKIPGRAM_PER_PAIR", Arch::SkipGramPerPair, "skip-gram, fresh negatives per pair (the C tool)")
      .value("CBOW", Arch::Cbow, "continuous bag of words")
      .value("PV_DBOW", Arch::PvDbow, "document tags predict their words (Doc2Vec dm=0)")
      .value("PV_DM", Arch::PvDm, "CBOW with the document's tags among the inputs (Doc2Vec dm=1)")
      .value("SKIPGRAM_CENTRE", Arch::SkipGramCentre,
             "skip-gram with the centre word as the input (fastText's orientation), fresh negatives per pair");

  py::class_<KernelSettings>(m, "KernelSettings", "The settings the SIMD kernels read")
      .def(py::init<>())
      .def_readwrite("arch", &KernelSettings::arch)
      .def_readwrite("hs", &KernelSettings::hs)
      .def_readwrite("negative", &KernelSettings::negative)
      .def_readwrite("window", &KernelSettings::window)
      .def_readwrite("shrink_windows", &KernelSettings::shrink_windows)
      .def_readwrite("cbow_mean", &KernelSettings::cbow_mean)
      .def_readwrite("compute_loss", &KernelSettings::compute_loss)
      .def_readwrite("exact_sigmoid", &KernelSettings::exact_sigmoid)
      .def_readwrite("train_outputs", &KernelSettings::train_outputs)
      .def_readwrite("dbow_words", &KernelSettings::dbow_words);

  py::class_<TrainConfig, KernelSettings>(m, "TrainConfig", "One training run's configuration")
      .def(py::init<>())
      .def_readwrite("workers", &TrainConfig::workers)
      .def_readwrite("sample", &TrainConfig::sample)
      .def_readwrite("ns_exponent", &TrainConfig::ns_exponent)
      .def_readwrite("alpha", &TrainConfig::alpha)
      .def_readwrite("min_alpha", &TrainConfig::min_alpha)
      .def_readwrite("seed", &TrainConfig::seed)
      .def_readwrite("expected_words", &TrainConfig::expected_words)
      .def_readwrite("unicode_errors", &TrainConfig::utf8)
      .def_readwrite("file_chunk_bytes", &TrainConfig::file_chunk_bytes)
      .def_readwrite("max_tags", &TrainConfig::max_tags);

  py::class_<EpochStats>(m, "EpochStats", "What one epoch trained")
      .def_readonly("words", &EpochStats::words)
      .def_readonly("kept", &EpochStats::kept)
      .def_readonly("loss", &EpochStats::loss)
      .def_readonly("examples", &EpochStats::examples);

  py::class_<InputRowTable, std::shared_ptr<InputRowTable>>(
      m, "InputRowTable", "Which input rows each vocabulary entry trains (offsets + row ids)")
      .def(py::init([](py::array_t<uint64_t, py::array::c_style | py::array::forcecast> offsets,
                       py::array_t<int32_t, py::array::c_style | py::array::forcecast> rows, uint64_t input_rows) {
             return std::make_shared<InputRowTable>(to_vector(offsets), to_vector(rows), input_rows);
           }),
           py::arg("offsets"), py::arg("rows"), py::arg("input_rows"))
      .def("__len__", &InputRowTable::entries)
      .def_property_readonly("input_rows", &InputRowTable::input_rows)
      .def_property_readonly("offsets", [](const InputRowTable& t) { return py::array(py::cast(t.offsets())); })
      .def_property_readonly("rows", [](const InputRowTable& t) { return py::array(py::cast(t.rows())); });

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
      .def(py::init([](uint64_t max_vocab_size, Utf8Policy unicode_errors, bool newline_ends,
                       uint64_t max_sentence_words) {
             return std::make_unique<CorpusCounter>(max_vocab_size, unicode_errors,
                                                    SentenceRule{newline_ends, max_sentence_words});
           }),
           py::arg("max_vocab_size") = 0, py::arg("unicode_errors") = Utf8Policy::Replace,
           py::arg("newline_ends") = true, py::arg("max_sentence_words") = 0)
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
          [](const CorpusCounter& c, uint64_t min_count, uint64_t max_final_vocab, bool sorted, py::object rules) {
            std::vector<int8_t> verdicts;
            VocabFilter f{min_count, max_final_vocab, sorted};
            if (!rules.is_none()) {
              auto a = py::array_t<int8_t, py::array::c_style | py::array::forcecast>::ensure(rules);
              if (!a || a.ndim() != 1) throw py::value_error("rules must be a 1-D int8 array");
              verdicts.assign(a.data(), a.data() + a.size());
              f.rules = &verdicts;
            }
            return std::make_shared<Vocab>(finalize_vocab(c.counter(), f));
          },
          py::arg("min_count"), py::arg("max_final_vocab") = 0, py::arg("sorted") = true, py::arg("rules") = py::none())
      .def("raw_words",
           [](const CorpusCounter& c) {
             // Every counted word in first-seen order (what a trim rule judges).
             const auto& t = c.counter().table();
             py::list out;
             for (size_t i = 0; i < c.counter().size(); ++i) out.append(fe_bind::to_str(t.word(i)));
             return out;
           })
      .def("raw_counts", [](const CorpusCounter& c) { return py::array(py::cast(c.counter().counts())); });

  py::class_<PyTrainer>(m, "Trainer")
      .def(py::init([](py::object vocab_obj, const TrainConfig& config, py::object syn0, py::object syn1neg,
                       py::object syn1, py::object input_table, py::object lockf, py::object doc0,
                       py::object doc_lockf) {
             auto pt = std::make_unique<PyTrainer>();
             const Vocab& vocab = *vocab_obj.cast<std::shared_ptr<Vocab>>();
             const InputRowTable* table =
                 input_table.is_none() ? nullptr : input_table.cast<std::shared_ptr<InputRowTable>>().get();
             Matrices mats;
             auto s0 = py::reinterpret_borrow<py::array>(syn0);
             if (s0.ndim() != 2) throw py::value_error("syn0 must be a matrix");
             const size_t rows = static_cast<size_t>(s0.shape(0));
             if (table ? rows != table->input_rows() : rows < vocab.size())
               throw py::value_error(table ? "syn0 must have one row per input row of the table"
                                           : "syn0 has fewer rows than the vocabulary");
             mats.input_rows = rows;
             mats.stride = static_cast<int>(s0.shape(1));
             mats.syn0 = matrix_ptr(syn0, rows, mats.stride, "syn0");
             mats.syn1neg = matrix_ptr(syn1neg, vocab.size(), mats.stride, "syn1neg");
             mats.syn1 = matrix_ptr(syn1, vocab.size() ? vocab.size() - 1 : 0, mats.stride, "syn1");
             mats.input = table;
             mats.lockf = lockf_ptr(lockf, mats.input_rows);
             if (!doc0.is_none()) {
               auto d = py::reinterpret_borrow<py::array>(doc0);
               if (d.ndim() != 2) throw py::value_error("doc0 must be a matrix");
               mats.doc_rows = static_cast<size_t>(d.shape(0));
               mats.doc0 = matrix_ptr(doc0, mats.doc_rows, mats.stride, "doc0");
               mats.doc_lockf = lockf_ptr(doc_lockf, mats.doc_rows);
             } else if (!doc_lockf.is_none()) {
               throw py::value_error("doc_lockf without doc0");
             }
             pt->trainer = std::make_unique<Trainer>(vocab, config, mats);
             pt->doc0 = doc0;
             pt->doc_lockf = doc_lockf;
             pt->doc_rows = mats.doc_rows;
             pt->max_tags = config.max_tags;
             pt->vocab_ref = vocab_obj;
             pt->vocab = &vocab;
             pt->syn0 = syn0;
             pt->syn1neg = syn1neg;
             pt->syn1 = syn1;
             pt->input_ref = input_table;
             pt->lockf = lockf;
             return pt;
           }),
           py::arg("vocab"), py::arg("config"), py::arg("syn0"), py::arg("syn1neg"), py::arg("syn1"),
           py::arg("input_table") = py::none(), py::arg("lockf") = py::none(), py::arg("doc0") = py::none(),
           py::arg("doc_lockf") = py::none())
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
      .def(
          "push_documents",
          [](PyTrainer& t, py::handle batch, py::handle tag_rows, uint64_t offset, py::object seeds) {
            // Documents: token lists, and per document its rows of doc0.  A document none of
            // whose words is in the vocabulary trains nothing and is left out with its tags.
            Trainer& tr = *t.trainer;
            py::sequence tags = py::reinterpret_borrow<py::sequence>(tag_rows);
            if (static_cast<size_t>(tags.size()) != static_cast<size_t>(py::len(batch)))
              throw py::value_error("push_documents: one list of tag rows per document");
            Job job;
            size_t doc = 0;
            walk_sentences(
                batch, offset,
                [&](std::string_view w) {
                  int64_t found = t.vocab->find(w);
                  if (found >= 0) job.ids.push_back(static_cast<int32_t>(found));
                },
                [&] {
                  const size_t before = job.ends.size();
                  job.end_sentence();
                  if (job.ends.size() != before) {
                    py::sequence rows = py::reinterpret_borrow<py::sequence>(tags[doc]);
                    if (static_cast<int>(rows.size()) > t.max_tags)
                      throw py::value_error("document " + std::to_string(offset + doc) + " has more tags than max_tags");
                    for (py::handle r : rows) {
                      const int64_t row = r.cast<int64_t>();
                      if (row < 0 || static_cast<size_t>(row) >= t.doc_rows)
                        throw py::value_error("document " + std::to_string(offset + doc) + ": tag row out of range");
                      job.tags.push_back(static_cast<int32_t>(row));
                    }
                    job.tag_ends.push_back(static_cast<uint32_t>(job.tags.size()));
                    if (!seeds.is_none())
                      job.seeds.push_back(py::reinterpret_borrow<py::sequence>(seeds)[doc].cast<uint64_t>());
                  }
                  ++doc;
                });
            if (job.ids.empty()) return;
            t.retry([&] { return tr.push(job, 0.1); });
          },
          py::arg("batch"), py::arg("tag_rows"), py::arg("offset") = 0, py::arg("seeds") = py::none())
      .def("set_learning_rate", [](PyTrainer& t, double alpha) { t.trainer->set_learning_rate(alpha); })
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
             py::gil_scoped_release nogil;
             return t.trainer->finish_epoch();
           })
      .def("stop", [](PyTrainer& t) { t.trainer->stop(); })
      .def_property_readonly("stopped", [](PyTrainer& t) { return t.trainer->stopped(); })
      .def_property_readonly("words_done", [](PyTrainer& t) { return t.trainer->words_done(); })
      .def_property_readonly("alpha", [](PyTrainer& t) { return t.trainer->alpha(); })
      .def_property_readonly("epoch_loss", [](PyTrainer& t) { return t.trainer->epoch_loss(); })
      .def_property_readonly("kernel", [](PyTrainer& t) { return std::string(t.trainer->kernel_name()); })
      .def_property_readonly("kernel_seconds", [](PyTrainer& t) { return t.trainer->kernel_seconds(); },
                             "the calibration behind an auto choice: (kernels, best seconds), widest first");

  m.def(
      "init_input_vectors",
      [](py::array_t<float, py::array::c_style> syn0, const Vocab& vocab, int dim, uint64_t seed) {
        if (syn0.ndim() != 2 || static_cast<size_t>(syn0.shape(0)) < vocab.size() || syn0.shape(1) < dim)
          throw py::value_error("syn0 has the wrong shape");
        init_input_vectors(syn0.mutable_data(), vocab, dim, static_cast<int>(syn0.shape(1)), seed);
      },
      py::arg("syn0"), py::arg("vocab"), py::arg("dim"), py::arg("seed"));

  m.def("available_kernels", &available_kernels);
  m.def("active_kernels", [] { return std::string(active_kernels().name); });
  m.def("set_kernels", &set_kernels, py::arg("name"));
  m.def("kernel_mode", [] { return kernels_pinned() ? std::string(active_kernels().name) : std::string("auto"); },
        "'auto' (training measures which kernels are fastest) or the pinned kernels' name");
}
