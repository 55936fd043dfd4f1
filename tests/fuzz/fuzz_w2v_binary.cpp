// Fuzz target: the word2vec binary-format reader driven the way the binding drives it.
// Checks that nothing is allocated beyond what the bytes can hold, and that the result (or
// the failure) matches a plain reference reading: skip newlines, a word up to a space, then
// dim raw little-endian float32 values.
// Input: [limit][file]; limit byte 0 = no limit, else limit - 1.
#include <cstring>

#include "fuzz_common.h"
#include "w2v_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in{data, size};
  const uint8_t lb = in.byte();
  const int64_t limit = lb ? lb - 1 : -1;
  const std::string_view file = in.rest();
  const char* p = file.data();
  const size_t n_bytes = file.size();

  fe::W2VHeader h;
  if (!fe::parse_w2v_header(p, n_bytes, &h).ok()) return 0;
  FUZZ_CHECK(h.count >= 0 && h.dim >= 1 && h.dim <= fe::kW2VMaxDim && h.body_offset <= n_bytes);
  const int64_t n = (limit >= 0 && limit < h.count) ? limit : h.count;
  const int64_t fits = fe::w2v_max_records(n_bytes - h.body_offset, h.dim, true);
  if (n > fits) return 0;
  FUZZ_CHECK(static_cast<uint64_t>(n) * static_cast<uint64_t>(h.dim) * 4 <= n_bytes);
  std::vector<float> out(static_cast<size_t>(n * h.dim) + 1);
  fe::W2VWords words;
  int64_t parsed = 0;
  size_t end = 0;
  const fe::W2VStatus st = fe::parse_w2v_binary(p, n_bytes, h.body_offset, n, h.dim, out.data(), &words,
                                                /*first_record=*/0, /*partial=*/false, &parsed, &end);

  size_t pos = h.body_offset;
  const size_t vec = 4 * static_cast<size_t>(h.dim);
  for (int64_t i = 0; i < n; ++i) {
    while (pos < n_bytes && p[pos] == '\n') ++pos;
    size_t sp = pos;
    while (sp < n_bytes && p[sp] != ' ') ++sp;
    if (sp >= n_bytes || n_bytes - (sp + 1) < vec) {
      FUZZ_CHECK(st.error == fe::W2VError::kTruncated);
      return 0;
    }
    if (st.ok()) {
      FUZZ_CHECK(words.offsets[static_cast<size_t>(i)] == pos);
      FUZZ_CHECK(words.lengths[static_cast<size_t>(i)] == sp - pos);
      FUZZ_CHECK(std::memcmp(out.data() + i * h.dim, p + sp + 1, vec) == 0);
    }
    pos = sp + 1 + vec;
  }
  FUZZ_CHECK(st.ok());
  return 0;
}
