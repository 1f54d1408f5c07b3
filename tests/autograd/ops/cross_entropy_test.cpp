// Fused cross-entropies from logits: hand-derived values, stability, label checks,
// finite-difference gradients, and the logits a softmax/sigmoid output remembers.
#include <catch2/catch.hpp>

#include <cmath>

#include "strata/error.hpp"
#include "strata/gradient_tape.hpp"
#include "strata/ops.hpp"
#include "support/tensor_helpers.hpp"

using namespace strata;
using strata::testing::near;
using strata::testing::random_tensor;

// log_softmax([1, 2, 3]) = [-2.40760596, -1.40760596, -0.40760596] (by hand: the log-sum-exp
// is 3 + log(1 + e^-1 + e^-2) = 3.40760596).

TEST_CASE("sparse softmax cross-entropy of 1, 2, 3 by hand", "[ops][cross_entropy]") {
  Variable logits = constant(Tensor({3, 3}, {1, 2, 3, 1, 2, 3, 1, 2, 3}));
  Variable loss = ops::sparse_softmax_cross_entropy_with_logits(Tensor({3}, {0, 1, 2}), logits);
  CHECK_THAT(loss.value(), near(Tensor({3}, {2.40760596f, 1.40760596f, 0.40760596f})));
  // Labels of shape (n, 1) are accepted and give the same (n) result.
  Variable again = ops::sparse_softmax_cross_entropy_with_logits(Tensor({3, 1}, {0, 1, 2}), logits);
  CHECK_THAT(again.value(), near(loss.value()));
}

TEST_CASE("sparse softmax cross-entropy stays finite for logits of 1000", "[ops][cross_entropy]") {
  Variable logits = constant(Tensor({2, 3}, {1000, 0, -1000, 1000, 1001, 1002}));
  Tensor loss = ops::sparse_softmax_cross_entropy_with_logits(Tensor({2}, {2, 0}), logits).value();
  // Row 0: lse = 1000 (to float precision), minus -1000. Row 1: lse = 1002.40760596, minus 1000.
  CHECK(loss[0] == Approx(2000.0f));
  CHECK(loss[1] == Approx(2.40760596f).margin(1e-4));
}

TEST_CASE("sparse softmax cross-entropy rejects labels out of range or not integral", "[ops][cross_entropy]") {
  Variable logits = constant(Tensor({2, 3}));
  CHECK_THROWS_WITH(ops::sparse_softmax_cross_entropy_with_logits(Tensor({2}, {0, 3}), logits),
                    "sparse_softmax_cross_entropy_with_logits: Received a label value of 3 which is outside the "
                    "valid range of [0, 3) at label index 1");
  CHECK_THROWS_WITH(ops::sparse_softmax_cross_entropy_with_logits(Tensor({2}, {-1, 0}), logits),
                    Catch::Contains("label value of -1 ") && Catch::Contains("at label index 0"));
  CHECK_THROWS_WITH(ops::sparse_softmax_cross_entropy_with_logits(Tensor({2}, {1.5f, 0}), logits),
                    "sparse_softmax_cross_entropy_with_logits: labels must be integer class indices; got 1.5 at "
                    "label index 0");
  CHECK_THROWS_AS(ops::sparse_softmax_cross_entropy_with_logits(Tensor({2}, {0, NAN}), logits), ValueError);
  CHECK_THROWS_WITH(ops::sparse_softmax_cross_entropy_with_logits(Tensor({3}, {0, 1, 2}), logits),
                    "sparse_softmax_cross_entropy_with_logits: labels of shape (3,) do not match logits of shape "
                    "(2, 3); expected labels of shape (2,)");
}

TEST_CASE("sparse softmax cross-entropy gives 0 and no gradient for ignore_class", "[ops][cross_entropy]") {
  Variable logits(Tensor({2, 3}, {1, 2, 3, 1, 2, 3}), "logits");
  GradientTape tape;
  Variable loss = ops::sparse_softmax_cross_entropy_with_logits(Tensor({2}, {-1, 2}), logits, -1);
  CHECK_THAT(loss.value(), near(Tensor({2}, {0.0f, 0.40760596f})));
  Tensor grad = tape.gradient(ops::sum(loss), logits);
  // Row 0 ignored; row 1: softmax - onehot(2).
  CHECK_THAT(grad, near(Tensor({2, 3}, {0, 0, 0, 0.09003057f, 0.24472847f, 0.66524096f - 1.0f})));
}

TEST_CASE("sparse softmax cross-entropy gradient is softmax minus one-hot", "[ops][cross_entropy]") {
  Variable logits(Tensor({1, 3}, {1, 2, 3}), "logits");
  GradientTape tape;
  Variable loss = ops::sparse_softmax_cross_entropy_with_logits(Tensor({1}, {0}), logits);
  CHECK_THAT(tape.gradient(ops::sum(loss), logits),
             near(Tensor({1, 3}, {0.09003057f - 1.0f, 0.24472847f, 0.66524096f})));
}

