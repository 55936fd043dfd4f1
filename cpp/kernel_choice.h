// Which SIMD kernels `auto` trains with: measured, not assumed.  The widest instruction set is
// not always the fastest (512-bit code can lower the clock, and memory-bound modes gain little
// from wider registers), so the first training of each kind in a process times every kernel
// the CPU offers on a short synthetic block of the same shape (architecture, outputs, row
// stride) and keeps the fastest.  FASTEMBED_SIMD or set_kernels() skip the measurement.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "kernels/kernel_api.h"

namespace fe {

struct KernelChoice {
  const KernelSet* kernels = nullptr;
  // Each candidate's best time (seconds) for the calibration block, widest first; empty when the
  // kernels were pinned or only one was available.
  std::vector<std::pair<std::string, double>> seconds;
};

// A kernel narrower than the widest must be this much faster to be chosen: close timings keep
// the widest, so the choice (and a fixed-seed run's bits) does not flip on timing noise.
constexpr double kNarrowerMustWinBy = 0.10;

// The kernels for training with these settings and row stride: the pinned ones if
// FASTEMBED_SIMD / set_kernels named them, else the calibrated choice (cached per process).
KernelChoice choose_kernels(const KernelSettings& set, int stride);

// Picks from measured best times (widest first) by the rule above; returns the index.
size_t pick_fastest(const std::vector<std::pair<std::string, double>>& seconds);

}  // namespace fe
