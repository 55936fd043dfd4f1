// Phrase detection, gensim 4's rules: one table of counts for unigrams and joined candidate
// phrases ("new_york", "bank_of_america"), mixed as gensim's dict mixes them (a corpus token
// "new_york" and the bigram new+york share one entry), the scorers, and the per-sentence
// state machine that counts candidates and that applies phrases.
#pragma once
#include <cmath>
#include <cstring>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "phrases_memory.h"
#include "text.h"
#include "word_table.h"

namespace fe {

// Keys (UTF-8 bytes) in first-seen order with their counts.  Millions of mostly cold keys are
// looked up once per word, so a look-up should touch little memory: an 8-byte slot (entry index
// and a hash tag) and one 32-byte entry holding the count and, for keys of up to 12 bytes (most
// bigrams), the key itself; longer keys live in an arena.
class PhraseVocab {
 public:
  PhraseVocab() { slots_.reset(1024, true, false); }

  void add(std::string_view key, uint64_t n = 1) { add_hashed(key, hash_bytes(key.data(), key.size()), n); }
  void add_hashed(std::string_view key, uint64_t h, uint64_t n = 1) {
    const size_t s = find_slot(key, h);
    if (slots_[s]) {
      entry((slots_[s] & 0xFFFFFFFFu) - 1).count += n;
      return;
    }
    insert_at(s, key, h, n);
  }
  uint64_t count(std::string_view key) const {
    const size_t s = find_slot(key, hash_bytes(key.data(), key.size()));
    return slots_[s] ? entry((slots_[s] & 0xFFFFFFFFu) - 1).count : 0;
  }
  size_t size() const { return size_; }
  // Hints for a look-up of hash h coming soon: its first slot, then (once that is cached) the
  // entry it points to.  Cold keys cost two cache misses each; overlapping them is the speed-up.
  void prefetch_slot(uint64_t h) const { __builtin_prefetch(&slots_[h & (slots_.size() - 1)]); }
  void prefetch_entry(uint64_t h) const {
    const uint64_t slot = slots_[h & (slots_.size() - 1)];
    if (slot) __builtin_prefetch(&entry((slot & 0xFFFFFFFFu) - 1));
  }
  std::string_view key(size_t i) const { return std::string_view(data(entry(i)), entry(i).len); }
  uint64_t count_at(size_t i) const { return entry(i).count; }
  // gensim's utils.prune_vocab: drops the entries counted fewer than min_reduce times, keeping
  // the others' order (a dropped key seen again is appended, as in a dict).
  void prune(uint64_t min_reduce);
  // Adds every entry of `other` in its order (first-seen order is kept when `other` counted
  // text that follows this table's), freeing `other` block by block as it goes.
  void merge(PhraseVocab&& other);
  void reserve(size_t n);
  size_t memory_bytes() const {
    return blocks_.size() * kBlock * sizeof(Entry) + slots_.size() * 8 + arena_.capacity();
  }

 private:
  static constexpr uint32_t kInline = 12;
  struct Entry {
    uint64_t hash;
    uint64_t count;
    uint32_t len;
    char key[kInline];  // the key, or (from byte 4) its arena offset when longer
  };
  static_assert(sizeof(Entry) == 32, "one entry, half a cache line");
  // Entries live in fixed blocks: growing never copies them (no moment with two copies of
  // millions of entries), and a merged table frees its blocks one at a time.
  static constexpr size_t kBlockBits = 16, kBlock = size_t{1} << kBlockBits;
  Entry& entry(size_t i) { return blocks_[i >> kBlockBits][i & (kBlock - 1)]; }
  const Entry& entry(size_t i) const { return blocks_[i >> kBlockBits][i & (kBlock - 1)]; }

  const char* data(const Entry& e) const {
    if (e.len <= kInline) return e.key;
    uint64_t off;
    std::memcpy(&off, e.key + 4, 8);
    return arena_.data() + off;
  }
  // The slot holding key, or the empty slot where it would go.
  size_t find_slot(std::string_view key, uint64_t h) const {
    const size_t mask = slots_.size() - 1;
    const uint64_t tag = h & 0xFFFFFFFF00000000ull;
    for (size_t s = h & mask;; s = (s + 1) & mask) {
      const uint64_t slot = slots_[s];
      if (slot == 0) return s;
      if ((slot & 0xFFFFFFFF00000000ull) == tag) {
        const Entry& e = entry((slot & 0xFFFFFFFFu) - 1);
        if (e.len == key.size() && std::memcmp(data(e), key.data(), key.size()) == 0) return s;
      }
    }
  }
  void insert_at(size_t s, std::string_view key, uint64_t h, uint64_t n);
  void rehash(size_t slots);

