// Bindings for phrase detection (cpp/phrases_*.h): the counts of a Phrases model, the table of
// a FrozenPhrases, learning from files and batches, applying to batches, byte streams and
// files, and the word2phrase tool.  Conversions only.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "convert.h"
#include "file_chunks.h"
#include "interruptible.h"
#include "phrases_apply.h"
#include "phrases_count.h"
#include "phrases_vocab.h"
#include "phrases_w2p.h"

namespace py = pybind11;
using namespace fe;
using namespace fe_bind;

namespace {

PhraseSettings make_settings(double min_count, double threshold, Scoring scoring, const std::string& delimiter,
                             const std::vector<std::string>& connectors) {
  if (delimiter.empty()) throw py::value_error("delimiter must not be empty");
  PhraseSettings s;
  s.min_count = min_count;
  s.threshold = threshold;
  s.scoring = scoring;
  s.delimiter = delimiter;
  for (const auto& c : connectors) s.connectors.add(c);
  return s;
}

// Counts the streams applying a model or table: it must not change under them.
struct Streamed {
  std::atomic<int> streams{0};
  void check_idle() const {
    if (streams.load())
      throw py::value_error("phrases are being applied to a corpus that is not read to the end "
                            "(an unfinished phrases[corpus] loop): finish or delete it first");
  }
};

struct PyPhraseModel : Streamed {
  PhraseSettings settings;
  uint64_t max_vocab_size = 0;
  PhraseVocab vocab;
  uint64_t corpus_words = 0, min_reduce = 1;
  PhraseScorer scorer() const { return PhraseScorer{&settings, &vocab, corpus_words, nullptr}; }
};

struct PyFrozen : Streamed {
  PhraseSettings settings;
  PhraseScores table;
  PhraseScorer scorer() const { return PhraseScorer{&settings, nullptr, 0, &table}; }
};

// Recently made str objects by their UTF-8 bytes (direct-mapped): a corpus repeats its words, and
// handing out the same object again is cheaper than decoding a new one.  Needs the GIL.
class StrCache {
 public:
  StrCache() : slots_(size_t{1} << 16) {}
  ~StrCache() {
    for (auto& s : slots_) Py_XDECREF(s.second);
  }
  StrCache(const StrCache&) = delete;
  StrCache& operator=(const StrCache&) = delete;
  py::object get(std::string_view w) {
    const uint64_t h = hash_bytes(w.data(), w.size());
    auto& slot = slots_[h & (slots_.size() - 1)];
    if (slot.second && slot.first == h) {
      py::ssize_t n;
      const char* p = PyUnicode_AsUTF8AndSize(slot.second, &n);
      if (p && static_cast<size_t>(n) == w.size() && std::memcmp(p, w.data(), w.size()) == 0)
        return py::reinterpret_borrow<py::object>(slot.second);
      PyErr_Clear();
    }
    py::object s = to_str(w);
    Py_XDECREF(slot.second);
    slot.first = h;
    slot.second = s.inc_ref().ptr();
    return s;
  }

