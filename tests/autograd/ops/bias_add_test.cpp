// bias_add: values, finite-difference gradients, and the error for a mismatched bias.
#include <catch2/catch.hpp>

#include "strata/error.hpp"
#include "strata/gradient_check.hpp"
#include "strata/gradient_tape.hpp"
#include "strata/ops.hpp"

using strata::Tensor;
using strata::Variable;

TEST_CASE("bias_add adds the bias to every row of the last axis", "[ops][bias_add]") {
  Variable x(Tensor({2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  Variable b(Tensor({3}, {0.5f, -1.0f, 10.0f}));
  const Tensor y = strata::ops::bias_add(x, b).value();
  CHECK(y == Tensor({2, 2, 3}, {1.5f, 1, 13, 4.5f, 4, 16, 7.5f, 7, 19, 10.5f, 10, 22}));
}

TEST_CASE("bias_add's gradients: the input's passes through, the bias's sums the rows", "[ops][bias_add]") {
  Variable x(Tensor({2, 3}, {1, 2, 3, 4, 5, 6})), b(Tensor({3}, {0, 0, 0}));
  strata::GradientTape tape;
  Variable y = strata::ops::bias_add(x, b);
  const auto grads = tape.gradient(y, {x, b}, Tensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  CHECK(grads[0] == Tensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  CHECK(grads[1] == Tensor({3}, {5, 7, 9}));
}

TEST_CASE("bias_add's gradients match finite differences on a large input", "[ops][bias_add]") {
  // Large enough to be split over several threads.
  Tensor xt = Tensor::empty({300, 70});
  for (std::size_t i = 0; i < xt.size(); ++i) xt[i] = static_cast<float>(i % 13) * 0.1f - 0.6f;
  Tensor bt = Tensor::empty({70});
  for (std::size_t i = 0; i < bt.size(); ++i) bt[i] = static_cast<float>(i) * 0.01f;
  Variable x(xt), b(bt);
  const auto result = strata::check_gradients([&] { return strata::ops::bias_add(x, b); }, {b});
  INFO(result.report);
  CHECK(result.ok);
}

TEST_CASE("bias_add names both shapes when the bias does not fit", "[ops][bias_add]") {
  Variable x(Tensor({2, 3})), b(Tensor({4}));
  CHECK_THROWS_WITH(strata::ops::bias_add(x, b),
                    "bias_add: the bias (4,) must be 1-d with the input's last dimension, got input (2, 3)");
}
