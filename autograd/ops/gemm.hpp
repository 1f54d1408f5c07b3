// Internal: OpenBLAS sgemm (kept single-threaded) split over strata's thread pool, and
// per-thread scratch buffers that kernels reuse from one step to the next.
#pragma once

#include <cstddef>

namespace strata::kernels {

// Row-major c (m x n) = alpha op(a) op(b) + beta c, with a stored (m x k) or, transposed,
// (k x m), and likewise b; lda/ldb/ldc are the row strides. Single-threaded.
void sgemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, const float* a,
           std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc);

// The same product (alpha = 1, dense operands) split over the pool by rows of c, or by
// columns when c is short and wide; small products run on the calling thread.
void parallel_sgemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, const float* a,
                    const float* b, float beta, float* c);

// A buffer of at least `count` floats owned by the calling thread, one per `slot`; its
// contents are unspecified. Valid until the same thread asks for the same slot again.
float* scratch(std::size_t slot, std::size_t count);

}  // namespace strata::kernels