 private:
  std::vector<std::pair<uint64_t, PyObject*>> slots_;
};

// Applies phrases to a batch of sentences; single tokens are the caller's own str objects.
py::list analyze_batch(const PhraseScorer& sc, py::handle batch, uint64_t offset) {
  py::sequence seq = py::reinterpret_borrow<py::sequence>(batch);
  py::list out(seq.size());
  std::vector<std::string_view> words;
  std::vector<PhraseSpan> spans;
  std::string key;
  size_t i = 0;
  walk_sentences(
      batch, offset, [&](std::string_view w) { words.push_back(w); },
      [&] {
        spans.clear();
        analyze_sentence(words, *sc.settings, sc, key, spans);
        // A list or tuple lends its own str objects to the output; another iterable was
        // consumed by walk_sentences, so its words are made afresh.
        py::object s = seq[i];
        PyObject** items = nullptr;
        if ((PyList_Check(s.ptr()) || PyTuple_Check(s.ptr())) &&
            static_cast<size_t>(PySequence_Fast_GET_SIZE(s.ptr())) == words.size())
          items = PySequence_Fast_ITEMS(s.ptr());
        py::list toks(spans.size());
        for (size_t k = 0; k < spans.size(); ++k) {
          const PhraseSpan& p = spans[k];
          if (p.end - p.begin == 1 && items) {
            toks[k] = py::reinterpret_borrow<py::object>(items[p.begin]);
          } else {
            key.clear();
            for (uint32_t j = p.begin; j < p.end; ++j) {
              if (j > p.begin) key += sc.settings->delimiter;
              key.append(words[j]);
            }
            toks[k] = to_str(key);
          }
        }
        out[i++] = std::move(toks);
        words.clear();
      });
  return out;
}

// find_phrases over a batch: adds phrase -> score to `result`.
void find_batch(const PhraseScorer& sc, py::handle batch, uint64_t offset, py::dict result) {
  std::vector<std::string_view> words;
  std::vector<PhraseSpan> spans;
  std::string key;
  walk_sentences(
      batch, offset, [&](std::string_view w) { words.push_back(w); },
      [&] {
        spans.clear();
        analyze_sentence(words, *sc.settings, sc, key, spans);
        for (const PhraseSpan& p : spans) {
          if (p.end - p.begin == 1) continue;
          key.clear();
          for (uint32_t j = p.begin; j < p.end; ++j) {
            if (j > p.begin) key += sc.settings->delimiter;
            key.append(words[j]);
          }
          result[to_str(key)] = py::float_(p.score);
        }
        words.clear();
      });
}

uint64_t transform_file_py(const PhraseScorer& sc, const std::string& src, int fd, bool newline_ends,
                           uint64_t max_words, int threads, py::object progress) {
  if (threads < 1) throw py::value_error("workers must be at least 1");
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> done{0};
  uint64_t n = 0;
  run_interruptible([&] { n = transform_file(src, SentenceRule{newline_ends, max_words}, threads, sc, fd, &stop, &done); },
                    stop, progress, done);
  return n;
}

// Sentences read from streamed bytes (compressed files, fastembed's readers), phrased on a
// thread of its own: while Python turns one block's sentences into lists, the next block is
// tokenised and phrased.  The model or table must not change meanwhile (see Streamed).
struct PyPhraseStream {
  struct Phrased {  // one block's sentences: their tokens' bytes, token ends, sentence ends
    std::string text;
    std::vector<size_t> token_ends, sentence_ends;
  };
  py::object owner;  // keeps the model or table alive
  Streamed* guard;
  PhraseScorer scorer;
  // the worker's
  StreamTokenizer tok;
  SentenceBuffer sentence;
  std::string scratch, key;
  std::vector<PhraseSpan> spans;
  Phrased cur;
  // shared
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> in;
  std::deque<Phrased> done;
  bool finishing = false, finished = false, closed = false;
  std::exception_ptr error;
  size_t waiting = 0;  // blocks handed over whose result was not yet taken
  std::thread worker;
  // the caller's
  StrCache strs;

  PyPhraseStream(py::object o, Streamed* g, PhraseScorer sc, SentenceRule rule)
      : owner(std::move(o)), guard(g), scorer(sc), tok(rule) {
    ++guard->streams;
    worker = std::thread([this] { run(); });
  }
  ~PyPhraseStream() {
    {
      std::lock_guard<std::mutex> lock(mu);
      closed = true;
    }
    cv.notify_all();
    worker.join();
    --guard->streams;
  }

