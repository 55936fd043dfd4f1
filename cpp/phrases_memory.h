// Arrays for the phrase tables: large ones on transparent huge pages (madvise), since millions
// of random look-ups in a table of hundreds of MB otherwise miss the TLB on nearly every one.
#pragma once
#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>

namespace fe {

template <class T>
class HugeArray {
  static_assert(std::is_trivially_copyable<T>::value, "raw memory");

 public:
  static constexpr size_t kHuge = size_t{2} << 20;

  HugeArray() = default;
  HugeArray(size_t n, bool zero, bool huge) { reset(n, zero, huge); }
  ~HugeArray() { release(); }
  HugeArray(const HugeArray&) = delete;
  HugeArray& operator=(const HugeArray&) = delete;
  HugeArray(HugeArray&& o) noexcept : p_(o.p_), n_(o.n_) {
    o.p_ = nullptr;
    o.n_ = 0;
  }
  HugeArray& operator=(HugeArray&& o) noexcept {
    if (this != &o) {
      release();
      p_ = o.p_;
      n_ = o.n_;
      o.p_ = nullptr;
      o.n_ = 0;
    }
    return *this;
  }

  // n elements (zeroed if `zero`); on huge pages when `huge` and they fill at least one.
  void reset(size_t n, bool zero, bool huge) {
    release();
    const size_t bytes = n * sizeof(T);
    if (huge && bytes >= kHuge) {
      const size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
      p_ = static_cast<T*>(std::aligned_alloc(kHuge, rounded));
      if (!p_) throw std::bad_alloc();
      ::madvise(p_, rounded, MADV_HUGEPAGE);  // a hint: without it the array still works
      if (zero) std::memset(static_cast<void*>(p_), 0, bytes);
    } else {
      p_ = static_cast<T*>(zero ? std::calloc(n ? n : 1, sizeof(T)) : std::malloc(bytes ? bytes : 1));
      if (!p_) throw std::bad_alloc();
    }
    n_ = n;
  }
  void release() {
    std::free(p_);
    p_ = nullptr;
    n_ = 0;
  }
  size_t size() const { return n_; }
  T& operator[](size_t i) { return p_[i]; }
  const T& operator[](size_t i) const { return p_[i]; }

 private:
  T* p_ = nullptr;
  size_t n_ = 0;
};

}  // namespace fe
