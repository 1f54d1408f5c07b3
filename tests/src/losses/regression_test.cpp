// Mean squared error, mean absolute error and Huber: Keras's documented examples,
// hand-derived values, label alignment, gradients and shape errors.
#include <catch2/catch.hpp>

#include "strata/error.hpp"
#include "strata/losses.hpp"
#include "support/tensor_helpers.hpp"

using namespace strata;
using strata::testing::near;
using strata::testing::random_tensor;

TEST_CASE("mean squared and absolute error reproduce Keras's examples", "[losses][regression]") {
  // y_true [[0, 1], [0, 0]], y_pred [[1, 1], [1, 0]]: per sample [0.5, 0.5], mean 0.5.
  const Tensor y_true({2, 2}, {0, 1, 0, 0});
  Variable y_pred = constant(Tensor({2, 2}, {1, 1, 1, 0}));
  CHECK_THAT(losses::mean_squared_error(y_true, y_pred).value(), near(Tensor({2}, {0.5f, 0.5f})));
  CHECK_THAT(losses::mean_absolute_error(y_true, y_pred).value(), near(Tensor({2}, {0.5f, 0.5f})));
  CHECK(losses::MeanSquaredError()(y_true, y_pred).value().item() == Approx(0.5f));
  CHECK(losses::MeanAbsoluteError()(y_true, y_pred).value().item() == Approx(0.5f));
}

TEST_CASE("mean squared error squares and mean absolute error does not", "[losses][regression]") {
  const Tensor y_true({1, 3}, {1, 2, 3});
  Variable y_pred = constant(Tensor({1, 3}, {2, 0, 3}));  // errors 1, -2, 0
  CHECK(losses::mean_squared_error(y_true, y_pred).value()[0] == Approx(5.0f / 3.0f));
  CHECK(losses::mean_absolute_error(y_true, y_pred).value()[0] == Approx(1.0f));
}

TEST_CASE("Huber reproduces Keras's example and switches to linear beyond delta", "[losses][regression]") {
  // Keras: y_true [[0, 1], [0, 0]], y_pred [[0.6, 0.4], [0.4, 0.6]] -> [0.18, 0.13], mean 0.155.
  const Tensor y_true({2, 2}, {0, 1, 0, 0});
  Variable y_pred = constant(Tensor({2, 2}, {0.6f, 0.4f, 0.4f, 0.6f}));
  CHECK_THAT(losses::huber(y_true, y_pred).value(), near(Tensor({2}, {0.18f, 0.13f})));
  CHECK(losses::Huber()(y_true, y_pred).value().item() == Approx(0.155f));
  // delta 0.5: |0.6| > 0.5 -> 0.5 * 0.6 - 0.125 = 0.175; |0.4| -> 0.08.
  CHECK_THAT(losses::huber(y_true, y_pred, 0.5f).value(), near(Tensor({2}, {0.175f, 0.1275f})));
  CHECK(losses::Huber({.delta = 0.5})(y_true, y_pred).value().item() == Approx(0.15125f));
  // |error| == delta takes the quadratic branch (<=); both branches agree there anyway.
  CHECK(losses::huber(Tensor({1, 1}, {0}), constant(Tensor({1, 1}, {1})), 1.0f).value()[0] == Approx(0.5f));
}

TEST_CASE("regression Loss objects align labels of shape (n) with predictions of shape (n, 1)",
          "[losses][regression]") {
  Variable y_pred = constant(Tensor({3, 1}, {1, 2, 3}));
  const Tensor flat({3}, {1, 0, 1});  // squared errors 0, 4, 4
  CHECK(losses::MeanSquaredError()(flat, y_pred).value().item() == Approx(8.0f / 3.0f));
  CHECK(losses::MeanAbsoluteError()(flat, y_pred).value().item() == Approx(4.0f / 3.0f));
  CHECK_THAT(losses::MeanSquaredError().call(flat, y_pred).value(), near(Tensor({3}, {0, 4, 4})));
  // The functions themselves ask for equal shapes.
  CHECK_THROWS_WITH(losses::mean_squared_error(flat, y_pred),
                    "mean_squared_error: y_true and y_pred must have the same shape, got y_true (3,) and y_pred (3, 1)");
  CHECK_THROWS_AS(losses::MeanSquaredError()(Tensor({2}, {1, 2}), y_pred), ShapeError);
}

TEST_CASE("regression losses pass finite differences", "[losses][regression]") {
  Variable y_pred(random_tensor({3, 4}, 91, -2, 2), "y_pred");
  // Targets 0.25 away from every prediction on one side or the other: no kinks nearby,
  // and Huber sees both branches (|error| in [0.25, 4]).
  Tensor y_true = y_pred.value();
  for (std::size_t i = 0; i < y_true.size(); ++i) y_true[i] += (i % 2 ? 0.25f : -1.5f) * (i % 3 + 1);
  CHECK_GRADIENTS([&] { return losses::mean_squared_error(y_true, y_pred); }, {y_pred});
  CHECK_GRADIENTS([&] { return losses::mean_absolute_error(y_true, y_pred); }, {y_pred});
  CHECK_GRADIENTS([&] { return losses::huber(y_true, y_pred, 1.0f); }, {y_pred});
  losses::Huber loss({.delta = 2.0});
  CHECK_GRADIENTS([&] { return loss(y_true, y_pred); }, {y_pred});
}
