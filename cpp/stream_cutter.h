// Cuts a stream of corpus bytes into pieces that other threads can tokenise on their own: each
// piece ends at ASCII whitespace (never inside a word or a UTF-8 sequence) and carries how many
// words of its first sentence came before it, so gensim's max_words rule stays exact across
// cuts.  The cutting thread only scans for whitespace and counts words; the costly part, word
// look-up, moves to the workers.
#pragma once
#include <algorithm>
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
    while (raw_.size() >= piece_bytes_) {
      // After the last whitespace byte of the first piece_bytes_ (or, for a giant word, the
      // first one after them).
      size_t cut = 0;
      for (size_t i = piece_bytes_; i-- > 0;)
        if (is_space(static_cast<unsigned char>(raw_[i]))) {
          cut = i + 1;
          break;
        }
      for (size_t i = std::max(piece_bytes_, scanned); !cut && i < raw_.size(); ++i)
        if (is_space(static_cast<unsigned char>(raw_[i]))) cut = i + 1;
      if (!cut) return;  // one word so far: wait for its end
      emit(cut, on_piece);
      scanned = 0;
    }
  }
  // The end of a file: the rest is a piece, and the next byte starts a new sentence.
  template <class OnPiece>
  void finish(OnPiece&& on_piece) {
    if (!raw_.empty()) emit(raw_.size(), on_piece);
    sentence_words_ = 0;
  }
  SentenceRule rule() const { return rule_; }

 private:
  template <class OnPiece>
  void emit(size_t end, OnPiece& on_piece) {
    std::string text(raw_, 0, end);
    raw_.erase(0, end);
    const uint64_t before = sentence_words_;
    // The open sentence's length only matters under a cap; without one, skip the scan.
    if (rule_.max_words) sentence_words_ = tokenize_piece(text, before, rule_, [](std::string_view, bool) {}, [] {});
    on_piece(std::move(text), before);
  }

  SentenceRule rule_;
  size_t piece_bytes_;
  std::string raw_;                  // fed, not yet cut
  uint64_t sentence_words_ = 0;      // words of the open sentence before raw_
};

}  // namespace fe
