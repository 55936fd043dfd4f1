// Splits raw corpus bytes into words and sentence ends: whitespace separates words (the ASCII
// set Python's str.split() uses) and '\n' ends a sentence.  A streaming variant keeps the
// partial word at the end of one buffer for the next.
#pragma once
#include <string>
#include <string_view>

#include "text.h"

namespace fe {

// Calls on_word(std::string_view word, bool has_high_bytes) for every complete word in
// [p, end) and on_newline() for every '\n'.  When `final` is false, a word touching `end` is not
// reported: the returned pointer is where it starts (end if there is none).
template <class OnWord, class OnNewline>
const char* tokenize(const char* p, const char* end, bool final, OnWord&& on_word, OnNewline&& on_newline) {
  while (p < end) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (is_space(c)) {
      if (c == '\n') on_newline();
      ++p;
      continue;
    }
    const char* start = p;
    unsigned char high = 0;
    while (p < end && !is_space(static_cast<unsigned char>(*p))) high |= static_cast<unsigned char>(*p++);
    if (p == end && !final) return start;
    on_word(std::string_view(start, static_cast<size_t>(p - start)), (high & 0x80) != 0);
  }
  return end;
}

class StreamTokenizer {
 public:
  template <class OnWord, class OnNewline>
  void feed(const char* p, size_t n, OnWord&& on_word, OnNewline&& on_newline) {
    if (!carry_.empty()) {
      // Finish the word left over from the previous buffer.
      size_t k = 0;
      while (k < n && !is_space(static_cast<unsigned char>(p[k]))) ++k;
      carry_.append(p, k);
      if (k == n) return;
      emit(on_word);
      p += k;
      n -= k;
    }
    const char* rest = tokenize(p, p + n, false, on_word, on_newline);
    carry_.assign(rest, static_cast<size_t>(p + n - rest));
  }
  template <class OnWord>
  void finish(OnWord&& on_word) {
    if (!carry_.empty()) emit(on_word);
  }

 private:
  template <class OnWord>
  void emit(OnWord& on_word) {
    bool high = false;
    for (unsigned char c : carry_) high |= (c & 0x80) != 0;
    on_word(std::string_view(carry_), high);
    carry_.clear();
  }
  std::string carry_;
};

}  // namespace fe
