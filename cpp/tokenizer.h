// Splits raw corpus bytes into words and sentence ends.  Words are separated by whitespace:
// the ASCII set and the Unicode spaces Python's str.split() uses, so a file and the same text
// fed through LineSentence split into the same words.  A streaming variant keeps the partial
// word at the end of one buffer for the next, and can apply gensim's sentence rules.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "text.h"

namespace fe {

// Longest word any corpus reader accepts (16 MiB): a stream with no whitespace (/dev/zero, a
// binary file, a decompression bomb) must end in an error, not in memory exhaustion.  Python's
// readers use the same limit (fastembed.corpus.MAX_TOKEN_BYTES).
constexpr uint64_t kMaxTokenBytes = uint64_t{1} << 24;

[[noreturn]] inline void throw_token_too_long(const std::string& where) {
  throw std::length_error(where + "a word longer than " + std::to_string(kMaxTokenBytes) +
                          " bytes (no whitespace: is it a text corpus?)");
}

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
    if (c >= 0x80) {
      if (size_t k = unicode_space_len(p, end)) {
        p += k;
        continue;
      }
    }
    const char* start = p;
    unsigned char high = 0;
    size_t skip = 0;  // length of a Unicode space ending the word
    while (p < end) {
      c = static_cast<unsigned char>(*p);
      if (is_space(c)) break;
      if (c >= 0x80) {
        if ((skip = unicode_space_len(p, end)) != 0) break;
        high = 0x80;  // only the word's own bytes: not the Unicode space that ends it
      }
      ++p;
    }
    if (p == end && !final) return start;
    on_word(std::string_view(start, static_cast<size_t>(p - start)), high != 0);
    p += skip;
  }
  return end;
}

// How a stream of words is cut into sentences: gensim's LineSentence ends one at each newline
// and splits longer lines every max_words words; Text8Corpus ignores newlines and cuts every
// max_words words.  max_words == 0 means no cap.
struct SentenceRule {
  bool newline_ends = true;
  uint64_t max_words = 0;
};

// Applies a SentenceRule to a stream of words and newlines: `words` counts the open sentence,
// and on_end() is called where the rule ends one.
struct SentenceTracker {
  SentenceRule rule;
  uint64_t words = 0;

  template <class OnEnd>
  void word(OnEnd&& on_end) {
    if (rule.max_words && words == rule.max_words) {
      on_end();
      words = 0;
    }
    ++words;
  }
  template <class OnEnd>
  void newline(OnEnd&& on_end) {
    if (rule.newline_ends) {
      on_end();
      words = 0;
    }
  }
};

class StreamTokenizer {
 public:
  StreamTokenizer() = default;
  explicit StreamTokenizer(SentenceRule rule) : sentence_{rule} {}

  // on_word(word, has_high_bytes) for each word, on_end() where a sentence ends.
  template <class OnWord, class OnEnd>
  void feed(const char* p, size_t n, OnWord&& on_word, OnEnd&& on_end) {
    auto word = [&](std::string_view w, bool high) {
      sentence_.word(on_end);
      on_word(w, high);
    };
    auto newline = [&] { sentence_.newline(on_end); };
    if (!carry_.empty()) {
      // Complete the text left over from the previous buffer up to the next ASCII space, then
      // split it (it may hold Unicode spaces once complete).
      size_t k = 0;
      while (k < n && !is_space(static_cast<unsigned char>(p[k]))) ++k;
      carry_.append(p, k);
      if (carry_.size() > kMaxTokenBytes) throw_token_too_long("");
      if (k == n) return;
      tokenize(carry_.data(), carry_.data() + carry_.size(), true, word, newline);
      carry_.clear();
      p += k;
      n -= k;
    }
    const char* rest = tokenize(p, p + n, false, word, newline);
    if (static_cast<uint64_t>(p + n - rest) > kMaxTokenBytes) throw_token_too_long("");
    carry_.assign(rest, static_cast<size_t>(p + n - rest));
  }
  // No partial word carried and no open sentence: the next byte starts afresh.
  bool clean() const { return carry_.empty() && sentence_.words == 0; }
  // The open sentence (a counter that scanned parts of a file elsewhere replays them here).
  SentenceTracker& tracker() { return sentence_; }
  template <class OnWord, class OnEnd>
  void finish(OnWord&& on_word, OnEnd&& on_end) {
    feed(" ", 1, on_word, on_end);  // flush the carried word
    on_end();
    sentence_.words = 0;
  }

 private:
  SentenceTracker sentence_;
  std::string carry_;
};

}  // namespace fe
