#include "simd_dispatch.h"

#include <atomic>
#include <cstdlib>
#include <stdexcept>

namespace fe {

namespace {

bool cpu_has(const std::string& name) {
#if FASTEMBED_HAVE_X86_KERNELS
  __builtin_cpu_init();
  if (name == "avx2") return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (name == "avx512")
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx2") &&
           __builtin_cpu_supports("fma");
#endif
  return name == "scalar";
}

const KernelSet* best() {
  auto names = available_kernels();
  return &kernels_by_name(names.back());
}

std::atomic<bool> g_pinned{false};

const KernelSet* initial() {
  const char* env = std::getenv("FASTEMBED_SIMD");
  if (env && *env && std::string(env) != "auto") {
    try {
      const KernelSet* k = &kernels_by_name(env);
      g_pinned.store(true);
      return k;
    } catch (const std::invalid_argument&) {
      // An unusable request falls back to the best kernels rather than failing the import.
    }
  }
  return best();
}

std::atomic<const KernelSet*>& current() {
  static std::atomic<const KernelSet*> k{initial()};
  return k;
}

}  // namespace

std::vector<std::string> available_kernels() {
  std::vector<std::string> out{"scalar"};
  for (const char* n : {"avx2", "avx512"})
    if (cpu_has(n)) out.push_back(n);
  return out;
}

const KernelSet& kernels_by_name(const std::string& name) {
  if (!cpu_has(name)) {
    if (name == "scalar" || name == "avx2" || name == "avx512")
      throw std::invalid_argument("SIMD kernels '" + name + "' are not supported by this CPU/build");
    throw std::invalid_argument("unknown SIMD kernels '" + name +
                                "' (expected 'auto', 'scalar', 'avx2' or 'avx512')");
  }
#if FASTEMBED_HAVE_X86_KERNELS
  if (name == "avx2") return kKernelsAvx2;
  if (name == "avx512") return kKernelsAvx512;
#endif
  return kKernelsScalar;
}

const KernelSet& active_kernels() { return *current().load(); }

void set_kernels(const std::string& name) {
  const KernelSet* k = name == "auto" ? best() : &kernels_by_name(name);
  current().store(k);
  g_pinned.store(name != "auto");
}

bool kernels_pinned() {
  current();  // reads FASTEMBED_SIMD first
  return g_pinned.load();
}

}  // namespace fe
