// A small, fast per-thread random generator (xoshiro-style quality is not needed; this is
// splitmix64 seeding a xorshift64*), plus division-free bounded draws.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fe {

inline uint64_t splitmix64(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

struct Rng {
  uint64_t state;
  explicit Rng(uint64_t seed = 1) {
    uint64_t s = seed;
    state = splitmix64(s);
    if (!state) state = 0x2545F4914F6CDD1Dull;
  }
  uint64_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
  }
  uint32_t next32() { return static_cast<uint32_t>(next() >> 32); }
  // Uniform in [0, n) by multiply-shift: no division in the hot loop.
  uint32_t below(uint32_t n) { return static_cast<uint32_t>((uint64_t(next32()) * n) >> 32); }
  // Uniform float in [0, 1).
  float uniform() { return (next() >> 40) * (1.0f / 16777216.0f); }
};

}  // namespace fe
