#include "text.h"

#include <stdexcept>

namespace fe {

// Checks the UTF-8 sequence starting at s[i] (s[i] >= 0x80) against the Unicode standard's
// table of well-formed byte sequences.  Returns its length when it is valid; otherwise 0, with
// *bad set to the length of its "maximal subpart" (the longest prefix of a well-formed sequence,
// at least 1 byte): the unit that Python's decoder, and so LineSentence, replaces with one
// U+FFFD.  Checking the second byte's range up front rejects overlong forms, surrogates and
// code points past U+10FFFF as soon as they show.
static size_t utf8_seq_len(const unsigned char* s, size_t i, size_t n, size_t* bad) {
  const unsigned char c = s[i];
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c == 0xE0) { len = 3; lo = 0xA0; }
  else if (c >= 0xE1 && c <= 0xEC) len = 3;
  else if (c == 0xED) { len = 3; hi = 0x9F; }
  else if (c >= 0xEE && c <= 0xEF) len = 3;
  else if (c == 0xF0) { len = 4; lo = 0x90; }
  else if (c >= 0xF1 && c <= 0xF3) len = 4;
  else if (c == 0xF4) { len = 4; hi = 0x8F; }
  else { *bad = 1; return 0; }
  for (size_t k = 1; k < len; ++k) {
    if (i + k >= n) { *bad = k; return 0; }
    const unsigned char d = s[i + k];
    if (k == 1 ? (d < lo || d > hi) : (d & 0xC0) != 0x80) { *bad = k; return 0; }
  }
  return len;
}

bool is_valid_utf8(std::string_view sv) {
  const auto* s = reinterpret_cast<const unsigned char*>(sv.data());
  size_t n = sv.size(), bad;
  for (size_t i = 0; i < n;) {
    if (s[i] < 0x80) { ++i; continue; }
    size_t len = utf8_seq_len(s, i, n, &bad);
    if (!len) return false;
    i += len;
  }
  return true;
}

std::string fix_utf8(std::string_view sv, Utf8Policy policy) {
  const auto* s = reinterpret_cast<const unsigned char*>(sv.data());
  size_t n = sv.size(), bad = 0;
  std::string out;
  out.reserve(n + 8);
  for (size_t i = 0; i < n;) {
    size_t len = s[i] < 0x80 ? 1 : utf8_seq_len(s, i, n, &bad);
    if (len) {
      out.append(sv.data() + i, len);
      i += len;
      continue;
    }
    if (policy == Utf8Policy::Strict)
      throw std::invalid_argument("invalid UTF-8 byte 0x" +
                                  std::string(1, "0123456789abcdef"[s[i] >> 4]) +
                                  std::string(1, "0123456789abcdef"[s[i] & 15]) + " in word");
    // One U+FFFD per maximal subpart, exactly as Python's decode(errors='replace').
    if (policy == Utf8Policy::Replace) out.append("\xEF\xBF\xBD");
    i += bad;
  }
  return out;
}

}  // namespace fe
