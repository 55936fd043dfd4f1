// Run-time choice of the training kernels from what the CPU reports (never -march=native).
#pragma once
#include <string>
#include <vector>

#include "kernels/kernel_api.h"

namespace fe {

// The kernels in use: the widest the CPU supports, unless FASTEMBED_SIMD or set_kernels chose.
// (Training in `auto` mode measures which is fastest instead: see kernel_choice.h.)
const KernelSet& active_kernels();
// True when FASTEMBED_SIMD or set_kernels named the kernels (not "auto").
bool kernels_pinned();
// Names the CPU can run, best last: "scalar", then "avx2", "avx512" where supported.
std::vector<std::string> available_kernels();
// Chooses kernels by name ("auto" = best available); throws std::invalid_argument when the CPU
// or the build lacks them.
void set_kernels(const std::string& name);
const KernelSet& kernels_by_name(const std::string& name);

}  // namespace fe
