// The crossentropy losses: Keras's documented examples, hand-derived values with logits
// and label smoothing, the softmax/sigmoid logits trick, gradients, shape and label errors.
#include <catch2/catch.hpp>

#include <cmath>

#include "strata/error.hpp"
#include "strata/gradient_tape.hpp"
#include "strata/losses.hpp"
#include "strata/ops.hpp"
#include "support/tensor_helpers.hpp"

using namespace strata;
using strata::testing::near;
using strata::testing::random_tensor;

namespace {
// Keras's docstring example for the categorical forms.
const Tensor kProbabilities({2, 3}, {0.05f, 0.95f, 0.0f, 0.1f, 0.8f, 0.1f});
}  // namespace

TEST_CASE("sparse categorical crossentropy reproduces Keras's example", "[losses][crossentropy]") {
  // Keras: [0.0513, 2.303], mean 1.177. By hand: -log(0.95) + log(1 + 1e-7) (the 0 is
  // clipped to 1e-7 and the log-probabilities renormalised) and -log(0.1).
  Variable y_pred = constant(kProbabilities);
  const Tensor y_true({2}, {1, 2});
  CHECK_THAT(losses::sparse_categorical_crossentropy(y_true, y_pred).value(),
             near(Tensor({2}, {0.05129339f, 2.30258509f})));
  losses::SparseCategoricalCrossentropy scce;
  CHECK(scce(y_true, y_pred).value().item() == Approx(1.17693924f).epsilon(1e-6));
  // Labels as a (n, 1) column give the same loss.
  CHECK(scce(Tensor({2, 1}, {1, 2}), y_pred).value().item() == Approx(1.17693924f).epsilon(1e-6));
}

TEST_CASE("sparse categorical crossentropy from logits by hand", "[losses][crossentropy]") {
  Variable logits = constant(Tensor({2, 3}, {1, 2, 3, 1, 2, 3}));
  Tensor loss = losses::sparse_categorical_crossentropy(Tensor({2}, {2, 0}), logits, {.from_logits = true}).value();
  CHECK_THAT(loss, near(Tensor({2}, {0.40760596f, 2.40760596f})));
  // The class axis elsewhere: the same logits as columns, axis 0.
  Variable columns = constant(Tensor({3, 2}, {1, 1, 2, 2, 3, 3}));
  Tensor by_column =
      losses::sparse_categorical_crossentropy(Tensor({2}, {2, 0}), columns, {.from_logits = true, .axis = 0}).value();
  CHECK_THAT(by_column, near(Tensor({2}, {0.40760596f, 2.40760596f})));
}

TEST_CASE("sparse categorical crossentropy names a bad label and its index", "[losses][crossentropy]") {
  Variable y_pred = constant(kProbabilities);
  CHECK_THROWS_WITH(losses::sparse_categorical_crossentropy(Tensor({2}, {1, 3}), y_pred),
                    Catch::Contains("Received a label value of 3 which is outside the valid range of [0, 3) at "
                                    "label index 1"));
  CHECK_THROWS_WITH(losses::sparse_categorical_crossentropy(Tensor({2}, {0.5f, 1}), y_pred),
                    Catch::Contains("labels must be integer class indices; got 0.5 at label index 0"));
  CHECK_THROWS_AS(losses::sparse_categorical_crossentropy(Tensor({3}, {0, 1, 2}), y_pred), ShapeError);
}

TEST_CASE("SparseCategoricalCrossentropy with ignore_class averages over the other labels", "[losses][crossentropy]") {
  Variable logits = constant(Tensor({3, 3}, {1, 2, 3, 1, 2, 3, 1, 2, 3}));
  losses::SparseCategoricalCrossentropy scce({.from_logits = true, .ignore_class = -1});
  // (0.40760596 + 2.40760596) / 2: the ignored row adds 0 and is not counted.
  CHECK(scce(Tensor({3}, {2, -1, 0}), logits).value().item() == Approx(1.40760596f).epsilon(1e-6));
  CHECK(scce(Tensor({3}, {-1, -1, -1}), logits).value().item() == 0.0f);
}

TEST_CASE("categorical crossentropy reproduces Keras's example", "[losses][crossentropy]") {
  Variable y_pred = constant(kProbabilities);
  const Tensor y_true({2, 3}, {0, 1, 0, 0, 0, 1});
  CHECK_THAT(losses::categorical_crossentropy(y_true, y_pred).value(),
             near(Tensor({2}, {0.05129339f, 2.30258509f})));
  CHECK(losses::CategoricalCrossentropy()(y_true, y_pred).value().item() == Approx(1.17693924f).epsilon(1e-6));
}

TEST_CASE("categorical crossentropy rescales probabilities to sum to 1", "[losses][crossentropy]") {
  // backend.categorical_crossentropy divides by the row sum first: (0.4, 1.6) -> (0.2, 0.8).
  Tensor loss =
      losses::categorical_crossentropy(Tensor({1, 2}, {0, 1}), constant(Tensor({1, 2}, {0.4f, 1.6f}))).value();
  CHECK(loss[0] == Approx(-std::log(0.8f)).epsilon(1e-6));
}

