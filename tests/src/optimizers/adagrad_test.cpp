// Adagrad: accumulator from initial_accumulator_value, epsilon inside the square root.
#include <catch2/catch.hpp>

#include "optimizer_test_helpers.hpp"

using namespace strata;
using namespace strata::optimizers;
using strata::testing::check_trajectory;

TEST_CASE("Adagrad steps by lr * g / sqrt(accumulator + epsilon)", "[optimizers][adagrad]") {
  Adagrad adagrad({.learning_rate = 0.1});
  // accumulator = 0.1 + sum of g^2: [0.35, 1.1], [0.39, 1.26], [0.48, 1.27]
  // x1 = [1 - 0.05 / sqrt(0.35), -2 + 0.1 / sqrt(1.1)]    = [0.91548458660, -1.90465374541]
  // x2 = x1 - [0.02 / sqrt(0.39), 0.04 / sqrt(1.26)]      = [0.88345895995, -1.94028857625]
  // x3 = x2 - [-0.03 / sqrt(0.48), 0.01 / sqrt(1.27)]     = [0.92676022562, -1.94916214100]
  check_trajectory(adagrad, {{0.9154845866007779, -1.9046537454093613},
                             {0.8834589599456097, -1.9402885762502706},
                             {0.9267602256242834, -1.9491621409950788}});
}
