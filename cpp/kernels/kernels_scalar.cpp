// Training kernels compiled for the scalar instruction set (flags set in CMakeLists.txt).
#include "kernels/kernel_api.h"

namespace fe {
namespace kernels_scalar {
#include "kernels/train_kernels.inc"
}  // namespace kernels_scalar

const KernelSet kKernelsScalar = {"scalar", &kernels_scalar::train_block, &kernels_scalar::dot_entry,
                         &kernels_scalar::axpy_entry, &kernels_scalar::merge_hot, &kernels_scalar::negatives_entry};
}  // namespace fe
