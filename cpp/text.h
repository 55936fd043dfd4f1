// Byte-level text helpers shared by the corpus readers and the vocabulary.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace fe {

// The ASCII characters Python's str.split() treats as whitespace, so a file and the same
// text fed through LineSentence split into the same words.
inline bool is_space(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

// 64-bit hash of a word: fast on short words, deterministic across processes
// (no dependence on PYTHONHASHSEED or std::hash).
inline uint64_t hash_bytes(const char* p, size_t n) {
  const uint64_t m = 0x9E3779B97F4A7C15ull;
  uint64_t h = 0x243F6A8885A308D3ull ^ (n * m);
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    h = (h ^ v) * m;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n) {
    uint64_t v = 0;
    std::memcpy(&v, p, n);
    h = (h ^ v) * m;
  }
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return h;
}

// Length of the UTF-8 encoded Unicode whitespace character at p (U+0085, U+00A0, U+1680,
// U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000: the rest of what str.split()
// splits on), or 0.
size_t unicode_space_len(const char* p, const char* end);

enum class Utf8Policy { Replace = 0, Ignore = 1, Strict = 2 };

bool is_valid_utf8(std::string_view s);
// Returns s with every invalid UTF-8 sequence replaced by one U+FFFD per maximal subpart, as
// Python's bytes.decode(errors='replace') does (Replace), or dropped (Ignore).
// Throws std::invalid_argument under Strict.
std::string fix_utf8(std::string_view s, Utf8Policy policy);

// Normalises a word's bytes under the UTF-8 policy (only words with bytes >= 0x80 can change),
// so counting and training map the same bytes to the same entry.
inline std::string_view normalise_word(std::string_view w, bool high, Utf8Policy policy, std::string& scratch) {
  if (!high || is_valid_utf8(w)) return w;
  scratch = fix_utf8(w, policy);
  return scratch;
}

}  // namespace fe