TEST_CASE("categorical crossentropy with label smoothing, from probabilities and from logits",
          "[losses][crossentropy]") {
  // s = 0.3 over 3 classes: (0, 1, 0) -> (0.1, 0.8, 0.1).
  const Tensor y_true({1, 3}, {0, 1, 0});
  Tensor from_probabilities =
      losses::categorical_crossentropy(y_true, constant(Tensor({1, 3}, {0.2f, 0.7f, 0.1f})), {.label_smoothing = 0.3f})
          .value();
  // -(0.1 log 0.2 + 0.8 log 0.7 + 0.1 log 0.1)
  CHECK(from_probabilities[0] == Approx(0.67654226f).epsilon(1e-6));
  Tensor from_logits = losses::categorical_crossentropy(y_true, constant(Tensor({1, 3}, {1, 2, 3})),
                                                        {.from_logits = true, .label_smoothing = 0.3f})
                           .value();
  // lse - sum(t x) = 3.40760596 - 2.0
  CHECK(from_logits[0] == Approx(1.40760596f).epsilon(1e-6));
}

TEST_CASE("categorical crossentropy clips probabilities at 1e-7", "[losses][crossentropy]") {
  Tensor loss =
      losses::categorical_crossentropy(Tensor({1, 2}, {1, 0}), constant(Tensor({1, 2}, {0.0f, 1.0f}))).value();
  CHECK(loss[0] == Approx(-std::log(1e-7f)).epsilon(1e-5));  // 16.118
}

TEST_CASE("categorical crossentropy names both shapes when they differ", "[losses][crossentropy]") {
  CHECK_THROWS_WITH(losses::categorical_crossentropy(Tensor({2}, {0, 1}), constant(kProbabilities)),
                    "categorical_crossentropy: y_true and y_pred must have the same shape, got y_true (2,) and y_pred "
                    "(2, 3)");
  CHECK_THROWS_AS(losses::CategoricalCrossentropy()(Tensor({2, 1}, {0, 1}), constant(kProbabilities)), ShapeError);
}

TEST_CASE("binary crossentropy reproduces Keras's examples", "[losses][crossentropy]") {
  // losses.binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) = [0.916, 0.714]:
  // -log(0.4 + 1e-7) twice, then (-log(0.6 + 1e-7) - log(0.4 + 1e-7)) / 2.
  Tensor loss = losses::binary_crossentropy(Tensor({2, 2}, {0, 1, 0, 0}),
                                            constant(Tensor({2, 2}, {0.6f, 0.4f, 0.4f, 0.6f})))
                    .value();
  CHECK_THAT(loss, near(Tensor({2}, {0.91629047f, 0.71355792f})));
  // BinaryCrossentropy(from_logits=True): 0.865, per sample [0.235, 1.496].
  const Tensor y_true({2, 2}, {0, 1, 0, 0});
  Variable logits = constant(Tensor({2, 2}, {-18.6f, 0.51f, 2.94f, -12.8f}));
  losses::BinaryCrossentropy bce({.from_logits = true});
  CHECK_THAT(bce.call(y_true, logits).value(), near(Tensor({2}, {0.23515666f, 1.49575924f})));
  CHECK(bce(y_true, logits).value().item() == Approx(0.86545795f).epsilon(1e-6));
}

TEST_CASE("binary crossentropy with label smoothing, from probabilities and from logits", "[losses][crossentropy]") {
  // s = 0.2: label 1 -> 0.9. -(0.9 log(0.8 + 1e-7) + 0.1 log(0.2 + 1e-7)) = 0.36177282
  Tensor p = losses::binary_crossentropy(Tensor({1, 1}, {1}), constant(Tensor({1, 1}, {0.8f})),
                                         {.label_smoothing = 0.2f})
                 .value();
  CHECK(p[0] == Approx(0.36177282f).epsilon(1e-6));
  // Logit 2, target 0.9: 2 - 1.8 + log1p(exp(-2)) = 0.32692801
  Tensor l = losses::binary_crossentropy(Tensor({1, 1}, {1}), constant(Tensor({1, 1}, {2.0f})),
                                         {.from_logits = true, .label_smoothing = 0.2f})
                 .value();
  CHECK(l[0] == Approx(0.32692801f).epsilon(1e-6));
}

TEST_CASE("binary crossentropy clips at 1e-7 and adds it again inside the logs", "[losses][crossentropy]") {
  // Prediction 0 for label 1: clipped to 1e-7, then log(1e-7 + 1e-7) = log(2e-7), as Keras.
  Tensor loss = losses::binary_crossentropy(Tensor({1, 1}, {1}), constant(Tensor({1, 1}, {0.0f}))).value();
  CHECK(loss[0] == Approx(-std::log(2e-7f)).epsilon(1e-5));  // 15.425
}

