// Training kernels compiled for the avx512 instruction set (flags set in CMakeLists.txt).
#include "kernels/kernel_api.h"

namespace fe {
namespace kernels_avx512 {
#include "kernels/train_kernels.inc"
}  // namespace kernels_avx512

const KernelSet kKernelsAvx512 = {"avx512", &kernels_avx512::train_block, &kernels_avx512::dot_entry,
                         &kernels_avx512::axpy_entry, &kernels_avx512::merge_hot, &kernels_avx512::negatives_entry};
}  // namespace fe
