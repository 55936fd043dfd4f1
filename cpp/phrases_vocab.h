// Phrase detection, gensim 4's rules: one table of counts for unigrams and joined candidate
// phrases ("new_york", "bank_of_america"), mixed as gensim's dict mixes them (a corpus token
// "new_york" and the bigram new+york share one entry), the scorers, and the per-sentence
// state machine that counts candidates and that applies phrases.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "word_table.h"

namespace fe {

// Keys (UTF-8 bytes) in first-seen order with their counts.
class PhraseVocab {
 public:
  void add(std::string_view key, uint64_t n = 1) {
    const size_t i = keys_.insert(key);
    if (i == counts_.size()) counts_.push_back(0);
    counts_[i] += n;
  }
  uint64_t count(std::string_view key) const {
    const int64_t i = keys_.find(key);
    return i < 0 ? 0 : counts_[static_cast<size_t>(i)];
  }
  size_t size() const { return counts_.size(); }
  std::string_view key(size_t i) const { return keys_.word(i); }
  uint64_t count_at(size_t i) const { return counts_[i]; }
  // gensim's utils.prune_vocab: drops the entries counted fewer than min_reduce times, keeping
  // the others' order (a dropped key seen again is appended, as in a dict).
  void prune(uint64_t min_reduce);
  // Adds every entry of `other` in its order (first-seen order is kept when `other` counted
  // text that follows this table's).
  void merge(const PhraseVocab& other);
  void reserve(size_t n) {
    keys_.reserve(n);
    counts_.reserve(n);
  }
  size_t memory_bytes() const { return keys_.memory_bytes() + counts_.capacity() * 8; }

 private:
  WordTable keys_;
  std::vector<uint64_t> counts_;
};

// A set of words (connector words).
class WordSet {
 public:
  void add(std::string_view w) { table_.insert(w); }
  bool empty() const { return table_.size() == 0; }
  size_t size() const { return table_.size(); }
  std::string_view word(size_t i) const { return table_.word(i); }
  bool contains(std::string_view w) const { return table_.size() != 0 && table_.find(w) >= 0; }

 private:
  WordTable table_;
};

enum class Scoring { Default = 0, Npmi = 1 };

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// gensim's original_scorer (Mikolov et al.): (count(ab) - min_count) / (count(a) count(b)) * |vocab|,
// evaluated in the same order as Python does with the same float64 roundings.
inline double default_score(uint64_t a, uint64_t b, uint64_t ab, uint64_t len_vocab, double min_count) {
  const unsigned __int128 denom = static_cast<unsigned __int128>(a) * b;  // a Python int never overflows
  if (denom == 0) return kNegInf;
  return (static_cast<double>(ab) - min_count) / static_cast<double>(denom) * static_cast<double>(len_vocab);
}

// gensim's npmi_scorer (Bouma 2009): ln(p(ab) / (p(a) p(b))) / -ln(p(ab)), -inf below min_count.
inline double npmi_score(uint64_t a, uint64_t b, uint64_t ab, uint64_t corpus_words, double min_count) {
  if (!(static_cast<double>(ab) >= min_count)) return kNegInf;
  const double n = static_cast<double>(corpus_words);
  const double pa = static_cast<double>(a) / n, pb = static_cast<double>(b) / n, pab = static_cast<double>(ab) / n;
  const double ratio = pab / (pa * pb);
  if (!(ratio > 0) || !(pab > 0)) return kNegInf;  // Python's log raises on 0: gensim returns -inf
  return std::log(ratio) / -std::log(pab);
}

struct PhraseSettings {
  double min_count = 5;
  double threshold = 10;
  Scoring scoring = Scoring::Default;
  std::string delimiter = "_";
  WordSet connectors;
};

// A phrase found in a sentence: tokens [begin, end) joined by the delimiter.
struct PhraseSpan {
  uint32_t begin, end;
  double score;  // NaN for a single token
};

// gensim's _PhrasesTransformation.analyze_sentence over one sentence: a candidate runs from a
// non-connector word over any connector words to the next non-connector word; `score(a, b,
// key)` returns the candidate's score or NaN when it is no phrase (key = the joined tokens).
// Appends one span per output token to `out`.
template <class Score>
void analyze_sentence(const std::vector<std::string_view>& words, const PhraseSettings& s, Score&& score,
                      std::string& key, std::vector<PhraseSpan>& out) {
  const double none = std::numeric_limits<double>::quiet_NaN();
  const size_t n = words.size();
  size_t start = SIZE_MAX;  // the open candidate's first word
  for (size_t i = 0; i < n; ++i) {
    if (s.connectors.contains(words[i])) {
      if (start == SIZE_MAX) out.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1), none});
      continue;  // inside a candidate: it grows
    }
    if (start != SIZE_MAX) {
      key.clear();
      for (size_t j = start; j <= i; ++j) {
        if (j > start) key += s.delimiter;
        key.append(words[j]);
      }
      const double sc = score(words[start], words[i], std::string_view(key));
      if (!std::isnan(sc)) {
        out.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(i + 1), sc});
        start = SIZE_MAX;
        continue;
      }
      for (size_t j = start; j < i; ++j) out.push_back({static_cast<uint32_t>(j), static_cast<uint32_t>(j + 1), none});
    }
    start = i;
  }
  if (start != SIZE_MAX)
    for (size_t j = start; j < n; ++j) out.push_back({static_cast<uint32_t>(j), static_cast<uint32_t>(j + 1), none});
}