TEST_CASE("BinaryCrossentropy accepts labels of shape (n) for predictions of shape (n, 1)", "[losses][crossentropy]") {
  losses::BinaryCrossentropy bce;
  Variable y_pred = constant(Tensor({2, 1}, {0.6f, 0.4f}));
  const float expected = (-std::log(0.6f + 1e-7f) - std::log(0.6f + 1e-7f)) / 2;
  CHECK(bce(Tensor({2}, {1, 0}), y_pred).value().item() == Approx(expected).epsilon(1e-6));
  CHECK(bce(Tensor({2, 1}, {1, 0}), y_pred).value().item() == Approx(expected).epsilon(1e-6));
  CHECK_THROWS_AS(losses::binary_crossentropy(Tensor({2}, {1, 0}), y_pred), ShapeError);
}

TEST_CASE("crossentropy on a softmax output equals crossentropy on its logits", "[losses][crossentropy]") {
  // Keras's _keras_logits trick: exact and finite even where probabilities underflow.
  Variable logits(Tensor({2, 3}, {1000, 0, -1000, 0.5f, -1, 2}), "logits");
  Variable probabilities = ops::softmax(logits);
  const Tensor one_hot({2, 3}, {0, 0, 1, 1, 0, 0});
  const Tensor labels({2}, {2, 0});
  Tensor trick = losses::categorical_crossentropy(one_hot, probabilities).value();
  Tensor direct = losses::categorical_crossentropy(one_hot, logits, {.from_logits = true}).value();
  CHECK_THAT(trick, near(direct));
  CHECK(trick[0] == Approx(2000.0f));  // clipping alone would give 16.118
  CHECK_THAT(losses::sparse_categorical_crossentropy(labels, probabilities).value(), near(direct));
  // Keras also uses the logits when from_logits=True is passed a softmax output.
  CHECK_THAT(losses::categorical_crossentropy(one_hot, probabilities, {.from_logits = true}).value(), near(direct));
  // The gradient flows to the logits through the fused op.
  CHECK_GRADIENTS([&] { return losses::categorical_crossentropy(one_hot, ops::softmax(logits)); }, {logits});
}

TEST_CASE("binary crossentropy on a sigmoid output equals binary crossentropy on its logits",
          "[losses][crossentropy]") {
  Variable logits(Tensor({2, 2}, {1000, -1000, 0.3f, -2}), "logits");
  const Tensor labels({2, 2}, {0, 1, 1, 0});
  Tensor trick = losses::binary_crossentropy(labels, ops::sigmoid(logits)).value();
  Tensor direct = losses::binary_crossentropy(labels, logits, {.from_logits = true}).value();
  CHECK_THAT(trick, near(direct));
  CHECK(trick[0] == Approx(1000.0f));
  // A softmax output is not taken for sigmoid logits: plain probabilities (clipped).
  Variable softmax_out = ops::softmax(constant(Tensor({1, 2}, {0, 0})));
  CHECK(losses::binary_crossentropy(Tensor({1, 2}, {1, 0}), softmax_out).value()[0] ==
        Approx(-std::log(0.5f + 1e-7f)).epsilon(1e-6));
  CHECK_GRADIENTS([&] { return losses::binary_crossentropy(labels, ops::sigmoid(logits)); }, {logits});
}

TEST_CASE("every crossentropy passes finite differences with and without logits", "[losses][crossentropy]") {
  Variable logits(random_tensor({4, 3}, 81, -2, 2), "logits");
  Variable probabilities(random_tensor({4, 3}, 82, 0.1f, 0.9f), "probabilities");
  const Tensor labels({4}, {0, 2, 1, 2});
  const Tensor one_hot({4, 3}, {1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1});
  const Tensor binary({4, 3}, {1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1});
  CHECK_GRADIENTS([&] { return losses::sparse_categorical_crossentropy(labels, logits, {.from_logits = true}); },
                  {logits});
  CHECK_GRADIENTS([&] { return losses::sparse_categorical_crossentropy(labels, probabilities); }, {probabilities});
  CHECK_GRADIENTS(
      [&] { return losses::categorical_crossentropy(one_hot, logits, {.from_logits = true, .label_smoothing = 0.1f}); },
      {logits});
  CHECK_GRADIENTS([&] { return losses::categorical_crossentropy(one_hot, probabilities, {.label_smoothing = 0.1f}); },
                  {probabilities});
  CHECK_GRADIENTS(
      [&] { return losses::binary_crossentropy(binary, logits, {.from_logits = true, .label_smoothing = 0.2f}); },
      {logits});
  CHECK_GRADIENTS([&] { return losses::binary_crossentropy(binary, probabilities, {.label_smoothing = 0.2f}); },
                  {probabilities});
  losses::SparseCategoricalCrossentropy scce({.from_logits = true});
  CHECK_GRADIENTS([&] { return scce(labels, logits); }, {logits});
}
