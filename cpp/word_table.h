// An open-addressing hash table from words (byte strings) to dense indices 0..size-1.
// Words live in one arena so a lookup touches few cache lines.
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "text.h"

namespace fe {

class WordTable {
 public:
  WordTable() { rehash(1024); }

  size_t size() const { return offsets_.size(); }
  std::string_view word(size_t i) const {
    return std::string_view(arena_.data() + offsets_[i], lengths_[i]);
  }

  // Index of w, or -1 when absent.
  int64_t find(std::string_view w) const { return find_hashed(w, hash_bytes(w.data(), w.size())); }
  int64_t find_hashed(std::string_view w, uint64_t h) const {
    // A slot holds the hash's top 32 bits beside index + 1 (0 = empty), so a probe that
    // meets another word rarely has to look at that word at all.
    const size_t mask = slots_.size() - 1;
    const uint64_t tag = h & 0xFFFFFFFF00000000ull;
    for (size_t s = h & mask;; s = (s + 1) & mask) {
      const uint64_t slot = slots_[s];
      if (slot == 0) return -1;
      if ((slot & 0xFFFFFFFF00000000ull) == tag) {
        const size_t idx = static_cast<size_t>(slot & 0xFFFFFFFFu) - 1;
        if (lengths_[idx] == w.size() && std::memcmp(arena_.data() + offsets_[idx], w.data(), w.size()) == 0)
          return static_cast<int64_t>(idx);
      }
    }
  }

  // Index of w, inserting it if absent; `inserted` tells which.
  size_t insert(std::string_view w, bool* inserted = nullptr) {
    uint64_t h = hash_bytes(w.data(), w.size());
    int64_t found = find_hashed(w, h);
    if (inserted) *inserted = found < 0;
    if (found >= 0) return static_cast<size_t>(found);
    size_t idx = offsets_.size();
    if (idx >= 0xFFFFFFFEu) throw std::length_error("more than 4 billion distinct words");
    offsets_.push_back(arena_.size());
    lengths_.push_back(w.size());
    hashes_.push_back(h);
    arena_.append(w.data(), w.size());
    if ((idx + 1) * 10 > slots_.size() * 7) {
      rehash(slots_.size() * 2);
    } else {
      place(idx);
    }
    return idx;
  }

  // Keeps only the words whose keep[i] is true, renumbering them in order.
  void filter(const std::vector<bool>& keep) {
    WordTable next;
    next.reserve(size());
    for (size_t i = 0; i < size(); ++i)
      if (keep[i]) next.insert(word(i));
    *this = std::move(next);
  }

  void reserve(size_t n) {
    size_t want = 1024;
    while (want * 7 < n * 10) want *= 2;
    if (want > slots_.size()) rehash(want);
    offsets_.reserve(n);
    lengths_.reserve(n);
    hashes_.reserve(n);
  }

  size_t memory_bytes() const {
    return arena_.capacity() + offsets_.capacity() * 8 + lengths_.capacity() * 4 +
           hashes_.capacity() * 8 + slots_.capacity() * 8;
  }

 private:
  void place(size_t idx) {
    size_t mask = slots_.size() - 1;
    size_t s = hashes_[idx] & mask;
    while (slots_[s] != 0) s = (s + 1) & mask;
    slots_[s] = (hashes_[idx] & 0xFFFFFFFF00000000ull) | (idx + 1);
  }
  void rehash(size_t n) {
    slots_.assign(n, 0);
    for (size_t i = 0; i < offsets_.size(); ++i) place(i);
  }

  std::string arena_;
  std::vector<uint64_t> offsets_;
  std::vector<uint32_t> lengths_;
  std::vector<uint64_t> hashes_;
  std::vector<uint64_t> slots_;
};

}  // namespace fe