  void word(std::string_view w, bool high) { sentence.word(normalise_word(w, high, Utf8Policy::Replace, scratch)); }
  void end() {
    if (sentence.empty()) return;
    const std::vector<std::string_view>& words = sentence.words();
    spans.clear();
    analyze_sentence(words, *scorer.settings, scorer, key, spans);
    for (const PhraseSpan& p : spans) {
      for (uint32_t j = p.begin; j < p.end; ++j) {
        if (j > p.begin) cur.text += scorer.settings->delimiter;
        cur.text.append(words[j]);
      }
      cur.token_ends.push_back(cur.text.size());
    }
    cur.sentence_ends.push_back(cur.token_ends.size());
    sentence.clear();
  }
  void run() {
    auto on_word = [&](std::string_view w, bool high) { word(w, high); };
    auto on_end = [&] { end(); };
    for (;;) {
      std::string block;
      bool last = false;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return closed || !in.empty() || (finishing && !finished); });
        if (closed) return;
        if (!in.empty()) {
          block = std::move(in.front());
          in.pop_front();
        } else {
          last = true;
        }
      }
      try {
        if (last) {
          tok.finish(on_word, on_end);
        } else {
          tok.feed(block.data(), block.size(), on_word, on_end);
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        error = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        done.push_back(std::move(cur));
        cur = Phrased{};
        if (last) finished = true;
      }
      cv.notify_all();
    }
  }
  py::list to_lists(Phrased& r) {
    py::list out(r.sentence_ends.size());
    size_t t = 0, start = 0;
    for (size_t i = 0; i < r.sentence_ends.size(); ++i) {
      py::list toks(r.sentence_ends[i] - t);
      for (size_t k = 0; t < r.sentence_ends[i]; ++t, ++k) {
        toks[k] = strs.get(std::string_view(r.text.data() + start, r.token_ends[t] - start));
        start = r.token_ends[t];
      }
      out[i] = std::move(toks);
    }
    return out;
  }
  // Waits (without the GIL) until `ready` holds; rethrows the worker's error.
  template <class Ready>
  void wait_for(Ready&& ready) {
    {
      py::gil_scoped_release nogil;
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return error || ready(); });
    }
    if (error) std::rethrow_exception(error);
  }
  Phrased pop() {
    std::lock_guard<std::mutex> lock(mu);
    Phrased r = std::move(done.front());
    done.pop_front();
    --waiting;
    return r;
  }
  py::list feed(py::bytes data) {
    if (finishing) throw py::value_error("this phrase stream is finished");
    {
      std::string_view v = data;
      std::lock_guard<std::mutex> lock(mu);
      in.emplace_back(v);
      ++waiting;
    }
    cv.notify_all();
    if (waiting < 2) return py::list();
    wait_for([&] { return !done.empty(); });
    Phrased r = pop();
    return to_lists(r);
  }
  py::list finish() {
    {
      std::lock_guard<std::mutex> lock(mu);
      finishing = true;
      ++waiting;
    }
    cv.notify_all();
    wait_for([&] { return finished; });
    py::list out;
    while (waiting) {
      Phrased r = pop();
      for (auto s : to_lists(r)) out.append(s);
    }
    return out;
  }
};

// One add_vocab pass fed with batches or bytes; its counts merge into the model at the end.
struct PyPhraseLearner {
  std::unique_ptr<BatchLearner> learner;
  StreamTokenizer tok;
  FlatBatch batch;
  std::string scratch;
  PyPhraseLearner(const PyPhraseModel& m, SentenceRule rule)
      : learner(std::make_unique<BatchLearner>(m.settings, m.max_vocab_size)), tok(rule) {}

  size_t open_words = 0;
  void word(std::string_view w) {
    batch.bytes.append(w);
    batch.word_ends.push_back(batch.bytes.size());
    ++open_words;
  }
  void end() {
    batch.sentence_ends.push_back(batch.word_ends.size());
    open_words = 0;
  }
  // Streamed text: a blank line is no sentence (as LineSentence yields none).
  void end_if_open() {
    if (open_words) end();
  }
  void push() {
    py::gil_scoped_release nogil;
    learner->push(std::move(batch));
    batch.clear();
  }
};

void write_records(int fd, const PhraseVocab* v, const PhraseScores* t) {
  std::string buf;
  const size_t n = v ? v->size() : t->size();
  for (size_t i = 0; i < n; ++i) {
    const std::string_view k = v ? v->key(i) : t->key(i);
    const uint32_t len = static_cast<uint32_t>(k.size());
    buf.append(reinterpret_cast<const char*>(&len), 4);
    buf.append(k);
    if (v) {
      const uint64_t c = v->count_at(i);
      buf.append(reinterpret_cast<const char*>(&c), 8);
    } else {
      const double s = t->score_at(i);
      buf.append(reinterpret_cast<const char*>(&s), 8);
    }
    if (buf.size() >= (size_t{1} << 20)) {
      write_all(fd, buf.data(), buf.size(), "cannot write the phrases file");
      buf.clear();
    }
  }
  write_all(fd, buf.data(), buf.size(), "cannot write the phrases file");
}

