// Applying phrases: a sentence's tokens joined where gensim's analyze_sentence joins them,
// scored from a Phrases model's counts or looked up in a FrozenPhrases table; and the same over
// a whole plain file, written one sentence per line by several threads.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "phrases_vocab.h"
#include "tokenizer.h"

namespace fe {

// Either a model's counts (vocab != nullptr) or a frozen table.
struct PhraseScorer {
  const PhraseSettings* settings = nullptr;
  const PhraseVocab* vocab = nullptr;
  uint64_t corpus_words = 0;
  const PhraseScores* frozen = nullptr;

  bool may_join(std::string_view a, std::string_view b) const { return vocab || frozen->may_join(a, b); }
  double operator()(std::string_view a, std::string_view b, std::string_view key) const {
    if (vocab) return score_from_counts(*vocab, corpus_words, *settings, a, b, key);
    return frozen->score(key, settings->threshold);
  }
};

// One sentence at a time: words are copied in (their views need not outlive word()), then
// analysed.
class SentenceBuffer {
 public:
  void word(std::string_view w) {
    bytes_.append(w);
    ends_.push_back(bytes_.size());
  }
  bool empty() const { return ends_.empty(); }
  void clear() {
    bytes_.clear();
    ends_.clear();
  }
  // Views of the words (valid until the next word() or clear()).
  const std::vector<std::string_view>& words() {
    views_.clear();
    size_t start = 0;
    for (size_t e : ends_) {
      views_.emplace_back(bytes_.data() + start, e - start);
      start = e;
    }
    return views_;
  }

 private:
  std::string bytes_;
  std::vector<size_t> ends_;
  std::vector<std::string_view> views_;
};

// Appends the sentence's output tokens to `out`, separated by single spaces, and a newline.
void write_phrased(const std::vector<std::string_view>& words, const PhraseScorer& scorer, std::string& key,
                   std::vector<PhraseSpan>& spans, std::string& out);

// Reads the plain file `src` with sentences under `rule` and writes each non-empty sentence,
// phrases joined, as one line of space-separated tokens to the file descriptor `out_fd`.
// Returns the number of sentences written.
uint64_t transform_file(const std::string& src, SentenceRule rule, int threads, const PhraseScorer& scorer,
                        int out_fd, const std::atomic<bool>* stop = nullptr,
                        std::atomic<uint64_t>* bytes_done = nullptr);

// Writes all of [p, p + n) to fd; throws std::system_error naming `what`.
void write_all(int fd, const char* p, size_t n, const char* what);

}  // namespace fe
