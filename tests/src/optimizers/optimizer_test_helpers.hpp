// Shared by the optimizer tests: the 2-parameter problem (x0 = [1, -2] and three fixed
// gradients) whose expected trajectories the tests derive by hand.
#pragma once

#include <vector>

#include "strata/optimizers.hpp"
#include "strata/variable.hpp"
#include "support/tensor_helpers.hpp"

namespace strata::testing {

inline Variable two_parameters() { return Variable(Tensor({2}, {1.0f, -2.0f}), "x"); }

// g1 = [0.5, -1.0], g2 = [0.2, 0.4], g3 = [-0.3, 0.1].
inline Tensor gradient_at(int step) {
  static const float g[3][2] = {{0.5f, -1.0f}, {0.2f, 0.4f}, {-0.3f, 0.1f}};
  return Tensor({2}, {g[step][0], g[step][1]});
}

// Applies the three gradients and checks x after each step against `expected` (1e-6
// relative unless `rtol` says otherwise).
inline void check_trajectory(optimizers::Optimizer& optimizer, const std::vector<std::vector<double>>& expected,
                             float rtol = 1e-6f) {
  Variable x = two_parameters();
  for (int step = 0; step < static_cast<int>(expected.size()); ++step) {
    optimizer.apply_gradients({gradient_at(step)}, {x});
    INFO("after step " << step + 1);
    const auto& e = expected[static_cast<std::size_t>(step)];
    CHECK_THAT(x.value(), near(Tensor({2}, {static_cast<float>(e[0]), static_cast<float>(e[1])}), 1e-7f, rtol));
  }
  CHECK(optimizer.iterations() == static_cast<std::int64_t>(expected.size()));
}

}  // namespace strata::testing
