// strata's parallelism around OpenBLAS: the library runs single-threaded and strata
// splits products (and whole convolutions, see conv.cpp) over its own pool, so small
// GEMMs do not pay for OpenBLAS's thread hand-offs and nothing is oversubscribed.
#include "autograd/ops/gemm.hpp"

#include <cblas.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <vector>

#include "autograd/ops/small_gemm.hpp"
#include "autograd/parallel/parallel.hpp"
#include "strata/error.hpp"

namespace strata::kernels {
namespace {

int blas_int(std::size_t value, std::size_t m, std::size_t n, std::size_t k) {
  if (value > static_cast<std::size_t>(INT_MAX))
    throw ValueError(fmt::format("a {}x{}x{} matrix product exceeds BLAS's 32-bit sizes", m, n, k));
  return static_cast<int>(value);
}

// Below this many multiply-adds a product is not worth handing to another thread.
constexpr std::size_t parallel_threshold = std::size_t{1} << 20;

}  // namespace

void sgemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, const float* a,
           std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (std::size_t i = 0; i < m; ++i)
      if (beta == 0.0f)
        std::fill_n(c + i * ldc, n, 0.0f);
      else
        std::for_each(c + i * ldc, c + i * ldc + n, [beta](float& v) { v *= beta; });
    return;
  }
  // Shapes OpenBLAS handles poorly (a first layer's 9 or 27 window values) go to loops
  // with the small dimension in registers.
  const bool dense_rows = lda == (transpose_a ? m : k) && ldb == (transpose_b ? k : n) && ldc == n;
  if (dense_rows && !transpose_a && !transpose_b && small_k_gemm(m, n, k, a, b, beta, c)) return;
  if (dense_rows && transpose_a && !transpose_b && small_mn_gemm_tn(m, n, k, a, b, beta, c)) return;
  parallel::ensure_blas_single_threaded();
  cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans,
              blas_int(m, m, n, k), blas_int(n, m, n, k), blas_int(k, m, n, k), 1.0f, a, blas_int(lda, m, n, k), b,
              blas_int(ldb, m, n, k), beta, c, blas_int(ldc, m, n, k));
}

void parallel_sgemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, const float* a,
                    const float* b, float beta, float* c) {
  const std::size_t lda = transpose_a ? m : k, ldb = transpose_b ? k : n;
  const std::size_t work = m * n * k;
  const std::size_t chunks = work < parallel_threshold ? 1 : parallel::chunk_count(std::max(m, n), 16);
  if (chunks <= 1) {
    sgemm(transpose_a, transpose_b, m, n, k, a, lda, b, ldb, beta, c, n);
    return;
  }
  if (m >= n) {  // rows of c: rows of op(a)
    parallel::parallel_for(m, 16, [&](std::size_t, std::size_t begin, std::size_t end) {
      const float* a_rows = transpose_a ? a + begin : a + begin * lda;
      sgemm(transpose_a, transpose_b, end - begin, n, k, a_rows, lda, b, ldb, beta, c + begin * n, n);
    });
  } else {  // columns of c: columns of op(b)
    parallel::parallel_for(n, 16, [&](std::size_t, std::size_t begin, std::size_t end) {
      const float* b_cols = transpose_b ? b + begin * ldb : b + begin;
      sgemm(transpose_a, transpose_b, m, end - begin, k, a, lda, b_cols, ldb, beta, c + begin, n);
    });
  }
}

float* scratch(std::size_t slot, std::size_t count) {
  constexpr std::size_t slots = 6;
  if (slot >= slots) throw std::logic_error("kernels::scratch: slot out of range");
  thread_local std::array<std::unique_ptr<float[]>, slots> buffers;
  thread_local std::array<std::size_t, slots> sizes{};
  if (sizes[slot] < count) {
    buffers[slot] = std::make_unique_for_overwrite<float[]>(count);
    sizes[slot] = count;
  }
  return buffers[slot].get();
}

}  // namespace strata::kernels
