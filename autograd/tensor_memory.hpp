// Internal: where Tensor storage comes from. Large buffers are kept after use and handed
// out again for the same size, so a training step that allocates the same tensors every
// step stops paying for fresh pages from the kernel (page faults and zeroing).
#pragma once

#include <cstddef>

namespace strata::memory {

// 64-byte aligned storage for `bytes` bytes (a multiple of 64); throws std::bad_alloc.
float* allocate(std::size_t bytes);
// Returns storage from allocate(bytes).
void release(float* data, std::size_t bytes) noexcept;

}  // namespace strata::memory
