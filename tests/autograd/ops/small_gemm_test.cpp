// The small-dimension products of small_gemm.hpp against a plain triple loop in double:
// every supported column count, row counts that leave a partial block of rows, strided
// and transposed operands, beta, and the shapes each one declines (left to BLAS).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "autograd/ops/small_gemm.hpp"
#include "strata/random.hpp"

using strata::kernels::fixed_n_gemm;
using strata::kernels::small_k_gemm;
using strata::kernels::small_mn_gemm_tn;

namespace {

std::vector<float> random_values(std::size_t count, std::uint64_t seed) {
  strata::Generator gen(seed);
  std::vector<float> v(count);
  for (float& x : v) x = gen.uniform(-1.0f, 1.0f);
  return v;
}

// c (m x n) = beta c + sum_p a(i, p) b(p, j), with a(i, p) = a[i * a_row + p * a_col].
std::vector<float> reference(std::size_t m, std::size_t n, std::size_t k, const std::vector<float>& a,
                             std::size_t a_row, std::size_t a_col, const std::vector<float>& b, float beta,
                             std::vector<float> c) {
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double sum = beta * static_cast<double>(c[i * n + j]);
      for (std::size_t p = 0; p < k; ++p) sum += static_cast<double>(a[i * a_row + p * a_col]) * b[p * n + j];
      c[i * n + j] = static_cast<float>(sum);
    }
  return c;
}

// Sums of at most 70 products of values in [-1, 1], in float against double.
void check_close(const std::vector<float>& actual, const std::vector<float>& expected) {
  REQUIRE(actual.size() == expected.size());
  float largest = 0.0f;
  for (std::size_t i = 0; i < actual.size(); ++i) largest = std::max(largest, std::fabs(actual[i] - expected[i]));
  CHECK(largest <= 1e-5f);
}

}  // namespace

TEST_CASE("fixed_n_gemm and small_k_gemm multiply row-major matrices for n of 16 to 64", "[small_gemm]") {
  std::uint64_t seed = 10;
  for (std::size_t n : {16, 32, 48, 64})
    for (std::size_t m : {1, 3, 4, 7, 13})
      for (std::size_t k : {1, 9, 32, 33, 64})
        for (float beta : {0.0f, 1.0f}) {
          INFO("m " << m << ", n " << n << ", k " << k << ", beta " << beta);
          const auto a = random_values(m * k, ++seed), b = random_values(k * n, ++seed);
          const auto c0 = random_values(m * n, ++seed);
          const auto expected = reference(m, n, k, a, k, 1, b, beta, c0);
          auto c = c0;
          REQUIRE(fixed_n_gemm(false, m, n, k, a.data(), k, b.data(), n, beta, c.data(), n));
          check_close(c, expected);
          c = c0;
          REQUIRE(small_k_gemm(m, n, k, a.data(), b.data(), beta, c.data()) == (k <= 32));
          if (k <= 32) check_close(c, expected);
        }
}

TEST_CASE("fixed_n_gemm takes strided operands, transposed or not", "[small_gemm]") {
  // Every row stride larger than the row: a (m x k) or a^T stored (k x m), b (k x n), c (m x n).
  std::uint64_t seed = 20;
  for (bool transpose_a : {false, true})
    for (std::size_t n : {16, 32, 48, 64})
      for (std::size_t m : {1, 4, 6, 8, 13})
        for (std::size_t k : {1, 5, 37}) {
          const std::size_t lda = (transpose_a ? m : k) + 3, ldb = n + 5, ldc = n + 7;
          INFO("transpose_a " << transpose_a << ", m " << m << ", n " << n << ", k " << k);
          const auto a = random_values((transpose_a ? k : m) * lda, ++seed), b = random_values(k * ldb, ++seed);
          const auto c0 = random_values(m * ldc, ++seed);
          std::vector<float> dense_b(k * n), dense_c(m * n);
          for (std::size_t p = 0; p < k; ++p) std::copy_n(b.begin() + p * ldb, n, dense_b.begin() + p * n);
          for (std::size_t i = 0; i < m; ++i) std::copy_n(c0.begin() + i * ldc, n, dense_c.begin() + i * n);
          const auto expected = transpose_a ? reference(m, n, k, a, 1, lda, dense_b, 1.0f, dense_c)
                                            : reference(m, n, k, a, lda, 1, dense_b, 1.0f, dense_c);
          auto c = c0;
          REQUIRE(fixed_n_gemm(transpose_a, m, n, k, a.data(), lda, b.data(), ldb, 1.0f, c.data(), ldc));
          std::vector<float> rows(m * n);
          for (std::size_t i = 0; i < m; ++i) {
            std::copy_n(c.begin() + i * ldc, n, rows.begin() + i * n);
            // the padding between rows of c is left alone
            CHECK(std::equal(c.begin() + i * ldc + n, c.begin() + std::min((i + 1) * ldc, c.size()),
                             c0.begin() + i * ldc + n));
          }
          check_close(rows, expected);
        }
}

TEST_CASE("small_mn_gemm_tn computes a^T b + beta c for m up to 16", "[small_gemm]") {
  std::uint64_t seed = 30;
  for (std::size_t n : {16, 32})
    for (std::size_t m : {1, 4, 5, 12, 16})
      for (float beta : {0.0f, 1.0f}) {
        const std::size_t k = 50;
        INFO("m " << m << ", n " << n << ", beta " << beta);
        const auto a = random_values(k * m, ++seed), b = random_values(k * n, ++seed);
        const auto c0 = random_values(m * n, ++seed);
        auto c = c0;
        REQUIRE(small_mn_gemm_tn(m, n, k, a.data(), b.data(), beta, c.data()));
        check_close(c, reference(m, n, k, a, 1, m, b, beta, c0));
      }
}

TEST_CASE("the small products decline shapes they do not handle", "[small_gemm]") {
  std::vector<float> a(64 * 64), b(64 * 64), c(64 * 64);
  CHECK_FALSE(fixed_n_gemm(false, 4, 24, 8, a.data(), 8, b.data(), 24, 0.0f, c.data(), 24));  // n not a multiple of 16
  CHECK_FALSE(fixed_n_gemm(true, 4, 80, 8, a.data(), 4, b.data(), 80, 0.0f, c.data(), 80));  // n above 64
  CHECK_FALSE(small_k_gemm(4, 16, 33, a.data(), b.data(), 0.0f, c.data()));
  CHECK_FALSE(small_k_gemm(4, 16, 0, a.data(), b.data(), 0.0f, c.data()));
  CHECK_FALSE(small_mn_gemm_tn(17, 16, 8, a.data(), b.data(), 0.0f, c.data()));
  CHECK_FALSE(small_mn_gemm_tn(4, 48, 8, a.data(), b.data(), 0.0f, c.data()));
}
