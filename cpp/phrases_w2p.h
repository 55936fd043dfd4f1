// The word2vec C distribution's word2phrase tool, rule for rule: tokens are split at space, tab
// and newline only, carriage returns are dropped, words are cut to 58 bytes and bigram keys
// ("a_b") to 59 (the tool's MAX_STRING), bigrams are counted across line ends, entries counted
// fewer than min_count times are dropped, and a word is joined to the one before it when
//   (count(ab) - min_count) / count(a) / count(b) * train_words > threshold
// in float32 arithmetic, never to a word that was itself joined to its predecessor.  Output:
// every word preceded by ' ' or '_', newlines kept.
//
// Where the tool is undefined or loses data, fastembed differs on purpose: the file's first
// word has no predecessor (the tool reads an uninitialised buffer), and a last word with no
// whitespace after it is counted and written (the tool drops it).
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "phrases_vocab.h"

namespace fe {

struct Word2PhraseStats {
  uint64_t train_words = 0;  // words in the file (newlines excluded)
  uint64_t entries = 0;      // unigrams + bigrams counted at least min_count times
};

// word2phrase -train src -min-count min_count -threshold threshold, written to out_fd.
// `threads` count the file in byte ranges; the transform is one pass.
Word2PhraseStats word2phrase(const std::string& src, int out_fd, int64_t min_count, float threshold, int threads,
                             const std::atomic<bool>* stop = nullptr, std::atomic<uint64_t>* bytes_done = nullptr);

namespace w2p {
constexpr size_t kMaxWord = 58;    // MAX_STRING - 2: ReadWord keeps at most this many bytes
constexpr size_t kMaxBigram = 59;  // MAX_STRING - 1: bigram_word[MAX_STRING - 1] = 0

// Splits bytes into the tool's tokens: on_word(std::string_view) and on_newline(); the word
// being read when a buffer ends is kept for the next.
class Tokens {
 public:
  template <class OnWord, class OnNewline>
  void feed(const char* p, size_t n, OnWord&& on_word, OnNewline&& on_newline) {
    for (size_t i = 0; i < n; ++i) {
      const char c = p[i];
      if (c == '\r') continue;
      if (c == ' ' || c == '\t' || c == '\n') {
        if (raw_) emit(on_word);
        if (c == '\n') on_newline();
        continue;
      }
      ++raw_;
      if (c == '\0') nul_ = true;  // the tool's C strings end at a NUL byte
      if (!nul_ && word_.size() < kMaxWord) word_ += c;
    }
  }
  template <class OnWord>
  void finish(OnWord&& on_word) {
    if (raw_) emit(on_word);
  }

 private:
  template <class OnWord>
  void emit(OnWord& on_word) {
    on_word(std::string_view(word_));
    word_.clear();
    raw_ = 0;
    nul_ = false;
  }
  std::string word_;
  size_t raw_ = 0;  // bytes read for this word (a word of NUL bytes is an empty C string)
  bool nul_ = false;
};

// last + '_' + word, cut to the tool's bigram length.
inline void bigram(std::string_view last, std::string_view word, std::string& out) {
  out.assign(last);
  out += '_';
  out.append(word);
  if (out.size() > kMaxBigram) out.resize(kMaxBigram);
}

// The tool's join decision for one word: score 0 for any missing count, else its float32 formula.
inline bool joins(bool prev_known, uint64_t pa, bool word_known, uint64_t pb, bool bigram_known, uint64_t pab,
                  int64_t min_count, float train_words, float threshold) {
  const bool oov = !word_known || !prev_known || !bigram_known || static_cast<int64_t>(pa) < min_count ||
                   static_cast<int64_t>(pb) < min_count;
  float score = 0;
  if (!oov)
    score = static_cast<float>(static_cast<int64_t>(pab) - min_count) / static_cast<float>(pa) /
            static_cast<float>(pb) * train_words;
  return score > threshold;
}
}  // namespace w2p

}  // namespace fe
