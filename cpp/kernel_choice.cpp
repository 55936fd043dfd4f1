#include "kernel_choice.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>

#include "aligned.h"
#include "rng.h"
#include "simd_dispatch.h"
#include "trainer.h"

namespace fe {

namespace {

// The calibration block: long enough that one kernel's time is a few milliseconds (well above
// the clock's resolution and a context switch's noise), short enough that all candidates and
// rounds cost well under a second.  Vocabulary and matrices larger than the L2 cache, so the
// cache misses of real training are part of what is measured.
constexpr size_t kCalibrationVocab = 20000;
constexpr size_t kCalibrationWords = 4096;
constexpr int kCalibrationRounds = 3;  // interleaved; each kernel keeps its best round

using Key = std::tuple<int, bool, bool, int>;  // arch, hs, negative sampling, stride

void fill_small(float* p, size_t n, uint64_t& rng) {
  // Values of trained-model size; never denormal, so no kernel hits a slow path the others miss.
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<float>((splitmix64(rng) >> 40) * (1.0 / (1 << 24)) - 0.5) * 0.1f;
}

KernelChoice calibrate(const KernelSettings& set, int stride) {
  std::vector<std::string> names = available_kernels();
  std::reverse(names.begin(), names.end());  // widest first
  KernelChoice choice;
  if (names.size() == 1) {
    choice.kernels = &kernels_by_name(names[0]);
    return choice;
  }
  const size_t v = kCalibrationVocab, st = static_cast<size_t>(stride);
  Vocab vocab;
  vocab.counts.resize(v);
  for (size_t i = 0; i < v; ++i) vocab.counts[i] = 10000000 / (i + 1) + 1;  // Zipf, as text is
  TrainConfig cfg;
  static_cast<KernelSettings&>(cfg) = set;
  // Document models run the word kernels' loops (their tags are a few more inputs).
  if (cfg.arch == Arch::PvDbow) cfg.arch = Arch::SkipGramShared;
  if (cfg.arch == Arch::PvDm) cfg.arch = Arch::Cbow;
  cfg.compute_loss = false;
  cfg.workers = 1;
  cfg.sample = 0;  // every word trains: the kernels' work, not the sampler's, is timed
  cfg.alpha = cfg.min_alpha = 0.025;
  cfg.expected_words = 1;
  uint64_t rng = 0x5EED;
  auto syn0 = aligned_array<float>(v * st);
  auto syn1neg = aligned_array<float>(set.negative > 0 ? v * st : 1);
  auto syn1 = aligned_array<float>(set.hs ? (v - 1) * st : 1);
  fill_small(syn0.get(), v * st, rng);
  if (set.negative > 0) fill_small(syn1neg.get(), v * st, rng);
  if (set.hs) fill_small(syn1.get(), (v - 1) * st, rng);
  Matrices mats;
  mats.syn0 = syn0.get();
  mats.syn1neg = set.negative > 0 ? syn1neg.get() : nullptr;
  mats.syn1 = set.hs ? syn1.get() : nullptr;
  mats.input_rows = v;
  mats.stride = stride;
  // Words drawn from the same Zipf law (inverse CDF over the counts).
  std::vector<uint64_t> cdf(v);
  uint64_t total = 0;
  for (size_t i = 0; i < v; ++i) cdf[i] = total += vocab.counts[i];
  std::vector<int32_t> words(kCalibrationWords);
  for (auto& w : words)
    w = static_cast<int32_t>(std::upper_bound(cdf.begin(), cdf.end(), splitmix64(rng) % total) - cdf.begin());

  std::vector<std::unique_ptr<Trainer>> trainers;
  for (const auto& n : names) trainers.push_back(std::make_unique<Trainer>(vocab, cfg, mats, &kernels_by_name(n)));
  std::vector<double> best(names.size(), 1e300);
  for (int r = 0; r < kCalibrationRounds; ++r)
    for (size_t k = 0; k < names.size(); ++k) best[k] = std::min(best[k], trainers[k]->time_block(words));
  for (size_t k = 0; k < names.size(); ++k) choice.seconds.emplace_back(names[k], best[k]);
  choice.kernels = &kernels_by_name(names[pick_fastest(choice.seconds)]);
  return choice;
}

}  // namespace

size_t pick_fastest(const std::vector<std::pair<std::string, double>>& seconds) {
  size_t pick = 0;
  for (size_t k = 1; k < seconds.size(); ++k)
    if (seconds[k].second <= (1.0 - kNarrowerMustWinBy) * seconds[0].second &&
        seconds[k].second < seconds[pick].second)
      pick = k;
  return pick;
}

KernelChoice choose_kernels(const KernelSettings& set, int stride) {
  if (kernels_pinned()) return KernelChoice{&active_kernels(), {}};
  static std::mutex mu;
  static std::map<Key, KernelChoice> cache;
  const Key key{static_cast<int>(set.arch), set.hs, set.negative > 0, stride};
  std::lock_guard<std::mutex> lk(mu);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, calibrate(set, stride)).first;
  return it->second;
}

}  // namespace fe
