// 64-byte aligned float buffers (one cache line, one AVX-512 register) for kernel scratch.
#pragma once
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace fe {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

template <class T>
std::unique_ptr<T[], FreeDeleter> aligned_array(size_t n) {
  size_t bytes = ((n * sizeof(T) + 63) / 64) * 64;
  if (bytes == 0) bytes = 64;
  void* p = std::aligned_alloc(64, bytes);
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, bytes);
  return std::unique_ptr<T[], FreeDeleter>(static_cast<T*>(p));
}

}  // namespace fe