TEST_CASE("sparse softmax cross-entropy passes finite differences", "[ops][cross_entropy]") {
  Variable logits(random_tensor({4, 2, 5}, 71, -3, 3), "logits");
  const Tensor labels({4, 2}, {0, 4, 1, 3, 2, 2, 4, 0});
  CHECK_GRADIENTS([&] { return ops::sparse_softmax_cross_entropy_with_logits(labels, logits); }, {logits});
  const Tensor with_ignored({4, 2}, {0, 7, 1, 3, 7, 2, 4, 0});
  CHECK_GRADIENTS([&] { return ops::sparse_softmax_cross_entropy_with_logits(with_ignored, logits, 7); }, {logits});
}

TEST_CASE("softmax cross-entropy of 1, 2, 3 by hand, on any axis", "[ops][cross_entropy]") {
  // sum(t * (lse - x)) with t = (0.1, 0.8, 0.1): 0.1 * 2.40760596 + 0.8 * 1.40760596 + 0.1 * 0.40760596
  Variable logits = constant(Tensor({1, 3}, {1, 2, 3}));
  Tensor loss = ops::softmax_cross_entropy_with_logits(Tensor({1, 3}, {0.1f, 0.8f, 0.1f}), logits).value();
  CHECK_THAT(loss, near(Tensor({1}, {1.40760596f})));
  // The same row laid out along axis 0.
  Variable column = constant(Tensor({3, 1}, {1, 2, 3}));
  Tensor along0 = ops::softmax_cross_entropy_with_logits(Tensor({3, 1}, {0.1f, 0.8f, 0.1f}), column, 0).value();
  CHECK_THAT(along0, near(Tensor({1}, {1.40760596f})));
  CHECK_THROWS_AS(ops::softmax_cross_entropy_with_logits(Tensor({3}, {0, 1, 0}), logits), ShapeError);
}

TEST_CASE("softmax cross-entropy stays finite for logits of 1000", "[ops][cross_entropy]") {
  Tensor loss = ops::softmax_cross_entropy_with_logits(Tensor({1, 3}, {0, 0, 1}),
                                                       constant(Tensor({1, 3}, {1000, 0, -1000})))
                    .value();
  CHECK(loss[0] == Approx(2000.0f));
}

TEST_CASE("softmax cross-entropy passes finite differences, labels summing to 1 or not", "[ops][cross_entropy]") {
  Variable logits(random_tensor({3, 4, 2}, 72, -2, 2), "logits");
  const Tensor labels = random_tensor({3, 4, 2}, 73, 0, 1);  // rows do not sum to 1
  for (int axis : {0, 1, -1})
    CHECK_GRADIENTS([&] { return ops::softmax_cross_entropy_with_logits(labels, logits, axis); }, {logits});
}

TEST_CASE("sigmoid cross-entropy matches TensorFlow's formula and stays finite", "[ops][cross_entropy]") {
  // Keras's BinaryCrossentropy(from_logits=True) example: mean 0.865 over these four.
  // Per element max(x, 0) - x z + log1p(exp(-|x|)).
  Variable logits = constant(Tensor({4}, {-18.6f, 0.51f, 2.94f, -12.8f}));
  Tensor loss = ops::sigmoid_cross_entropy_with_logits(Tensor({4}, {0, 1, 0, 0}), logits).value();
  const float expected[] = {std::log1p(std::exp(-18.6f)), std::log1p(std::exp(-0.51f)),
                            2.94f + std::log1p(std::exp(-2.94f)), std::log1p(std::exp(-12.8f))};
  for (int i = 0; i < 4; ++i) CHECK(loss[i] == Approx(expected[i]).margin(1e-6));
  CHECK((loss[0] + loss[1] + loss[2] + loss[3]) / 4 == Approx(0.86545795f).margin(1e-6));
  Tensor extreme = ops::sigmoid_cross_entropy_with_logits(Tensor({2}, {0, 1}), constant(Tensor({2}, {1000, -1000})))
                       .value();
  CHECK_THAT(extreme, near(Tensor({2}, {1000, 1000})));
}

TEST_CASE("sigmoid cross-entropy passes finite differences", "[ops][cross_entropy]") {
  Variable logits(random_tensor({3, 4}, 74, -4, 4), "logits");
  const Tensor labels = random_tensor({3, 4}, 75, 0, 1);
  CHECK_GRADIENTS([&] { return ops::sigmoid_cross_entropy_with_logits(labels, logits); }, {logits});
}

TEST_CASE("softmax over the last axis and sigmoid remember their logits", "[ops][cross_entropy]") {
  Variable x = constant(Tensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  auto from_softmax = ops::logits_of(ops::softmax(x), "softmax");
  REQUIRE(from_softmax);
  CHECK(from_softmax->same_as(x));
  CHECK_FALSE(ops::logits_of(ops::softmax(x), "sigmoid"));
  CHECK_FALSE(ops::logits_of(ops::softmax(x, 0), "softmax"));  // not the last axis
  auto from_sigmoid = ops::logits_of(ops::sigmoid(x), "sigmoid");
  REQUIRE(from_sigmoid);
  CHECK(from_sigmoid->same_as(x));
  CHECK_FALSE(ops::logits_of(x, "softmax"));
  CHECK_FALSE(ops::logits_of(ops::tanh(x), "sigmoid"));
}
