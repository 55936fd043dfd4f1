#include "text.h"

#include <stdexcept>

namespace fe {

// Decodes the UTF-8 sequence at s[i]: returns its length when valid, or minus the length of
// its "maximal subpart" (the bytes that one U+FFFD replaces, as Python's decoder does).
static long utf8_step(const unsigned char* s, size_t i, size_t n) {
  const unsigned char c = s[i];
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the first continuation byte
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c == 0xE0) { len = 3; lo = 0xA0; }
  else if (c >= 0xE1 && c <= 0xEC) len = 3;
  else if (c == 0xED) { len = 3; hi = 0x9F; }
  else if (c >= 0xEE && c <= 0xEF) len = 3;
  else if (c == 0xF0) { len = 4; lo = 0x90; }
  else if (c >= 0xF1 && c <= 0xF3) len = 4;
  else if (c == 0xF4) { len = 4; hi = 0x8F; }
  else return -1;
  for (size_t k = 1; k < len; ++k) {
    if (i + k >= n) return -static_cast<long>(k);
    const unsigned char d = s[i + k];
    if (k == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xBF)) return -static_cast<long>(k);
  }
  return static_cast<long>(len);
}

bool is_valid_utf8(std::string_view sv) {
  const auto* s = reinterpret_cast<const unsigned char*>(sv.data());
  const size_t n = sv.size();
  for (size_t i = 0; i < n;) {
    if (s[i] < 0x80) { ++i; continue; }
    const long step = utf8_step(s, i, n);
    if (step < 0) return false;
    i += static_cast<size_t>(step);
  }
  return true;
}

std::string fix_utf8(std::string_view sv, Utf8Policy policy) {
  const auto* s = reinterpret_cast<const unsigned char*>(sv.data());
  const size_t n = sv.size();
  std::string out;
  out.reserve(n + 8);
  for (size_t i = 0; i < n;) {
    const long step = utf8_step(s, i, n);
    if (step > 0) {
      out.append(sv.data() + i, static_cast<size_t>(step));
      i += static_cast<size_t>(step);
      continue;
    }
    if (policy == Utf8Policy::Strict) {
      static const char hex[] = "0123456789abcdef";
      throw std::invalid_argument(std::string("invalid UTF-8 byte 0x") + hex[s[i] >> 4] + hex[s[i] & 15] +
                                  " in a word of the corpus (unicode_errors='strict')");
    }
    if (policy == Utf8Policy::Replace) out.append("\xEF\xBF\xBD");
    i += static_cast<size_t>(-step);
  }
  return out;
}

size_t unicode_space_len(const char* p, const char* end) {
  const auto* s = reinterpret_cast<const unsigned char*>(p);
  const size_t n = static_cast<size_t>(end - p);
  if (n >= 2 && s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0)) return 2;  // U+0085, U+00A0
  if (n < 3) return 0;
  if (s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80) return 3;  // U+1680
  if (s[0] == 0xE2 && s[1] == 0x80 && (s[2] <= 0x8A || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF))
    return s[2] >= 0x80 ? 3 : 0;                                    // U+2000-200A, 2028, 2029, 202F
  if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F) return 3;  // U+205F
  if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) return 3;  // U+3000
  return 0;
}

}  // namespace fe
