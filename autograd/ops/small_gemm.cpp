// The small-dimension products of small_gemm.hpp. Each kernel is a template over the
// column count N so every accumulator row is a fixed number of SIMD registers (GCC vector
// types: AVX-512 with -march=native, narrower vectors in a portable build).
#include "autograd/ops/small_gemm.hpp"

#include <algorithm>
#include <cstring>

#include "autograd/ops/simd.hpp"

namespace strata::kernels {
namespace {

using simd::lanes;
using simd::load;
using simd::store;
using simd::vec;

// Rows of c per block for N columns: R x N/16 accumulators and one row of b take 26 to 28
// of the 32 vector registers of AVX-512 (fewer rows left the kernels waiting on loads).
template <std::size_t N>
constexpr std::size_t block_rows = N == 64 ? 6 : N == 48 ? 8 : 12;

// The operands of one product: a(i, p) = a[i * a_row + p * a_col], row p of b at b + p * ldb,
// row i of c at c + i * ldc.
struct Operands {
  const float* a;
  std::size_t a_row, a_col;
  const float* b;
  std::size_t ldb;
  float* c;
  std::size_t ldc;

  Operands rows_from(std::size_t i) const { return {a + i * a_row, a_row, a_col, b, ldb, c + i * ldc, ldc}; }
};

// R rows of c (N columns) = sum over p < k of a(r, p) b[p, 0:N] + beta c: each row of b is
// loaded once into registers and multiplied by R broadcast values of a.
template <std::size_t R, std::size_t N>
[[gnu::always_inline]] inline void row_block(std::size_t k, const Operands& o, float beta) {
  constexpr std::size_t J = N / lanes;
  vec acc[R][J];
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t j = 0; j < J; ++j) acc[r][j] = vec{};
  for (std::size_t p = 0; p < k; ++p) {
    vec brow[J];
    for (std::size_t j = 0; j < J; ++j) brow[j] = load(o.b + p * o.ldb + j * lanes);
    for (std::size_t r = 0; r < R; ++r) {
      const float v = o.a[r * o.a_row + p * o.a_col];
      for (std::size_t j = 0; j < J; ++j) acc[r][j] += v * brow[j];
    }
  }
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t j = 0; j < J; ++j) {
      float* out = o.c + r * o.ldc + j * lanes;
      store(out, beta == 0.0f ? acc[r][j] : acc[r][j] + beta * load(out));
    }
}

// The last rows < block_rows<N> of c, as one block of exactly that many rows.
template <std::size_t N, std::size_t R = block_rows<N> - 1>
void tail_block(std::size_t rows, std::size_t k, const Operands& o, float beta) {
  if constexpr (R > 0) {
    if (rows == R) return row_block<R, N>(k, o, beta);
    tail_block<N, R - 1>(rows, k, o, beta);
  }
}

// c (m x N) = op(a) b + beta c over blocks of rows.
template <std::size_t N>
void fixed_n_rows(std::size_t m, std::size_t k, const Operands& o, float beta) {
  constexpr std::size_t R = block_rows<N>;
  std::size_t i = 0;
  for (; i + R <= m; i += R) row_block<R, N>(k, o.rows_from(i), beta);
  tail_block<N>(m - i, k, o.rows_from(i), beta);
}

// fixed_n_rows for n of 16, 32, 48 or 64; false for any other n.
bool fixed_n_product(std::size_t m, std::size_t n, std::size_t k, const Operands& o, float beta) {
  switch (n) {
    case 16: fixed_n_rows<16>(m, k, o, beta); return true;
    case 32: fixed_n_rows<32>(m, k, o, beta); return true;
    case 48: fixed_n_rows<48>(m, k, o, beta); return true;
    case 64: fixed_n_rows<64>(m, k, o, beta); return true;
    default: return false;
  }
}

// c (M x N) += sum over rows p of a[p, 0:M]^T b[p, 0:N], with c in registers.
template <std::size_t M, std::size_t N>
void small_mn_tn(std::size_t k, const float* a, std::size_t m_actual, const float* b, float beta, float* c) {
  float acc[M][N] = {};
  for (std::size_t p = 0; p < k; ++p) {
    const float* arow = a + p * m_actual;
    const float* brow = b + p * N;
    for (std::size_t r = 0; r < M; ++r) {
      const float v = r < m_actual ? arow[r] : 0.0f;
      for (std::size_t j = 0; j < N; ++j) acc[r][j] += v * brow[j];
    }
  }
  for (std::size_t r = 0; r < m_actual; ++r)
    for (std::size_t j = 0; j < N; ++j) c[r * N + j] = acc[r][j] + (beta == 0.0f ? 0.0f : beta * c[r * N + j]);
}

template <std::size_t N>
bool small_mn_for_n(std::size_t m, std::size_t k, const float* a, const float* b, float beta, float* c) {
  // Round M up to 4, 8, 12 or 16 so padded rows cost little; N x M accumulators fit the
  // 32 vector registers of AVX-512 for N <= 32 (larger N spills, still far ahead of BLAS).
  if (m <= 4) small_mn_tn<4, N>(k, a, m, b, beta, c);
  else if (m <= 8) small_mn_tn<8, N>(k, a, m, b, beta, c);
  else if (m <= 12) small_mn_tn<12, N>(k, a, m, b, beta, c);
  else small_mn_tn<16, N>(k, a, m, b, beta, c);
  return true;
}

}  // namespace

bool small_k_gemm(std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float beta, float* c) {
  return k != 0 && k <= 32 && fixed_n_product(m, n, k, {a, k, 1, b, n, c, n}, beta);
}

bool fixed_n_gemm(bool transpose_a, std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t lda,
                  const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  const Operands o = transpose_a ? Operands{a, 1, lda, b, ldb, c, ldc} : Operands{a, lda, 1, b, ldb, c, ldc};
  return fixed_n_product(m, n, k, o, beta);
}

bool small_mn_gemm_tn(std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float beta,
                      float* c) {
  if (m == 0 || m > 16 || k == 0) return false;
  switch (n) {
    case 16: return small_mn_for_n<16>(m, k, a, b, beta, c);
    case 32: return small_mn_for_n<32>(m, k, a, b, beta, c);
    default: return false;
  }
}

}  // namespace strata::kernels
