// fastText's subword rules: a word is wrapped in "<" and ">", its character n-grams of
// min_n..max_n UTF-8 characters are hashed with FNV-1a (bytes sign-extended, as every released
// fastText model was built) and taken modulo `bucket`.  The vocabulary's n-gram rows are
// listed once, as the trainer's input-row table (word i: row i, then row nwords + bucket id of
// each n-gram, duplicates kept, fastText's order).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "input_rows.h"
#include "vocab.h"

namespace fe {

struct SubwordRule {
  int min_n = 3;
  int max_n = 6;          // 0: no n-grams
  uint32_t bucket = 2000000;
};

// fastText's Dictionary::hash: h ^= uint32_t(int8_t(byte)); h *= 16777619, from 2166136261.
uint32_t ft_hash(std::string_view s);

// fastText's end-of-sentence token: it never has n-grams.
inline bool is_eos(std::string_view w) { return w == "</s>"; }

// Calls fn(ngram) for each n-gram of "<" + word + ">" in fastText's order (start position,
// then length).  A one-character n-gram that is the "<" or ">" marker itself is skipped, as
// fastText does.  Nothing for "</s>" or max_n == 0.
template <class Fn>
void for_each_ngram(std::string_view word, const SubwordRule& rule, Fn&& fn) {
  if (rule.max_n <= 0 || is_eos(word)) return;
  std::string w;
  w.reserve(word.size() + 2);
  w += '<';
  w.append(word.data(), word.size());
  w += '>';
  const size_t size = w.size();
  auto continuation = [&](size_t k) { return (static_cast<unsigned char>(w[k]) & 0xC0) == 0x80; };
  for (size_t i = 0; i < size; ++i) {
    if (continuation(i)) continue;
    size_t j = i;
    for (int n = 1; j < size && n <= rule.max_n; ++n) {
      ++j;
      while (j < size && continuation(j)) ++j;
      if (n >= rule.min_n && !(n == 1 && (i == 0 || j == size))) fn(std::string_view(w.data() + i, j - i));
    }
  }
}

// The bucket ids (hash mod bucket) of a word's n-grams, appended to `out`.
void ngram_buckets(std::string_view word, const SubwordRule& rule, std::vector<int32_t>& out);

// The table of a vocabulary of `nwords` words (word(i) gives word i's bytes) over
// nwords + bucket input rows.
InputRowTable subword_table(size_t nwords, const std::function<std::string_view(size_t)>& word,
                            const SubwordRule& rule);
inline InputRowTable subword_table(const Vocab& vocab, const SubwordRule& rule) {
  return subword_table(vocab.size(), [&](size_t i) { return vocab.words.word(i); }, rule);
}

// out row i (dim floats, rows out_stride apart) = the mean of entry i's input rows: summed in
// float32 in the table's order, then scaled by float(1 / n), as fastText's getWordVector.
void compose_vectors(const float* syn0, int stride, const InputRowTable& table, float* out, int dim,
                     int out_stride);

}  // namespace fe
