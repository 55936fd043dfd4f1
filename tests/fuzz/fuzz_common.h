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

// Python's str.split() whitespace among ASCII bytes (the corpus format's word separators).
inline bool ref_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || (c >= 0x1c && c <= 0x1f);
}

struct RefToken {
  std::string word;
  bool newline_before;  // a '\n' lies between this word and the previous one
};

// Every word of `text`, and which of them follow a line break.
inline std::vector<RefToken> ref_tokens(std::string_view text) {
  std::vector<RefToken> out;
  std::string cur;
  bool nl = false;
  for (unsigned char c : text) {
    if (ref_space(c)) {
      if (!cur.empty()) out.push_back({cur, nl}), cur.clear(), nl = false;
      if (c == '\n') nl = true;
    } else {
      cur.push_back(static_cast<char>(c));
    }
  }
  if (!cur.empty()) out.push_back({cur, nl});
  return out;
}

// UTF-8 decoding by the Unicode standard's table of well-formed sequences (Table 3-7), with
// each maximal subpart of an ill-formed sequence replaced by U+FFFD (mode 0), dropped (mode 1),
// or reported by returning false (mode 2).  This is what Python's bytes.decode does.
inline bool ref_fix_utf8(std::string_view in, int mode, std::string& out) {
  out.clear();
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    int need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c <= 0x7F) need = 0;
    else if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c == 0xE0) need = 2, lo = 0xA0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) need = 2;
    else if (c == 0xED) need = 2, hi = 0x9F;
    else if (c == 0xF0) need = 3, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) need = 3;
    else if (c == 0xF4) need = 3, hi = 0x8F;
    else need = -1;
    size_t good = 1;  // bytes of a well-formed prefix
    bool ok = need >= 0;
    for (int k = 1; ok && k <= need; ++k) {
      if (i + k >= n) { ok = false; break; }
      const unsigned char d = s[i + k];
      const unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
      if (d < l || d > h) { ok = false; break; }
      ++good;
    }
    if (ok) {
      out.append(in.substr(i, static_cast<size_t>(need) + 1));
      i += static_cast<size_t>(need) + 1;
      continue;
    }
    if (mode == 2) return false;
    if (mode == 0) out.append("\xEF\xBF\xBD");
    i += good;
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

namespace fuzz {

// The tokenizer's event stream for `text`: each word, and "\n" for each line break (a word
// never holds a '\n', so the two cannot be confused).
inline std::vector<std::string> ref_events(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (unsigned char c : text) {
    if (ref_space(c)) {
      if (!cur.empty()) out.push_back(cur), cur.clear();
      if (c == '\n') out.push_back("\n");
    } else {
      cur.push_back(static_cast<char>(c));
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace fuzz
