// Cuts a stream of corpus bytes into pieces that other threads can tokenise on their own: each
// piece ends at ASCII whitespace (never inside a word or a UTF-8 sequence) and carries how many
// words of its first sentence came before it, so gensim's max_words rule stays exact across
// cuts.  The cutting thread only scans for whitespace and counts words; the costly part, word
// look-up, moves to the workers.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "tokenizer.h"

namespace fe {

// Tokenises one piece under `rule`, given `sentence_words` words of an open sentence before
// it: on_word(word, has_high_bytes) for each word and on_end() at each sentence end, including
// the piece's end (windows stop at a cut).  Returns the open sentence's word count at the end,
// which the next piece starts from.
template <class OnWord, class OnEnd>
uint64_t tokenize_piece(std::string_view text, uint64_t sentence_words, SentenceRule rule, OnWord&& on_word,
                        OnEnd&& on_end) {
  SentenceTracker sentence{rule, sentence_words};
  tokenize(
      text.data(), text.data() + text.size(), true,
      [&](std::string_view w, bool high) {
        sentence.word(on_end);
        on_word(w, high);
      },
      [&] { sentence.newline(on_end); });
  on_end();
  return sentence.words;
}

// tokenize_piece's return value (the open sentence's word count after `text`), without
// building words when the text is ASCII: the cutting thread runs this over every byte of a
// stream while the workers train, and only non-ASCII text can hold Unicode spaces.
inline uint64_t sentence_words_after(std::string_view text, uint64_t sentence_words, SentenceRule rule) {
  unsigned char any = 0;
  for (unsigned char c : text) any |= c;
  if (any & 0x80) return tokenize_piece(text, sentence_words, rule, [](std::string_view, bool) {}, [] {});
  // Only the words after the last sentence-ending newline count, from a fresh sentence.
  if (rule.newline_ends) {
    const size_t nl = text.rfind('\n');
    if (nl != std::string_view::npos) {
      text.remove_prefix(nl + 1);
      sentence_words = 0;
    }
  }
  // Word starts: a non-space byte after a space (a piece starts just after whitespace).
  static const auto space = [] {
    std::array<uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = is_space(static_cast<unsigned char>(c));
    return t;
  }();
  uint64_t words = 0;
  uint8_t prev = 1;
  for (unsigned char c : text) {
    const uint8_t sp = space[c];
    words += prev & (sp ^ 1);
    prev = sp;
  }
  // SentenceTracker's rule: a sentence at max_words words is ended before the next word.
  const uint64_t total = sentence_words + words;
  if (!rule.max_words || total <= rule.max_words) return total;
  return (total - 1) % rule.max_words + 1;
}

class StreamCutter {
 public:
  static constexpr size_t kDefaultPieceBytes = 64 << 10;
  explicit StreamCutter(SentenceRule rule = {}, size_t piece_bytes = kDefaultPieceBytes)
      : rule_(rule), piece_bytes_(piece_bytes ? piece_bytes : 1) {}

  // on_piece(std::string&& text, uint64_t sentence_words) for every piece completed by p[0, n).
  template <class OnPiece>
  void feed(const char* p, size_t n, OnPiece&& on_piece) {
    size_t scanned = raw_.size();  // raw_ never holds whitespace once a feed returns
    raw_.append(p, n);
    // Pieces are cut from `start` on and raw_ is compacted once at the end: erasing each piece
    // from the front would move the rest of a 1 MB block sixteen times.
    size_t start = 0;
    while (raw_.size() - start >= piece_bytes_) {
      // After the last whitespace byte of the first piece_bytes_ (or, for a giant word, the
      // first one after them).
      size_t cut = 0;
      for (size_t i = start + piece_bytes_; i-- > start;)
        if (is_space(static_cast<unsigned char>(raw_[i]))) {
          cut = i + 1;
          break;
        }
      for (size_t i = std::max(start + piece_bytes_, scanned); !cut && i < raw_.size(); ++i)
        if (is_space(static_cast<unsigned char>(raw_[i]))) cut = i + 1;
      if (!cut) break;  // one word so far: wait for its end
      emit(start, cut, on_piece);
      start = cut;
      scanned = 0;
    }
    raw_.erase(0, start);
  }
  // The end of a file: the rest is a piece, and the next byte starts a new sentence.
  template <class OnPiece>
  void finish(OnPiece&& on_piece) {
    if (!raw_.empty()) emit(0, raw_.size(), on_piece);
    raw_.clear();
    sentence_words_ = 0;
  }
  SentenceRule rule() const { return rule_; }

 private:
  // Hands raw_[begin, end) on as a piece.
  template <class OnPiece>
  void emit(size_t begin, size_t end, OnPiece& on_piece) {
    std::string text(raw_, begin, end - begin);
    const uint64_t before = sentence_words_;
    // The open sentence's length only matters under a cap; without one, skip the scan.
    if (rule_.max_words) sentence_words_ = sentence_words_after(text, before, rule_);
    on_piece(std::move(text), before);
  }

  SentenceRule rule_;
  size_t piece_bytes_;
  std::string raw_;                  // fed, not yet cut
  uint64_t sentence_words_ = 0;      // words of the open sentence before raw_
};

}  // namespace fe
