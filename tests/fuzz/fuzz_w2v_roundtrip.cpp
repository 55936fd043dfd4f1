// Fuzz target: vectors written by format_w2v_rows read back to the same float32 bits, in the
// text format (shortest round-trip decimal form; NaN stays NaN) and in the binary format
// (with and without the C tool's newline after each vector).
// Input: [dim - 1][rows - 1][float32 bytes...] (missing bytes read as 0).
#include <cmath>
#include <cstring>

#include "fuzz_common.h"
#include "w2v_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in{data, size};
  const int64_t dim = 1 + in.byte() % 16, rows = 1 + in.byte() % 8;
  std::vector<float> v(static_cast<size_t>(dim * rows));
  for (float& x : v) {
    uint32_t bits = in.u16();
    bits |= static_cast<uint32_t>(in.u16()) << 16;
    std::memcpy(&x, &bits, 4);
  }
  std::vector<std::string> names;
  for (int64_t r = 0; r < rows; ++r) names.push_back("w" + std::to_string(r) + "\xc3\xa9");
  const std::vector<std::string_view> words(names.begin(), names.end());

  for (int kind = 0; kind < 3; ++kind) {  // text, binary, binary + newline
    const bool binary = kind > 0;
    std::string file = std::to_string(rows) + " " + std::to_string(dim) + "\n";
    fe::format_w2v_rows(words, v.data(), rows, dim, dim, binary, kind == 2, &file);
    fe::W2VHeader h;
    FUZZ_CHECK(fe::parse_w2v_header(file.data(), file.size(), &h).ok());
    FUZZ_CHECK(h.count == rows && h.dim == dim);
    std::vector<float> back(v.size());
    fe::W2VWords w;
    int64_t parsed = 0;
    size_t end = 0;
    const fe::W2VStatus st =
        binary ? fe::parse_w2v_binary(file.data(), file.size(), h.body_offset, rows, dim, back.data(), &w, 0, false,
                                      &parsed, &end)
               : fe::parse_w2v_text(file.data(), file.size(), h.body_offset, rows, dim, back.data(), &w, 2, 1, false,
                                    &parsed, &end);
    if (!st.ok()) std::fprintf(stderr, "%s\n", st.message.c_str());
    FUZZ_CHECK(st.ok());
    for (int64_t r = 0; r < rows; ++r)
      FUZZ_CHECK(std::string_view(file.data() + w.offsets[r], w.lengths[r]) == words[r]);
    for (size_t i = 0; i < v.size(); ++i) {
      if (std::isnan(v[i])) {
        FUZZ_CHECK(std::isnan(back[i]));
        if (binary) FUZZ_CHECK(std::memcmp(&v[i], &back[i], 4) == 0);
      } else {
        FUZZ_CHECK(std::memcmp(&v[i], &back[i], 4) == 0);
      }
    }
  }
  return 0;
}
