// Training kernels compiled for the avx2 instruction set (flags set in CMakeLists.txt).
#include "kernels/kernel_api.h"

namespace fe {
namespace kernels_avx2 {
#include "kernels/train_kernels.inc"
}  // namespace kernels_avx2

const KernelSet kKernelsAvx2 = {"avx2", &kernels_avx2::train_block, &kernels_avx2::dot_entry,
                         &kernels_avx2::axpy_entry, &kernels_avx2::merge_hot, &kernels_avx2::negatives_entry};
}  // namespace fe
