#include "phrases_vocab.h"

#include <stdexcept>

namespace fe {

void PhraseVocab::insert_at(size_t s, std::string_view key, uint64_t h, uint64_t n) {
  if (entries_.size() >= 0xFFFFFFFEu) throw std::length_error("more than 4 billion phrase entries");
  if (key.size() > 0xFFFFFFFFu) throw std::length_error("a word longer than 4 GB");
  Entry e{};
  e.hash = h;
  e.count = n;
  e.len = static_cast<uint32_t>(key.size());
  if (key.size() <= kInline) {
    std::memcpy(e.key, key.data(), key.size());
  } else {
    const uint64_t off = arena_.size();
    arena_.append(key);
    std::memcpy(e.key + 4, &off, 8);
  }
  entries_.push_back(e);
  slots_[s] = (h & 0xFFFFFFFF00000000ull) | entries_.size();
  if (entries_.size() * 10 > slots_.size() * 7) rehash(slots_.size() * 2);
}

void PhraseVocab::rehash(size_t n) {
  slots_.assign(n, 0);
  const size_t mask = n - 1;
  for (size_t i = 0; i < entries_.size(); ++i) {
    size_t s = entries_[i].hash & mask;
    while (slots_[s]) s = (s + 1) & mask;
    slots_[s] = (entries_[i].hash & 0xFFFFFFFF00000000ull) | (i + 1);
  }
}

void PhraseVocab::reserve(size_t n) {
  entries_.reserve(n);
  size_t want = slots_.size();
  while (want * 7 < n * 10) want *= 2;
  if (want > slots_.size()) rehash(want);
}

void PhraseVocab::prune(uint64_t min_reduce) {
  size_t out = 0;
  std::string arena;
  for (size_t i = 0; i < entries_.size(); ++i) {
    Entry e = entries_[i];
    if (e.count < min_reduce) continue;  // gensim keeps count >= min_reduce
    if (e.len > kInline) {
      const uint64_t off = arena.size();
      arena.append(data(entries_[i]), e.len);
      std::memcpy(e.key + 4, &off, 8);
    }
    entries_[out++] = e;
  }
  if (out == entries_.size()) return;
  entries_.resize(out);
  arena_.swap(arena);
  rehash(slots_.size());
}

void PhraseVocab::merge(const PhraseVocab& other) {
  for (size_t i = 0; i < other.size(); ++i) add(other.key(i), other.count_at(i));
}

}  // namespace fe