// Phrases.score_candidate: the counts of a, b and the joined candidate, all seen, and a score
// above the threshold; NaN otherwise.
inline double score_from_counts(const PhraseVocab& v, uint64_t corpus_words, const PhraseSettings& s,
                                std::string_view a, std::string_view b, std::string_view key) {
  const double none = std::numeric_limits<double>::quiet_NaN();
  const uint64_t ca = v.count(a);
  if (!ca) return none;
  const uint64_t cb = v.count(b);
  if (!cb) return none;
  const uint64_t cab = v.count(key);
  if (!cab) return none;
  const double sc = s.scoring == Scoring::Npmi ? npmi_score(ca, cb, cab, corpus_words, s.min_count)
                                               : default_score(ca, cb, cab, v.size(), s.min_count);
  return sc <= s.threshold ? none : sc;
}

// FrozenPhrases' table: phrase -> score.
class PhraseScores {
 public:
  void set(std::string_view key, double score) {
    const size_t i = keys_.insert(key);
    if (i == scores_.size()) scores_.push_back(score);
    scores_[i] = score;
  }
  size_t size() const { return scores_.size(); }
  std::string_view key(size_t i) const { return keys_.word(i); }
  double score_at(size_t i) const { return scores_[i]; }
  // FrozenPhrases.score_candidate: the stored score if above the threshold, NaN otherwise.
  double score(std::string_view key, double threshold) const {
    const int64_t i = keys_.find(key);
    const double sc = i < 0 ? kNegInf : scores_[static_cast<size_t>(i)];
    return sc > threshold ? sc : std::numeric_limits<double>::quiet_NaN();
  }

 private:
  WordTable keys_;
  std::vector<double> scores_;
};

// Counts one sentence's unigrams and candidates into a PhraseVocab (gensim's _learn_vocab):
// connector words count only towards the corpus size, every non-connector word is a unigram,
// and each one after the first closes a candidate from the previous non-connector word.
class SentenceCounter {
 public:
  SentenceCounter(PhraseVocab& vocab, const PhraseSettings& s) : vocab_(vocab), s_(s) {}
  void word(std::string_view w) {
    ++words_;
    if (s_.connectors.contains(w)) {
      if (open_) {
        prefix_.append(w);
        prefix_ += s_.delimiter;
      }
      return;
    }
    vocab_.add(w);
    if (open_) {
      prefix_.append(w);
      vocab_.add(prefix_);
    }
    prefix_.assign(w);
    prefix_ += s_.delimiter;
    open_ = true;
  }
  void end_sentence() {
    open_ = false;
    prefix_.clear();
    ++sentences_;
  }
  uint64_t words() const { return words_; }
  uint64_t sentences() const { return sentences_; }

 private:
  PhraseVocab& vocab_;
  const PhraseSettings& s_;
  std::string prefix_;  // the open candidate: its first word and connectors, each + delimiter
  bool open_ = false;
  uint64_t words_ = 0, sentences_ = 0;
};

}  // namespace fe
