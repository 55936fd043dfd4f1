// Test-only probes: the formulas, tables, corpus readers and kernels, exposed so the tests can
// check each against its reference directly.  Not part of the API.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>

#include "aligned.h"
#include "convert.h"
#include "file_chunks.h"
#include "huffman.h"
#include "kernel_choice.h"
#include "rng.h"
#include "sampling.h"
#include "simd_dispatch.h"
#include "stream_cutter.h"
#include "tokenizer.h"

namespace py = pybind11;
using namespace fe;
using namespace fe_bind;

void bind_probes(py::module_& m) {
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
  m.def("pick_fastest_kernels", [](const std::vector<std::pair<std::string, double>>& seconds) {
    // The calibration's rule (kernel_choice.h) on given timings, widest first: the index picked.
    return pick_fastest(seconds);
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
          km.set.negative = negative;
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
