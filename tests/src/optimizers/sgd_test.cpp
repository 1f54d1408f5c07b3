// SGD: plain, momentum and Nesterov steps derived by hand; Keras's docstring examples.
#include <catch2/catch.hpp>

#include "optimizer_test_helpers.hpp"
#include "strata/error.hpp"

using namespace strata;
using namespace strata::optimizers;
using strata::testing::check_trajectory;

TEST_CASE("SGD without momentum steps x by -lr * g", "[optimizers][sgd]") {
  SGD sgd({.learning_rate = 0.1});
  // x1 = [1 - 0.05, -2 + 0.1] = [0.95, -1.9]; x2 = x1 - 0.1 * [0.2, 0.4] = [0.93, -1.94];
  // x3 = x2 - 0.1 * [-0.3, 0.1] = [0.96, -1.95].
  check_trajectory(sgd, {{0.95, -1.9}, {0.93, -1.94}, {0.96, -1.95}});
}

TEST_CASE("SGD with momentum accumulates m = momentum * m - lr * g", "[optimizers][sgd]") {
  SGD sgd({.learning_rate = 0.1, .momentum = 0.9});
  // m1 = -0.1 * g1 = [-0.05, 0.1]                          x1 = [0.95, -1.9]
  // m2 = -0.1 * g2 + 0.9 * m1 = [-0.02 - 0.045, -0.04 + 0.09] = [-0.065, 0.05]
  //                                                        x2 = [0.885, -1.85]
  // m3 = [0.03 - 0.0585, -0.01 + 0.045] = [-0.0285, 0.035] x3 = [0.8565, -1.815]
  check_trajectory(sgd, {{0.95, -1.9}, {0.885, -1.85}, {0.8565, -1.815}});
}

TEST_CASE("SGD with Nesterov momentum steps by -lr * g + momentum * m", "[optimizers][sgd]") {
  SGD sgd({.learning_rate = 0.1, .momentum = 0.9, .nesterov = true});
  // The same m as above; x += -0.1 * g + 0.9 * m_new:
  // x1 = [1 - 0.05 - 0.045, -2 + 0.1 + 0.09]            = [0.905, -1.81]
  // x2 = x1 + [-0.02 - 0.0585, -0.04 + 0.045]           = [0.8265, -1.805]
  // x3 = x2 + [0.03 - 0.02565, -0.01 + 0.0315]          = [0.83085, -1.7835]
  check_trajectory(sgd, {{0.905, -1.81}, {0.8265, -1.805}, {0.83085, -1.7835}});
}

TEST_CASE("SGD reproduces the Keras docstring example with momentum 0.9", "[optimizers][sgd]") {
  // Keras: opt = SGD(0.1, momentum=0.9); var = 1.0; loss = var**2 / 2 (gradient = var);
  // the first step moves var by 0.1, the second by 0.18.
  SGD sgd({.learning_rate = 0.1, .momentum = 0.9});
  Variable var(Tensor::scalar(1.0f), "var");
  sgd.apply_gradients({var.value()}, {var});
  CHECK(1.0f - var.value().item() == Approx(0.1).epsilon(1e-6));
  const float val1 = var.value().item();
  sgd.apply_gradients({var.value()}, {var});
  CHECK(val1 - var.value().item() == Approx(0.18).epsilon(1e-5));
}

TEST_CASE("SGD refuses a momentum outside 0 to 1 in Keras's words", "[optimizers][sgd]") {
  CHECK_THROWS_MATCHES(SGD({.momentum = 1.5}), ValueError, Catch::Message("`momentum` must be between [0, 1]."));
  CHECK_THROWS_AS(SGD({.momentum = -0.1}), ValueError);
}
