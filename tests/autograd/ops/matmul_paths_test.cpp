// Products with one tiny dimension run in strata's own loops instead of OpenBLAS (k up to
// 32 with 16/32/48/64 columns; a transposed left side with up to 16 rows and 16/32
// columns); large ones are split over the pool. All must equal a direct double sum.
#include <catch2/catch.hpp>

#include <cmath>

#include "strata/ops.hpp"
#include "strata/random.hpp"
#include "support/tensor_helpers.hpp"
#include "strata/threads.hpp"

using strata::Shape;
using strata::Tensor;
using strata::Variable;
using strata::testing::random_tensor;
using strata::testing::max_relative_diff;

namespace {

// op(a) op(b) in double.
Tensor reference(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  const std::size_t m = ta ? a.dim(1) : a.dim(0), k = ta ? a.dim(0) : a.dim(1), n = tb ? b.dim(0) : b.dim(1);
  Tensor out({m, n});
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double sum = 0.0;
      for (std::size_t p = 0; p < k; ++p)
        sum += static_cast<double>(ta ? a.at({p, i}) : a.at({i, p})) * (tb ? b.at({j, p}) : b.at({p, j}));
      out.at({i, j}) = static_cast<float>(sum);
    }
  return out;
}

}  // namespace

TEST_CASE("matmul with a tiny inner dimension equals a direct sum", "[ops][matmul][paths]") {
  std::uint64_t seed = 10;
  for (std::size_t m : {1, 3, 4, 7, 130})
    for (std::size_t k : {1, 9, 27, 32, 33})
      for (std::size_t n : {16, 32, 48, 64, 20}) {
        const Tensor a = random_tensor({m, k}, ++seed), b = random_tensor({k, n}, ++seed);
        INFO(m << "x" << k << " times " << k << "x" << n);
        CHECK(max_relative_diff(strata::ops::matmul(Variable(a), Variable(b)).value(), reference(a, b, false, false)) <
              1e-5);
      }
}

TEST_CASE("matmul of a transposed tall left side with a small result equals a direct sum", "[ops][matmul][paths]") {
  std::uint64_t seed = 20;
  for (std::size_t m : {1, 4, 9, 13, 16, 17})
    for (std::size_t n : {16, 32, 40})
      for (std::size_t k : {1, 50, 3000}) {
        const Tensor a = random_tensor({k, m}, ++seed), b = random_tensor({k, n}, ++seed);
        INFO("(" << k << "x" << m << ")^T times " << k << "x" << n);
        CHECK(max_relative_diff(strata::ops::matmul(Variable(a), Variable(b), true, false).value(),
                                reference(a, b, true, false)) < 1e-5);
      }
}

TEST_CASE("A large matmul split over two threads equals a direct sum", "[ops][matmul][paths]") {
  const std::size_t saved = strata::num_threads();
  strata::set_num_threads(2);
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      const Tensor a = random_tensor(ta ? Shape{150, 120} : Shape{120, 150}, 1);
      const Tensor b = random_tensor(tb ? Shape{90, 150} : Shape{150, 90}, 2);
      INFO("transpose a " << ta << ", b " << tb);
      CHECK(max_relative_diff(strata::ops::matmul(Variable(a), Variable(b), ta, tb).value(), reference(a, b, ta, tb)) <
            1e-5);
      // A short wide product splits by columns.
      const Tensor c = random_tensor(ta ? Shape{2000, 20} : Shape{20, 2000}, 3);
      const Tensor d = random_tensor(tb ? Shape{900, 2000} : Shape{2000, 900}, 4);
      CHECK(max_relative_diff(strata::ops::matmul(Variable(c), Variable(d), ta, tb).value(), reference(c, d, ta, tb)) <
            1e-5);
    }
  strata::set_num_threads(saved);
}