// Reads `n` records from data[offset:]; every length is checked against the bytes present.
template <class Add>
size_t read_records(const py::buffer& data, size_t offset, uint64_t n, Add&& add) {
  py::buffer_info info = data.request();
  const char* p = static_cast<const char*>(info.ptr);
  const size_t size = static_cast<size_t>(info.size * info.itemsize);
  if (offset > size || n > (size - offset) / 12)
    throw py::value_error("damaged phrases file: it claims more entries than it holds");
  size_t pos = offset;
  for (uint64_t i = 0; i < n; ++i) {
    uint32_t len;
    if (size - pos < 12) throw py::value_error("damaged phrases file: truncated entry " + std::to_string(i));
    std::memcpy(&len, p + pos, 4);
    pos += 4;
    if (size - pos < static_cast<size_t>(len) + 8)
      throw py::value_error("damaged phrases file: truncated entry " + std::to_string(i));
    const std::string_view key(p + pos, len);
    if (!is_valid_utf8(key)) throw py::value_error("damaged phrases file: entry " + std::to_string(i) + " is not UTF-8");
    pos += len;
    char value[8];
    std::memcpy(value, p + pos, 8);
    pos += 8;
    add(key, value);
  }
  return pos;
}

// The last piece of str.split(d): after the last of the matches found left to right.
std::string_view last_part(std::string_view k, std::string_view d) {
  size_t end = 0;
  for (size_t at = k.find(d); at != std::string_view::npos; at = k.find(d, at + d.size())) end = at + d.size();
  return k.substr(end);
}

template <class Cls>
void def_apply(Cls& cls) {
  using T = typename Cls::type;
  cls.def(
         "analyze",
         [](const T& m, py::handle batch, uint64_t offset) { return analyze_batch(m.scorer(), batch, offset); },
         py::arg("batch"), py::arg("offset") = 0, "The batch's sentences with their phrases joined")
      .def(
          "find",
          [](const T& m, py::handle batch, uint64_t offset, py::dict result) {
            find_batch(m.scorer(), batch, offset, result);
          },
          py::arg("batch"), py::arg("offset"), py::arg("result"), "Adds the batch's phrases and scores to result")
      .def(
          "transform_file",
          [](const T& m, const std::string& src, int fd, bool newline_ends, uint64_t max_words, int threads,
             py::object progress) { return transform_file_py(m.scorer(), src, fd, newline_ends, max_words, threads, progress); },
          py::arg("src"), py::arg("fd"), py::arg("newline_ends"), py::arg("max_sentence_words"), py::arg("threads"),
          py::arg("progress") = py::none(), "Writes src's sentences, phrased, one per line to fd")
      .def(
          "stream",
          [](py::object self, bool newline_ends, uint64_t max_words) {
            T& m = self.cast<T&>();
            return std::make_unique<PyPhraseStream>(self, &m, m.scorer(), SentenceRule{newline_ends, max_words});
          },
          py::arg("newline_ends"), py::arg("max_sentence_words"), "A phraser of streamed corpus bytes");
}

}  // namespace

