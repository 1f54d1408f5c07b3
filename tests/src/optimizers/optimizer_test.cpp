// The Optimizer base: argument validation that changes nothing, iterations, per-variable
// state by identity, and the EMA of the weights.
#include <catch2/catch.hpp>

#include "optimizer_test_helpers.hpp"
#include <cmath>
#include <limits>

#include "strata/error.hpp"

using namespace strata;
using namespace strata::optimizers;
using strata::testing::two_parameters;

TEST_CASE("apply_gradients with mismatched counts changes nothing", "[optimizers]") {
  SGD sgd({.learning_rate = 0.1});
  Variable x = two_parameters();
  Variable y(Tensor({1}, {3.0f}), "y");
  CHECK_THROWS_MATCHES(sgd.apply_gradients({Tensor({2}, {1.0f, 1.0f})}, {x, y}), ValueError,
                       Catch::Message("SGD.apply_gradients: got 1 gradients for 2 variables; pass one gradient per "
                                      "variable."));
  CHECK(x.value() == Tensor({2}, {1.0f, -2.0f}));
  CHECK(sgd.iterations() == 0);
}

TEST_CASE("apply_gradients with a wrong gradient shape names the variable and changes nothing", "[optimizers]") {
  Adam adam({.learning_rate = 0.1, .weight_decay = 0.1});
  Variable x = two_parameters();
  Variable kernel(Tensor::ones({2, 3}), "dense/kernel:0");
  CHECK_THROWS_MATCHES(adam.apply_gradients({Tensor({2}, {1.0f, 1.0f}), Tensor::ones({3, 2})}, {x, kernel}), ValueError,
                       Catch::Message("Adam.apply_gradients: the gradient for variable 'dense/kernel:0' (index 1) has "
                                      "shape (3, 2), but the variable has shape (2, 3)."));
  CHECK(x.value() == Tensor({2}, {1.0f, -2.0f}));  // not decayed, not stepped
  CHECK(kernel.value() == Tensor::ones({2, 3}));
  CHECK(adam.iterations() == 0);
  // The failed call left no state: the next step is a first step.
  adam.apply_gradients({strata::testing::gradient_at(0)}, {x});
  Adam fresh({.learning_rate = 0.1, .weight_decay = 0.1});
  Variable reference = two_parameters();
  fresh.apply_gradients({strata::testing::gradient_at(0)}, {reference});
  CHECK(x.value() == reference.value());
}

TEST_CASE("apply_gradients with no variables is a no-op", "[optimizers]") {
  Adam adam;
  adam.apply_gradients({}, {});
  CHECK(adam.iterations() == 0);
}

TEST_CASE("State follows the variable, not its position in the list", "[optimizers]") {
  // SGD with momentum 0.9, lr 1: each variable keeps its own m whatever the order.
  SGD sgd({.learning_rate = 1.0, .momentum = 0.9});
  Variable a(Tensor({1}, {0.0f}), "a");
  Variable b(Tensor({1}, {0.0f}), "b");
  sgd.apply_gradients({Tensor({1}, {1.0f}), Tensor({1}, {10.0f})}, {a, b});  // m_a = -1, m_b = -10
  sgd.apply_gradients({Tensor({1}, {0.0f}), Tensor({1}, {0.0f})}, {b, a});   // m_b = -9, m_a = -0.9
  CHECK(a.value()[0] == Approx(-1.9f));
  CHECK(b.value()[0] == Approx(-19.0f));
  // A handle copy is the same variable.
  Variable a_again = a;
  sgd.apply_gradients({Tensor({1}, {0.0f})}, {a_again});  // m_a = -0.81
  CHECK(a.value()[0] == Approx(-2.71f));
}

TEST_CASE("A new variable gets fresh state even at a reused address", "[optimizers]") {
  SGD sgd({.learning_rate = 1.0, .momentum = 0.9});
  for (int round = 0; round < 3; ++round) {
    Variable v(Tensor({1}, {0.0f}), "v");
    sgd.apply_gradients({Tensor({1}, {1.0f})}, {v});
    CHECK(v.value()[0] == -1.0f);  // no momentum from an earlier, destroyed variable
  }
}

TEST_CASE("Gradients with inf or NaN are applied without special casing", "[optimizers]") {
  SGD sgd({.learning_rate = 0.1});
  Variable x = two_parameters();
  sgd.apply_gradients({Tensor({2}, {std::numeric_limits<float>::infinity(), std::nanf("")})}, {x});
  CHECK(std::isinf(x.value()[0]));
  CHECK(std::isnan(x.value()[1]));
  CHECK(sgd.iterations() == 1);
}

TEST_CASE("use_ema keeps a moving average and overwrites with it every ema_overwrite_frequency steps",
          "[optimizers][ema]") {
  // SGD lr 1, gradient 1 each step, ema_momentum 0.5, overwrite every 2 steps.
  SGD sgd({.learning_rate = 1.0, .use_ema = true, .ema_momentum = 0.5, .ema_overwrite_frequency = 2});
  Variable x(Tensor({1}, {4.0f}), "x");
  sgd.apply_gradients({Tensor({1}, {1.0f})}, {x});
  // x = 3; average = 0.5 * 4 + 0.5 * 3 = 3.5
  CHECK(x.value()[0] == 3.0f);
  sgd.apply_gradients({Tensor({1}, {1.0f})}, {x});
  // x = 2; average = 0.5 * 3.5 + 0.5 * 2 = 2.75; step 2 is a multiple of 2: x = 2.75
  CHECK(x.value()[0] == 2.75f);
  sgd.apply_gradients({Tensor({1}, {1.0f})}, {x});
  // x = 1.75; average = 0.5 * 2.75 + 0.5 * 1.75 = 2.25
  CHECK(x.value()[0] == 1.75f);
  sgd.finalize_variable_values({x});
  CHECK(x.value()[0] == 2.25f);
}

TEST_CASE("finalize_variable_values does nothing without use_ema", "[optimizers][ema]") {
  SGD sgd({.learning_rate = 1.0});
  Variable x(Tensor({1}, {4.0f}), "x");
  sgd.apply_gradients({Tensor({1}, {1.0f})}, {x});
  sgd.finalize_variable_values({x});
  CHECK(x.value()[0] == 3.0f);
}

TEST_CASE("EMA arguments are checked in Keras's words", "[optimizers][ema]") {
  CHECK_THROWS_MATCHES(Adam({.use_ema = true, .ema_momentum = 1.5}), ValueError,
                       Catch::Message("`ema_momentum` must be in the range [0, 1]. Received: ema_momentum=1.5"));
  CHECK_THROWS_MATCHES(Adam({.use_ema = true, .ema_overwrite_frequency = 0}), ValueError,
                       Catch::Message("`ema_overwrite_frequency` must be an integer > 1 or None. Received: "
                                      "ema_overwrite_frequency=0"));
  CHECK_NOTHROW(Adam({.ema_momentum = 1.5}));  // checked only with use_ema, as in Keras
}

TEST_CASE("Steps update the variable's buffer in place", "[optimizers]") {
  // No step replaces the variable's storage (the slots and clipping buffers are reused too).
  Adam adam({.learning_rate = 0.1, .amsgrad = true, .clipnorm = 1.0});
  Variable x = two_parameters();
  adam.apply_gradients({strata::testing::gradient_at(0)}, {x});
  const float* before = x.value().data();
  for (int i = 0; i < 5; ++i) adam.apply_gradients({strata::testing::gradient_at(i % 3)}, {x});
  CHECK(x.value().data() == before);
  CHECK(adam.iterations() == 6);
}