  std::vector<HugeArray<Entry>> blocks_;
  size_t size_ = 0;
  HugeArray<uint64_t> slots_;  // hash tag (top 32 bits) | entry index + 1; 0 = empty
  std::string arena_;
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
// key)` returns the candidate's score or NaN when it is no phrase (key = the joined tokens);
// `score.may_join(a, b)` false rules a candidate out before its key is built.
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
      double sc = none;
      if (score.may_join(words[start], words[i])) {
        key.clear();
        for (size_t j = start; j <= i; ++j) {
          if (j > start) key += s.delimiter;
          key.append(words[j]);
        }
        sc = score(words[start], words[i], std::string_view(key));
      }
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

// A set of 64-bit hashes (open addressing; 0 stands for itself in a flag).
class HashSet64 {
 public:
  void build(const std::vector<uint64_t>& hashes) {
    size_t n = 16;
    while (n < hashes.size() * 2) n *= 2;
    slots_.assign(n, 0);
    has_zero_ = false;
    for (uint64_t h : hashes) {
      if (h == 0) {
        has_zero_ = true;
        continue;
      }
      size_t s = h & (n - 1);
      while (slots_[s] && slots_[s] != h) s = (s + 1) & (n - 1);
      slots_[s] = h;
    }
  }
  bool contains(uint64_t h) const {
    if (h == 0) return has_zero_;
    const size_t mask = slots_.size() - 1;
    for (size_t s = h & mask;; s = (s + 1) & mask) {
      if (slots_[s] == h) return true;
      if (slots_[s] == 0) return false;
    }
  }

 private:
  std::vector<uint64_t> slots_ = std::vector<uint64_t>(16, 0);
  bool has_zero_ = false;
};

// FrozenPhrases' table: phrase -> score.  seal() indexes which words can start or end a phrase
// (every piece of a key before or after an occurrence of the delimiter), so most candidates
// are ruled out by two look-ups in small, cached sets instead of building their key.
class PhraseScores {
 public:
  void set(std::string_view key, double score) {
    const size_t i = keys_.insert(key);
    if (i == scores_.size()) scores_.push_back(score);
    scores_[i] = score;
    sealed_ = false;
  }
  void seal(std::string_view delimiter) {
    std::vector<uint64_t> starts, ends;
    for (size_t i = 0; i < keys_.size(); ++i) {
      const std::string_view k = keys_.word(i);
      for (size_t at = k.find(delimiter); at != std::string_view::npos; at = k.find(delimiter, at + 1)) {
        starts.push_back(hash_bytes(k.data(), at));
        const size_t rest = at + delimiter.size();
        ends.push_back(hash_bytes(k.data() + rest, k.size() - rest));
      }
    }
    starts_.build(starts);
    ends_.build(ends);
    sealed_ = true;
  }
  bool may_join(std::string_view a, std::string_view b) const {
    return !sealed_ || (starts_.contains(hash_bytes(a.data(), a.size())) && ends_.contains(hash_bytes(b.data(), b.size())));
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
  HashSet64 starts_, ends_;
  bool sealed_ = false;
};

// Counts one sentence's unigrams and candidates into a PhraseVocab (gensim's _learn_vocab):
// connector words count only towards the corpus size, every non-connector word is a unigram,
// and each one after the first closes a candidate from the previous non-connector word.
// Additions are queued a few deep and prefetched, then applied in order (so first-seen order
// is unchanged); flush() applies the queue, and the table is exact only after it.
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
    queue(w);
    if (open_) {
      prefix_.append(w);
      queue(prefix_);
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
  void flush() {
    while (tail_ != head_) apply_oldest();
  }
  // Additions not yet applied (the table may be this much bigger after flush()).
  size_t pending() const { return head_ - tail_; }
  uint64_t words() const { return words_; }
  uint64_t sentences() const { return sentences_; }

 private:
  static constexpr size_t kDepth = 32;  // a power of two
  struct Op {
    std::string key;
    uint64_t hash = 0;
  };
  void queue(std::string_view key) {
    if (head_ - tail_ == kDepth) apply_oldest();
    Op& op = ring_[head_ & (kDepth - 1)];
    op.key.assign(key);
    op.hash = hash_bytes(key.data(), key.size());
    vocab_.prefetch_slot(op.hash);
    ++head_;
    if (head_ - tail_ > kDepth / 2) vocab_.prefetch_entry(ring_[(head_ - kDepth / 2) & (kDepth - 1)].hash);
  }
  void apply_oldest() {
    const Op& op = ring_[tail_ & (kDepth - 1)];
    vocab_.add_hashed(op.key, op.hash);
    ++tail_;
  }

  PhraseVocab& vocab_;
  const PhraseSettings& s_;
  std::string prefix_;  // the open candidate: its first word and connectors, each + delimiter
  bool open_ = false;
  uint64_t words_ = 0, sentences_ = 0;
  Op ring_[kDepth];
  size_t head_ = 0, tail_ = 0;
};

}  // namespace fe
