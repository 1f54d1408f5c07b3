// batch_norm: values by hand, the same values and gradients as the op-by-op formula,
// finite differences on every input and axis, and its errors.
#include <catch2/catch.hpp>

#include "strata/error.hpp"
#include "strata/gradient_tape.hpp"
#include "strata/ops.hpp"
#include "support/tensor_helpers.hpp"

using namespace strata;
using strata::testing::max_relative_diff;
using strata::testing::near;
using strata::testing::random_tensor;

namespace {

// The textbook formula composed from generic ops: the reference the fused op replaces.
Variable composed_batch_norm(const Variable& x, const Variable& gamma, const Variable& beta, std::size_t axis,
                             float epsilon) {
  std::vector<int> reduce;
  std::vector<std::int64_t> broadcast(x.rank(), 1);
  for (std::size_t i = 0; i < x.rank(); ++i)
    if (i != axis) reduce.push_back(static_cast<int>(i));
  broadcast[axis] = static_cast<std::int64_t>(x.shape()[axis]);
  const Variable mean = ops::mean(x, reduce, true);
  const Variable centred = ops::sub(x, mean);
  const Variable variance = ops::mean(ops::square(centred), reduce, true);
  const Variable normalized = ops::div(centred, ops::sqrt(variance + epsilon));
  return ops::add(ops::mul(normalized, ops::reshape(gamma, broadcast)), ops::reshape(beta, broadcast));
}

}  // namespace

TEST_CASE("batch_norm of two rows by hand", "[ops][batch_norm]") {
  // Feature 0: 1, 3 -> mean 2, variance 1; feature 1: 2, 6 -> mean 4, variance 4.
  Variable x = constant(Tensor({2, 2}, {1, 2, 3, 6}));
  Variable gamma = constant(Tensor({2}, {2, 3})), beta = constant(Tensor({2}, {0.5f, -1}));
  const ops::BatchNormResult r = ops::batch_norm(x, gamma, beta, -1, 0.0f);
  CHECK(r.mean == Tensor({2}, {2, 4}));
  CHECK(r.variance == Tensor({2}, {1, 4}));
  // x_hat = -1, -1, 1, 1; y = gamma * x_hat + beta.
  CHECK_THAT(r.y.value(), near(Tensor({2, 2}, {-1.5f, -4, 2.5f, 2})));
  // epsilon goes under the square root: with epsilon 3, x_hat = -+1/2 and -+2/sqrt(7).
  const float r7 = std::sqrt(7.0f);
  CHECK_THAT(ops::batch_norm(x, gamma, beta, 1, 3.0f).y.value(),
             near(Tensor({2, 2}, {-0.5f, -6 / r7 - 1, 1.5f, 6 / r7 - 1})));
}

TEST_CASE("batch_norm gives the op-by-op formula's values and gradients on every axis", "[ops][batch_norm]") {
  // Large enough for the pool to split the rows (and channels-last to take its own loop).
  const Shape shape{16, 9, 9, 24};
  for (std::size_t axis : {3, 1, 0}) {
    INFO("axis " << axis);
    const std::size_t features = shape[axis];
    Variable x(random_tensor(shape, 70 + axis, -2, 3), "x");
    Variable gamma(random_tensor({features}, 80 + axis, 0.5f, 1.5f), "gamma");
    Variable beta(random_tensor({features}, 90 + axis), "beta");
    const Tensor upstream = random_tensor(shape, 100 + axis);

    GradientTape fused_tape;
    const ops::BatchNormResult fused = ops::batch_norm(x, gamma, beta, static_cast<int>(axis), 1e-3f);
    const auto fused_grads = fused_tape.gradient(fused.y, {x, gamma, beta}, upstream);
    GradientTape reference_tape;
    const Variable reference = composed_batch_norm(x, gamma, beta, axis, 1e-3f);
    const auto reference_grads = reference_tape.gradient(reference, {x, gamma, beta}, upstream);

    CHECK(max_relative_diff(fused.y.value(), reference.value()) < 1e-5);
    for (std::size_t i = 0; i < 3; ++i) CHECK(max_relative_diff(fused_grads[i], reference_grads[i]) < 1e-4);
  }
}

TEST_CASE("batch_norm's statistics are the batch mean and the biased variance", "[ops][batch_norm]") {
  Variable x = constant(random_tensor({50, 3, 4}, 61, -1, 5));
  const ops::BatchNormResult r = ops::batch_norm(x, constant(Tensor::ones({3})), constant(Tensor({3})), 1, 1e-3f);
  CHECK_THAT(r.mean, near(ops::mean(x, {0, 2}).value()));
  CHECK_THAT(r.variance, near(ops::mean(ops::square(ops::sub(x, ops::mean(x, {0, 2}, true))), {0, 2}).value()));
}

TEST_CASE("batch_norm passes finite differences for x, gamma and beta", "[ops][batch_norm]") {
  const std::vector<std::pair<Shape, int>> cases{{{6, 4}, -1}, {{3, 2, 3, 2}, 1}, {{2, 3, 2, 3}, 3}};
  for (const auto& [shape, axis] : cases) {
    const auto rank = static_cast<int>(shape.size());
    const std::size_t features = shape[static_cast<std::size_t>(axis < 0 ? axis + rank : axis)];
    Variable x(random_tensor(shape, 62, -2, 2), "x");
    Variable gamma(random_tensor({features}, 63, 0.5f, 2), "gamma"), beta(random_tensor({features}, 64), "beta");
    CHECK_GRADIENTS([&] { return ops::batch_norm(x, gamma, beta, axis, 1e-3f).y; }, {x, gamma, beta});
  }
}

TEST_CASE("batch_norm names the input and the parameter that does not fit", "[ops][batch_norm]") {
  Variable x = constant(Tensor({2, 3, 4}));
  Variable three = constant(Tensor({3})), four = constant(Tensor({4}));
  CHECK_THROWS_AS(ops::batch_norm(x, three, three, -1, 1e-3f), ShapeError);
  CHECK_THROWS_WITH(ops::batch_norm(x, three, three, -1, 1e-3f),
                    "batch_norm: gamma (3,) must be 1-d with the size of axis 2 of the input (2, 3, 4)");
  CHECK_THROWS_WITH(ops::batch_norm(x, four, three, 2, 1e-3f),
                    "batch_norm: beta (3,) must be 1-d with the size of axis 2 of the input (2, 3, 4)");
  CHECK_THROWS_WITH(ops::batch_norm(x, four, four, 3, 1e-3f),
                    "batch_norm: axis 3 is out of range for the input (2, 3, 4)");
}
