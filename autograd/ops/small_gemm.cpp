// The small-dimension products of small_gemm.hpp. Each kernel is a template over the
// column count N so every accumulator row is a fixed number of SIMD registers.
#include "autograd/ops/small_gemm.hpp"

#include <algorithm>

namespace strata::kernels {
namespace {

// Four rows at a time: 4 x N accumulators, each value of a broadcast against a row of b.
template <std::size_t N>
void small_k_rows(std::size_t m, std::size_t k, const float* a, const float* b, float beta, float* c) {
  std::size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    float acc[4][N] = {};
    for (std::size_t p = 0; p < k; ++p) {
      const float* brow = b + p * N;
      for (std::size_t r = 0; r < 4; ++r) {
        const float v = a[(i + r) * k + p];
        for (std::size_t j = 0; j < N; ++j) acc[r][j] += v * brow[j];
      }
    }
    for (std::size_t r = 0; r < 4; ++r) {
      float* crow = c + (i + r) * N;
      for (std::size_t j = 0; j < N; ++j) crow[j] = acc[r][j] + (beta == 0.0f ? 0.0f : beta * crow[j]);
    }
  }
  for (; i < m; ++i) {
    float acc[N] = {};
    for (std::size_t p = 0; p < k; ++p) {
      const float v = a[i * k + p];
      for (std::size_t j = 0; j < N; ++j) acc[j] += v * b[p * N + j];
    }
    float* crow = c + i * N;
    for (std::size_t j = 0; j < N; ++j) crow[j] = acc[j] + (beta == 0.0f ? 0.0f : beta * crow[j]);
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

// c (m x N) += a^T b, a stored (k x lda) with its first m columns used, b (k x N): four
// rows of c in registers at a time, each step a broadcast of a against a row of b.
template <std::size_t N>
void fixed_n_tn_rows(std::size_t m, std::size_t k, const float* a, std::size_t lda, const float* b, float* c) {
  std::size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    float acc[4][N];
    for (std::size_t r = 0; r < 4; ++r) std::copy_n(c + (i + r) * N, N, acc[r]);
    for (std::size_t p = 0; p < k; ++p) {
      const float* arow = a + p * lda + i;
      const float* brow = b + p * N;
      for (std::size_t r = 0; r < 4; ++r)
        for (std::size_t j = 0; j < N; ++j) acc[r][j] += arow[r] * brow[j];
    }
    for (std::size_t r = 0; r < 4; ++r) std::copy_n(acc[r], N, c + (i + r) * N);
  }
  for (; i < m; ++i) {
    float acc[N];
    std::copy_n(c + i * N, N, acc);
    for (std::size_t p = 0; p < k; ++p)
      for (std::size_t j = 0; j < N; ++j) acc[j] += a[p * lda + i] * b[p * N + j];
    std::copy_n(acc, N, c + i * N);
  }
}

}  // namespace

bool small_k_gemm(std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float beta, float* c) {
  return k != 0 && k <= 32 && fixed_n_gemm(m, n, k, a, b, beta, c);
}

bool fixed_n_gemm(std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float beta, float* c) {
  if (k == 0) return false;
  switch (n) {
    case 16: small_k_rows<16>(m, k, a, b, beta, c); return true;
    case 32: small_k_rows<32>(m, k, a, b, beta, c); return true;
    case 48: small_k_rows<48>(m, k, a, b, beta, c); return true;
    case 64: small_k_rows<64>(m, k, a, b, beta, c); return true;
    default: return false;
  }
}

bool fixed_n_gemm_tn_add(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t lda,
                         const float* b, float* c) {
  switch (n) {
    case 16: fixed_n_tn_rows<16>(m, k, a, lda, b, c); return true;
    case 32: fixed_n_tn_rows<32>(m, k, a, lda, b, c); return true;
    case 48: fixed_n_tn_rows<48>(m, k, a, lda, b, c); return true;
    case 64: fixed_n_tn_rows<64>(m, k, a, lda, b, c); return true;
    default: return false;
  }
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
