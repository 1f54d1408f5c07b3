// AdamW: decoupled weight decay var -= var * weight_decay * lr before each Adam step.
#include <catch2/catch.hpp>

#include "optimizer_test_helpers.hpp"

using namespace strata;
using namespace strata::optimizers;
using strata::testing::check_trajectory;

TEST_CASE("AdamW decays the weights by weight_decay * lr before the Adam step", "[optimizers][adamw]") {
  AdamW adamw({.learning_rate = 0.1, .weight_decay = 0.1});
  // Each step first multiplies x by (1 - 0.1 * 0.1) = 0.99, then applies the Adam step of
  // adam_test.cpp (same m, v, alpha_t):
  //   x1 = 0.99 * [1, -2] - [0.0999993675, -0.0999996838]    = [0.89000063245, -1.88000031623]
  //   x2 = 0.99 * x1 - m2 * alpha_2 / (sqrt(v2) + 1e-7)      = [0.79124363356, -1.82663982979]
  //   x3                                                     = [0.75377601513, -1.78768397569]
  check_trajectory(adamw, {{0.890000632451532, -1.880000316226766},
                           {0.7912436335557586, -1.826639829790079},
                           {0.7537760151330763, -1.7876839756916858}},
                   5e-6f);  // Keras's float32 1 - 0.999^t, see adam_test.cpp
}

TEST_CASE("Adam with weight_decay equals AdamW with the same decay", "[optimizers][adamw]") {
  // tf.keras 2.11 applies weight decay in the base optimizer, for every optimizer.
  AdamW adamw({.learning_rate = 0.1, .weight_decay = 0.1});
  Adam adam({.learning_rate = 0.1, .weight_decay = 0.1});
  Variable a = strata::testing::two_parameters();
  Variable b = strata::testing::two_parameters();
  for (int step = 0; step < 3; ++step) {
    adamw.apply_gradients({strata::testing::gradient_at(step)}, {a});
    adam.apply_gradients({strata::testing::gradient_at(step)}, {b});
  }
  CHECK(a.value() == b.value());
}

TEST_CASE("AdamW defaults to weight_decay 0.004", "[optimizers][adamw]") {
  AdamW adamw;
  CHECK(adamw.options().weight_decay == 0.004);
  CHECK(adamw.base_options().weight_decay == 0.004);
  // One step of a zero gradient only decays: x *= 1 - 0.004 * 0.001.
  Variable x = strata::testing::two_parameters();
  adamw.apply_gradients({Tensor({2}, {0.0f, 0.0f})}, {x});
  CHECK_THAT(x.value(), strata::testing::near(Tensor({2}, {0.999996f, -1.999992f}), 0.0f, 2e-7f));
}