void bind_phrases(py::module_& m) {
  py::enum_<Scoring>(m, "PhraseScoring", "The built-in phrase scorers")
      .value("DEFAULT", Scoring::Default, "Mikolov et al.'s (count(ab) - min_count) / (count(a) count(b)) * |vocab|")
      .value("NPMI", Scoring::Npmi, "normalised pointwise mutual information");

  py::class_<PyPhraseModel> model(m, "PhraseModel", "A Phrases model's settings and counts");
  model
      .def(py::init([](double min_count, double threshold, Scoring scoring, const std::string& delimiter,
                       const std::vector<std::string>& connector_words, uint64_t max_vocab_size) {
             auto p = std::make_unique<PyPhraseModel>();
             p->settings = make_settings(min_count, threshold, scoring, delimiter, connector_words);
             p->max_vocab_size = max_vocab_size;
             return p;
           }),
           py::arg("min_count"), py::arg("threshold"), py::arg("scoring"), py::arg("delimiter"),
           py::arg("connector_words"), py::arg("max_vocab_size"))
      .def("__len__", [](const PyPhraseModel& p) { return p.vocab.size(); })
      .def_readwrite("corpus_word_count", &PyPhraseModel::corpus_words)
      .def_readwrite("min_reduce", &PyPhraseModel::min_reduce)
      .def_property(
          "threshold", [](const PyPhraseModel& p) { return p.settings.threshold; },
          [](PyPhraseModel& p, double t) { p.settings.threshold = t; })
      .def_property(
          "min_count", [](const PyPhraseModel& p) { return p.settings.min_count; },
          [](PyPhraseModel& p, double c) { p.settings.min_count = c; })
      .def("count", [](const PyPhraseModel& p, std::string_view key) { return p.vocab.count(key); }, py::arg("key"))
      .def(
          "keys",
          [](const PyPhraseModel& p, size_t start, size_t n) {
            py::list out;
            for (size_t i = start; i < std::min(p.vocab.size(), start + n); ++i) out.append(to_str(p.vocab.key(i)));
            return out;
          },
          py::arg("start"), py::arg("n"), "Keys start .. start+n-1 in first-seen order")
      .def(
          "counts",
          [](const PyPhraseModel& p, size_t start, size_t n) {
            const size_t end = std::min(p.vocab.size(), start + n);
            py::array_t<uint64_t> out(static_cast<py::ssize_t>(end > start ? end - start : 0));
            for (size_t i = start; i < end; ++i) out.mutable_at(static_cast<py::ssize_t>(i - start)) = p.vocab.count_at(i);
            return out;
          },
          py::arg("start"), py::arg("n"))
      .def(
          "learn_file",
          [](PyPhraseModel& p, const std::string& path, bool newline_ends, uint64_t max_words, int threads,
             py::object progress) {
            if (threads < 1) throw py::value_error("workers must be at least 1");
            p.check_idle();
            std::atomic<bool> stop{false};
            std::atomic<uint64_t> done{0};
            PhraseLearned learned;
            run_interruptible(
                [&] {
                  learned = learn_phrases_file(path, p.settings, p.max_vocab_size, SentenceRule{newline_ends, max_words},
                                               threads, &stop, &done);
                },
                stop, progress, done);
            merge_learned(p.vocab, p.corpus_words, p.min_reduce, std::move(learned), p.max_vocab_size);
          },
          py::arg("path"), py::arg("newline_ends"), py::arg("max_sentence_words"), py::arg("threads"),
          py::arg("progress") = py::none(), "add_vocab from a plain file")
      .def(
          "learner",
          [](const PyPhraseModel& p, bool newline_ends, uint64_t max_words) {
            return std::make_unique<PyPhraseLearner>(p, SentenceRule{newline_ends, max_words});
          },
          py::arg("newline_ends") = true, py::arg("max_sentence_words") = 0,
          "An add_vocab pass fed with batches or bytes; merge it with learner.finish_into(model)")
      .def(
          "export",
          [](const PyPhraseModel& p) {
            // Phrases.export_phrases: every key holding the delimiter, split on it, scored as
            // (first part, last part) -> the key's own count.  A key counted too rarely to pass
            // is skipped before any look-up: default scores (count - min_count) <= 0 cannot pass
            // a threshold >= 0, and npmi is -inf below min_count.
            py::list keys;
            std::vector<double> scores;
            const PhraseSettings& st = p.settings;
            const std::string& d = st.delimiter;
            const bool npmi = st.scoring == Scoring::Npmi;
            for (size_t i = 0; i < p.vocab.size(); ++i) {
              const std::string_view k = p.vocab.key(i);
              const double cab = static_cast<double>(p.vocab.count_at(i));
              if (npmi ? !(cab >= st.min_count) : (st.threshold >= 0 && !(cab > st.min_count))) continue;
              const size_t first = k.find(d);
              if (first == std::string_view::npos) continue;
              const uint64_t ca = p.vocab.count(k.substr(0, first));
              if (!ca) continue;
              const uint64_t cb = p.vocab.count(last_part(k, d));
              if (!cb) continue;
              const double s = npmi ? npmi_score(ca, cb, p.vocab.count_at(i), p.corpus_words, st.min_count)
                                    : default_score(ca, cb, p.vocab.count_at(i), p.vocab.size(), st.min_count);
              if (s <= st.threshold) continue;
              keys.append(to_str(k));
              scores.push_back(s);
            }
            return py::make_tuple(keys, py::array(py::cast(scores)));
          },
          "export_phrases() as (keys, scores)")
      .def(
          "candidates",
          [](const PyPhraseModel& p) {
            // What a custom scorer sees for export_phrases: keys holding the delimiter whose
            // parts were counted, with (count(first), count(last), count(key)).
            py::list keys;
            std::vector<uint64_t> ca, cb, cab;
            const std::string& d = p.settings.delimiter;
            for (size_t i = 0; i < p.vocab.size(); ++i) {
              const std::string_view k = p.vocab.key(i);
              const size_t first = k.find(d);
              if (first == std::string_view::npos) continue;
              const uint64_t a = p.vocab.count(k.substr(0, first));
              const uint64_t b = p.vocab.count(last_part(k, d));
              if (!a || !b || !p.vocab.count_at(i)) continue;
              keys.append(to_str(k));
              ca.push_back(a);
              cb.push_back(b);
              cab.push_back(p.vocab.count_at(i));
            }
            return py::make_tuple(keys, py::array(py::cast(ca)), py::array(py::cast(cb)), py::array(py::cast(cab)));
          })
      .def(
          "write_entries", [](const PyPhraseModel& p, int fd) { write_records(fd, &p.vocab, nullptr); }, py::arg("fd"))
      .def(
          "read_entries",
          [](PyPhraseModel& p, const py::buffer& data, size_t offset, uint64_t n) {
            if (p.vocab.size()) throw py::value_error("read_entries needs an empty model");
            p.vocab.reserve(static_cast<size_t>(n));
            return read_records(data, offset, n, [&](std::string_view k, const char* v) {
              uint64_t c;
              std::memcpy(&c, v, 8);
              if (!c) throw py::value_error("damaged phrases file: a count of zero");
              if (p.vocab.count(k)) throw py::value_error("damaged phrases file: a key appears twice");
              p.vocab.add(k, c);
            });
          },
          py::arg("data"), py::arg("offset"), py::arg("n"));
  def_apply(model);

  py::class_<PyFrozen> frozen(m, "FrozenPhraseTable", "A FrozenPhrases table: phrase -> score");
  frozen
      .def(py::init([](double threshold, const std::string& delimiter, const std::vector<std::string>& connector_words) {
             auto p = std::make_unique<PyFrozen>();
             p->settings = make_settings(0, threshold, Scoring::Default, delimiter, connector_words);
             return p;
           }),
           py::arg("threshold"), py::arg("delimiter"), py::arg("connector_words"))
      .def("__len__", [](const PyFrozen& f) { return f.table.size(); })
      .def_property(
          "threshold", [](const PyFrozen& p) { return p.settings.threshold; },
          [](PyFrozen& p, double t) { p.settings.threshold = t; })
      .def(
          "set",
          [](PyFrozen& f, const std::vector<std::string>& keys, std::vector<double> scores) {
            if (keys.size() != scores.size()) throw py::value_error("one score per phrase");
            f.check_idle();
            for (size_t i = 0; i < keys.size(); ++i) f.table.set(keys[i], scores[i]);
            f.table.seal(f.settings.delimiter);
          },
          py::arg("keys"), py::arg("scores"))
      .def(
          "get",
          [](const PyFrozen& f, std::string_view key) {
            const double s = f.table.score(key, kNegInf);
            return std::isnan(s) ? kNegInf : s;
          },
          py::arg("key"), "The phrase's score, -inf if it is not one")
      .def("items",
           [](const PyFrozen& f) {
             py::list keys;
             std::vector<double> scores;
             for (size_t i = 0; i < f.table.size(); ++i) {
               keys.append(to_str(f.table.key(i)));
               scores.push_back(f.table.score_at(i));
             }
             return py::make_tuple(keys, py::array(py::cast(scores)));
           })
      .def(
          "write_entries", [](const PyFrozen& f, int fd) { write_records(fd, nullptr, &f.table); }, py::arg("fd"))
      .def(
          "read_entries",
          [](PyFrozen& f, const py::buffer& data, size_t offset, uint64_t n) {
            const size_t end = read_records(data, offset, n, [&](std::string_view k, const char* v) {
              double s;
              std::memcpy(&s, v, 8);
              if (std::isnan(s)) throw py::value_error("damaged phrases file: a NaN score");
              f.table.set(k, s);
            });
            f.table.seal(f.settings.delimiter);
            return end;
          },
          py::arg("data"), py::arg("offset"), py::arg("n"));
  def_apply(frozen);

  py::class_<PyPhraseStream>(m, "PhraseStream", "Phrases applied to streamed corpus bytes")
      .def("feed", &PyPhraseStream::feed, py::arg("data"), "The sentences completed by these bytes, phrased")
      .def("finish", &PyPhraseStream::finish, "The last sentences, phrased");

  py::class_<PyPhraseLearner>(m, "PhraseLearner", "One add_vocab pass fed with batches or bytes")
      .def(
          "add_sentences",
          [](PyPhraseLearner& l, py::handle batch, uint64_t offset) {
            walk_sentences(
                batch, offset, [&](std::string_view w) { l.word(w); }, [&] { l.end(); });
            l.push();
          },
          py::arg("batch"), py::arg("offset") = 0)
      .def(
          "feed",
          [](PyPhraseLearner& l, py::bytes data) {
            std::string_view v = data;
            {
              py::gil_scoped_release nogil;
              l.tok.feed(
                  v.data(), v.size(),
                  [&](std::string_view w, bool high) { l.word(normalise_word(w, high, Utf8Policy::Replace, l.scratch)); },
                  [&] { l.end_if_open(); });
            }
            l.push();
          },
          py::arg("data"))
      .def(
          "end_file",
          [](PyPhraseLearner& l) {
            l.tok.finish([&](std::string_view w, bool high) { l.word(normalise_word(w, high, Utf8Policy::Replace, l.scratch)); },
                         [&] { l.end_if_open(); });
          },
          "The end of one streamed file: its last sentence ends")
      .def(
          "finish_into",
          [](PyPhraseLearner& l, PyPhraseModel& p) {
            l.tok.finish([&](std::string_view w, bool high) { l.word(normalise_word(w, high, Utf8Policy::Replace, l.scratch)); },
                         [&] { l.end_if_open(); });
            l.push();
            PhraseLearned learned;
            {
              py::gil_scoped_release nogil;
              learned = l.learner->finish();
            }
            p.check_idle();
            merge_learned(p.vocab, p.corpus_words, p.min_reduce, std::move(learned), p.max_vocab_size);
          },
          py::arg("model"));

  m.def(
      "word2phrase",
      [](const std::string& src, int fd, int64_t min_count, float threshold, int threads, py::object progress) {
        if (threads < 1) throw py::value_error("threads must be at least 1");
        std::atomic<bool> stop{false};
        std::atomic<uint64_t> done{0};
        Word2PhraseStats st;
        run_interruptible([&] { st = word2phrase(src, fd, min_count, threshold, threads, &stop, &done); }, stop, progress,
                          done);
        return py::make_tuple(st.train_words, st.entries);
      },
      py::arg("src"), py::arg("fd"), py::arg("min_count"), py::arg("threshold"), py::arg("threads"),
      py::arg("progress") = py::none(), "The word2phrase tool on src, written to fd: (train_words, entries)");
}
