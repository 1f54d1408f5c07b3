// Internal: matrix products with one tiny dimension, where OpenBLAS spends its time
// packing and storing (a first convolution layer: 9 or 27 window values per row, 16 to
// 64 filters). Plain loops over a compile-time column count that the compiler keeps in
// vector registers.
#pragma once

#include <cstddef>

namespace strata::kernels {

// c (m x n) = a (m x k) b (k x n) + beta c, all row-major and dense; true when it handled
// the shape (n a multiple of 16 up to 64, k up to 32), false to leave it to BLAS.
bool small_k_gemm(std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float beta, float* c);

// c (m x n) = op(a) b + beta c for any m and k, n a multiple of 16 up to 64 (false for any
// other n), with row strides lda, ldb, ldc like sgemm's and a stored (m x k) or, transposed,
// (k x m). A row of b stays in registers against several rows of c, which beats BLAS when
// m or k is small (BLAS packs both operands on every call).
bool fixed_n_gemm(bool transpose_a, std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t lda,
                  const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc);

// c (m x n) = a^T b + beta c with a stored (k x m), b (k x n): a long sum over k into a
// small c (m up to 16, n a multiple of 16 up to 64) held in registers; false otherwise.
bool small_mn_gemm_tn(std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float beta,
                      float* c);

}  // namespace strata::kernels
