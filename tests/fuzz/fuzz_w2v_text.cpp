// Fuzz target: the word2vec text-format reader (header, header-less scan, rows) driven the way
// the binding drives it.  Checks that nothing is allocated beyond what the bytes can hold, and
// that an accepted file matches a plain reference reading: word spans, the row shape, and each
// value equal to strtod's correctly rounded double narrowed to float32 (numpy.float32(str)).
// Rows of plain decimals with the declared number of values must be accepted, rows with
// another number of values refused.
// Input: [opts][limit][file]; opts bit 0: no_header; limit byte 0 = no limit, else limit - 1.
#include <cfloat>
#include <cmath>
#include <cstring>

#include "fuzz_common.h"
#include "w2v_format.h"

namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

bool plain_decimal(const std::string& t) {
  size_t i = 0, digits = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
  }
  if (!digits) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    size_t e = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++e;
    if (!e) return false;
  }
  return i == t.size();
}

// numpy.float32(token) for a token strtod reads whole; false when it does not.
bool ref_value(const std::string& t, float* out) {
  std::string s = t[0] == '+' ? t.substr(1) : t;
  if (s.empty() || s[0] == '+' || s[0] == '-' ? s.size() < 2 || s[1] == '+' || s[1] == '-' : false) return false;
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return false;
  if (std::isnan(d)) *out = NAN;
  else if (std::fabs(d) <= FLT_MAX) *out = static_cast<float>(d);
  else *out = std::fabs(d) >= 3.4028235677973366e38 ? std::copysign(INFINITY, d) : std::copysign(FLT_MAX, d);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in{data, size};
  const bool no_header = in.byte() & 1;
  const uint8_t lb = in.byte();
  const int64_t limit = lb ? lb - 1 : -1;
  const std::string_view file = in.rest();
  const char* p = file.data();
  const size_t n_bytes = file.size();

  fe::W2VHeader h;
  if (no_header) {
    int64_t count = 0, dim = 0;
    if (!fe::scan_w2v_text(p, n_bytes, limit, &count, &dim).ok()) return 0;
    FUZZ_CHECK(count >= 0 && static_cast<uint64_t>(count) <= n_bytes);
    if (count) FUZZ_CHECK(dim >= 1 && dim <= fe::kW2VMaxDim);
    h.count = count;
    h.dim = dim;
    h.body_offset = 0;
  } else {
    if (!fe::parse_w2v_header(p, n_bytes, &h).ok()) return 0;
    FUZZ_CHECK(h.count >= 0 && h.dim >= 1 && h.dim <= fe::kW2VMaxDim && h.body_offset <= n_bytes);
  }
  const int64_t n = (limit >= 0 && limit < h.count) ? limit : h.count;
  const int64_t fits = fe::w2v_max_records(n_bytes - h.body_offset, h.dim, false);
  if (n > fits) return 0;
  // What the binding allocates: never more floats than half the bytes (plus one row).
  FUZZ_CHECK(static_cast<uint64_t>(n) * static_cast<uint64_t>(h.dim) <= n_bytes / 2 + 1);
  std::vector<float> out(static_cast<size_t>(n * h.dim) + 1);
  fe::W2VWords words;
  int64_t parsed = 0;
  size_t end = 0;
  const fe::W2VStatus st = fe::parse_w2v_text(p, n_bytes, h.body_offset, n, h.dim, out.data(), &words,
                                              /*first_line=*/2, /*threads=*/2, /*partial=*/false, &parsed, &end);
  if (!st.ok()) FUZZ_CHECK(!st.message.empty());

  // Reference reading, row by row.
  size_t pos = h.body_offset;
  bool all_plain = true, shape_ok = true;
  for (int64_t i = 0; i < n; ++i) {
    if (pos >= n_bytes) {
      FUZZ_CHECK(st.error == fe::W2VError::kTruncated);
      return 0;
    }
    const char* nl = static_cast<const char*>(std::memchr(p + pos, '\n', n_bytes - pos));
    const size_t line_end = nl ? static_cast<size_t>(nl - p) : n_bytes;
    size_t e = line_end;
    while (e > pos && blank(p[e - 1])) --e;
    size_t sp = pos;
    while (sp < e && p[sp] != ' ') ++sp;
    std::vector<std::string> tokens;
    for (size_t q = sp < e ? sp + 1 : e; q < e;) {
      while (q < e && (p[q] == ' ' || p[q] == '\t')) ++q;
      if (q == e) break;
      size_t t = q;
      while (q < e && p[q] != ' ' && p[q] != '\t') ++q;
      tokens.emplace_back(p + t, q - t);
    }
    if (static_cast<int64_t>(tokens.size()) != h.dim) shape_ok = false;
    for (const std::string& t : tokens) all_plain &= plain_decimal(t);
    if (st.ok()) {
      FUZZ_CHECK(words.offsets[static_cast<size_t>(i)] == pos);
      FUZZ_CHECK(words.lengths[static_cast<size_t>(i)] == sp - pos);
      FUZZ_CHECK(static_cast<int64_t>(tokens.size()) == h.dim);
      for (int64_t k = 0; k < h.dim; ++k) {
        float want;
        FUZZ_CHECK(ref_value(tokens[static_cast<size_t>(k)], &want));
        const float got = out[static_cast<size_t>(i * h.dim + k)];
        FUZZ_CHECK((std::isnan(want) && std::isnan(got)) || std::memcmp(&want, &got, 4) == 0);
      }
    }
    pos = nl ? line_end + 1 : n_bytes;
  }
  if (!shape_ok) FUZZ_CHECK(!st.ok());
  if (shape_ok && all_plain) FUZZ_CHECK(st.ok());
  return 0;
}
