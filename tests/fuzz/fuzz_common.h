// Shared pieces of the fuzz targets: a reader for the option bytes in front of the data, and
// reference implementations written as plainly as possible, independently of cpp/, to check
// the core's parsers against.  FUZZ_CHECK aborts, so a mismatch is a crash libFuzzer keeps.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#define FUZZ_CHECK(cond)                                                         \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s at %s:%d\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                              \
    }                                                                            \
  } while (0)

namespace fuzz {

// Consumes option bytes from the front of the input; missing bytes read as 0.
struct Input {
  const uint8_t* p;
  size_t n;
  uint8_t byte() {
    if (!n) return 0;
    --n;
    return *p++;
  }
  uint16_t u16() {
    uint16_t lo = byte();
    return static_cast<uint16_t>(lo | (byte() << 8));
  }
  std::string_view rest() const { return std::string_view(reinterpret_cast<const char*>(p), n); }
};

// One step of UTF-8 decoding by the Unicode standard's table of well-formed sequences
// (Table 3-7): the code point at s[i] and its length, or cp = -1 and the length of the
// "maximal subpart" that Python's decoder replaces with one U+FFFD.
struct Step {
  long cp;
  size_t len;
};
inline Step ref_step(const unsigned char* s, size_t i, size_t n) {
  const unsigned char c = s[i];
  int need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c <= 0x7F) return {c, 1};
  if (c >= 0xC2 && c <= 0xDF) need = 1;
  else if (c == 0xE0) need = 2, lo = 0xA0;
  else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) need = 2;
  else if (c == 0xED) need = 2, hi = 0x9F;
  else if (c == 0xF0) need = 3, lo = 0x90;
  else if (c >= 0xF1 && c <= 0xF3) need = 3;
  else if (c == 0xF4) need = 3, hi = 0x8F;
  else return {-1, 1};
  long cp = c & (need == 1 ? 0x1F : need == 2 ? 0x0F : 0x07);
  for (int k = 1; k <= need; ++k) {
    if (i + k >= n) return {-1, static_cast<size_t>(k)};
    const unsigned char d = s[i + k];
    if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF)) return {-1, static_cast<size_t>(k)};
    cp = (cp << 6) | (d & 0x3F);
  }
  return {cp, static_cast<size_t>(need) + 1};
}

// What Python's str.isspace() (and so str.split()) calls whitespace.
inline bool ref_space(long cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

struct RefToken {
  std::string word;      // raw bytes
  bool newline_before;   // a '\n' lies between this word and the previous one
};

// The words of `text` as Python's bytes.decode(errors=...).split() finds them, kept as raw
// bytes, and which of them follow a line break.
inline std::vector<RefToken> ref_tokens(std::string_view text) {
  std::vector<RefToken> out;
  std::string cur;
  bool nl = false;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  for (size_t i = 0; i < text.size();) {
    const Step st = ref_step(s, i, text.size());
    if (st.cp >= 0 && ref_space(st.cp)) {
      if (!cur.empty()) out.push_back({cur, nl}), cur.clear(), nl = false;
      if (st.cp == '\n') nl = true;
    } else {
      cur.append(text.substr(i, st.len));
    }
    i += st.len;
  }
  if (!cur.empty()) out.push_back({cur, nl});
  return out;
}

// UTF-8 repair: each maximal subpart of an ill-formed sequence replaced by U+FFFD (mode 0),
// dropped (mode 1), or reported by returning false (mode 2), as Python's decode does.
inline bool ref_fix_utf8(std::string_view in, int mode, std::string& out) {
  out.clear();
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  for (size_t i = 0; i < in.size();) {
    const Step st = ref_step(s, i, in.size());
    if (st.cp >= 0) {
      out.append(in.substr(i, st.len));
    } else {
      if (mode == 2) return false;
      if (mode == 0) out.append("\xEF\xBF\xBD");
    }
    i += st.len;
  }
  return true;
}

// Raw 16-bit cut values read before the data, turned into sorted offsets within [0, len].
inline std::vector<size_t> split_points(const std::vector<uint16_t>& raw, size_t len) {
  std::vector<size_t> cuts;
  for (uint16_t r : raw) cuts.push_back(r % (len + 1));
  std::sort(cuts.begin(), cuts.end());
  return cuts;
}

}  // namespace fuzz

