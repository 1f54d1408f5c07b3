// RMSprop: plain, with momentum, centered with momentum; Keras's docstring example.
#include <catch2/catch.hpp>

#include "optimizer_test_helpers.hpp"

using namespace strata;
using namespace strata::optimizers;
using strata::testing::check_trajectory;

TEST_CASE("RMSprop reproduces the Keras docstring example", "[optimizers][rmsprop]") {
  // Keras: RMSprop(learning_rate=0.1); var1 = 10.0; loss = var1**2 / 2; one minimize -> 9.683772
  // (v = 0.1 * 100 = 10; var -= 0.1 * 10 / sqrt(10 + 1e-7)).
  RMSprop rmsprop({.learning_rate = 0.1});
  Variable var(Tensor::scalar(10.0f), "var1");
  rmsprop.apply_gradients({var.value()}, {var});
  CHECK(var.value().item() == Approx(9.683772).epsilon(1e-6));
}

// With lr = 0.01, rho = 0.9: v1 = 0.1 * g1^2 = [0.025, 0.1], v2 = [0.0265, 0.106],
// v3 = [0.03285, 0.0964]; increment = lr * g / sqrt(v + 1e-7).
TEST_CASE("RMSprop steps by lr * g / sqrt(v + epsilon)", "[optimizers][rmsprop]") {
  RMSprop rmsprop({.learning_rate = 0.01});
  // x1 = [1 - 0.005 / 0.158114, -2 + 0.01 / 0.316228] = [0.96837728664, -1.96837723921]
  // x2 = x1 - [0.002 / 0.162788, 0.004 / 0.325576]     = [0.95609140749, -1.98066313575]
  // x3 = x2 - [-0.003 / 0.181246, 0.001 / 0.310483]    = [0.97264350007, -1.98388391721]
  check_trajectory(rmsprop, {{0.9683772866436797, -1.9683772392096925},
                             {0.9560914074878829, -1.9806631357511386},
                             {0.9726435000665057, -1.9838839172126135}});
}

TEST_CASE("RMSprop with momentum accumulates the increments", "[optimizers][rmsprop]") {
  RMSprop rmsprop({.learning_rate = 0.01, .momentum = 0.5});
  // mom_t = 0.5 * mom_{t-1} + increment_t, x -= mom_t:
  // mom1 = [0.0316227, -0.0316228]  x1 = [0.96837728664, -1.96837723921]
  // mom2 = [0.0280972, -0.0035255]  x2 = [0.94028005081, -1.96485175536]
  // mom3 = [-0.0025035, 0.0014580]  x3 = [0.94278352547, -1.96630979489]
  check_trajectory(rmsprop, {{0.9683772866436797, -1.9683772392096925},
                             {0.9402800508097228, -1.964851755355985},
                             {0.942783525471367, -1.966309794890606}});
}

TEST_CASE("RMSprop centered subtracts the squared mean gradient", "[optimizers][rmsprop]") {
  RMSprop rmsprop({.learning_rate = 0.01, .momentum = 0.5, .centered = true});
  // a_t = 0.9 * a + 0.1 * g: a1 = [0.05, -0.1], a2 = [0.065, -0.05], a3 = [0.0285, -0.035];
  // denominator = v - a^2 + 1e-7: step 1 = [0.0225, 0.09] -> increment = [0.01 * 0.5 / 0.15, -0.01 / 0.3]
  // mom1 = [0.0333333, -0.0333333]  x1 = [0.96666674074, -1.96666668519]
  // mom2 = [0.0300671, -0.0042333]  x2 = [0.93659963699, -1.96243341921]
  // mom3 = [-0.0017270, 0.0011248]  x3 = [0.93832668555, -1.96355822878]
  check_trajectory(rmsprop, {{0.9666667407404939, -1.9666666851851697},
                             {0.9365996369868785, -1.962433419214491},
                             {0.9383266855468402, -1.9635582287817752}});
}
