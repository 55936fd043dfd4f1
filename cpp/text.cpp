#include "text.h"

#include <stdexcept>

namespace fe {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid.
static size_t utf8_seq_len(const unsigned char* s, size_t i, size_t n) {
  unsigned char c = s[i];
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
  else return 0;
  if (i + len > n) return 0;
  for (size_t k = 1; k < len; ++k) {
    unsigned char d = s[i + k];
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  // Reject overlong forms, surrogates and code points past U+10FFFF.
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

bool is_valid_utf8(std::string_view sv) {
  const auto* s = reinterpret_cast<const unsigned char*>(sv.data());
  size_t n = sv.size();
  for (size_t i = 0; i < n;) {
    if (s[i] < 0x80) { ++i; continue; }
    size_t len = utf8_seq_len(s, i, n);
    if (!len) return false;
    i += len;
  }
  return true;
}

std::string fix_utf8(std::string_view sv, Utf8Policy policy) {
  const auto* s = reinterpret_cast<const unsigned char*>(sv.data());
  size_t n = sv.size();
  std::string out;
  out.reserve(n + 8);
  for (size_t i = 0; i < n;) {
    size_t len = s[i] < 0x80 ? 1 : utf8_seq_len(s, i, n);
    if (len) {
      out.append(sv.data() + i, len);
      i += len;
      continue;
    }
    if (policy == Utf8Policy::Strict)
      throw std::invalid_argument("invalid UTF-8 byte 0x" +
                                  std::string(1, "0123456789abcdef"[s[i] >> 4]) +
                                  std::string(1, "0123456789abcdef"[s[i] & 15]) + " in word");
    if (policy == Utf8Policy::Replace) out.append("\xEF\xBF\xBD");
    ++i;  // one replacement per invalid byte, as Python's decode(errors='replace') mostly does
  }
  return out;
}

}  // namespace fe
