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

// The same product for any k (n a multiple of 16 up to 64): b stays in the first-level
// cache and each row of c in registers, which beats BLAS when m or k is small (BLAS packs
// both operands on every call).
bool fixed_n_gemm(std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float beta, float* c);

// c (m x n) += a^T b with a stored (k x lda), its first m columns used, and b (k x n)
// dense: a long sum over k into rows of c held in registers, four at a time (n a multiple
// of 16 up to 64; false otherwise).
bool fixed_n_gemm_tn_add(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t lda,
                         const float* b, float* c);

// c (m x n) = a^T b + beta c with a stored (k x m), b (k x n): a long sum over k into a
// small c (m up to 16, n a multiple of 16 up to 64) held in registers; false otherwise.
bool small_mn_gemm_tn(std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float beta,
                      float* c);

}  // namespace strata::kernels
