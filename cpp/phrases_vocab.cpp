#include "phrases_vocab.h"

#include <stdexcept>

namespace fe {

void PhraseVocab::insert_at(size_t s, std::string_view key, uint64_t h, uint64_t n) {
  if (size_ >= 0xFFFFFFFEu) throw std::length_error("more than 4 billion phrase entries");
  if (key.size() > 0xFFFFFFFFu) throw std::length_error("a word longer than 4 GB");
  // Huge pages from the second block on: a small table stays small.
  if ((size_ >> kBlockBits) == blocks_.size()) blocks_.emplace_back(kBlock, false, !blocks_.empty());
  Entry& e = entry(size_);
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
  ++size_;
  slots_[s] = (h & 0xFFFFFFFF00000000ull) | size_;
  if (size_ * 10 > slots_.size() * 7) rehash(slots_.size() * 2);
}

void PhraseVocab::rehash(size_t n) {
  slots_.reset(n, true, true);  // the old slots go before the new ones are made
  const size_t mask = n - 1;
  for (size_t i = 0; i < size_; ++i) {
    const uint64_t h = entry(i).hash;
    size_t s = h & mask;
    while (slots_[s]) s = (s + 1) & mask;
    slots_[s] = (h & 0xFFFFFFFF00000000ull) | (i + 1);
  }
}

void PhraseVocab::reserve(size_t n) {
  size_t want = slots_.size();
  while (want * 7 < n * 10) want *= 2;
  if (want > slots_.size()) rehash(want);
}

void PhraseVocab::prune(uint64_t min_reduce) {
  size_t out = 0;
  std::string arena;
  for (size_t i = 0; i < size_; ++i) {
    Entry e = entry(i);
    if (e.count < min_reduce) continue;  // gensim keeps count >= min_reduce
    if (e.len > kInline) {
      const uint64_t off = arena.size();
      arena.append(data(entry(i)), e.len);
      std::memcpy(e.key + 4, &off, 8);
    }
    entry(out++) = e;
  }
  if (out == size_) return;
  size_ = out;
  blocks_.resize((size_ + kBlock - 1) >> kBlockBits);
  arena_.swap(arena);
  rehash(slots_.size());
}

void PhraseVocab::merge(PhraseVocab&& other) {
  // Each key's hash is stored: look-ups are prefetched 16 entries ahead.
  constexpr size_t kAhead = 16;
  const size_t n = other.size_;
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) prefetch_slot(other.entry(i + kAhead).hash);
    if (i + kAhead / 2 < n) prefetch_entry(other.entry(i + kAhead / 2).hash);
    const Entry& e = other.entry(i);
    add_hashed(std::string_view(other.data(e), e.len), e.hash, e.count);
    if ((i & (kBlock - 1)) == kBlock - 1) other.blocks_[i >> kBlockBits].release();
  }
  other = PhraseVocab();
}

}  // namespace fe
