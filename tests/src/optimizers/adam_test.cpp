// Adam and AMSGrad: three steps derived by hand with Keras's bias-corrected step size.
#include <catch2/catch.hpp>

#include "optimizer_test_helpers.hpp"

using namespace strata;
using namespace strata::optimizers;
using strata::testing::check_trajectory;

// Keras's Adam, with t = iterations + 1:
//   alpha_t = lr * sqrt(1 - 0.999^t) / (1 - 0.9^t)
//   m += (g - m) * 0.1;  v += (g^2 - v) * 0.001;  x -= m * alpha_t / (sqrt(v) + 1e-7)
// With lr = 0.1: alpha_1 = 0.1 * sqrt(0.001) / 0.1 = 0.0316227766,
// alpha_2 = 0.1 * sqrt(0.001999) / 0.19 = 0.0235316725, alpha_3 = 0.1 * sqrt(0.002997001) / 0.271 = 0.0202010597.
// The derivation is exact; Keras computes 1 - 0.999^t in float32, where the cancellation
// costs ~1e-5 relative in alpha_t (float32(0.999)^2 = 0.998001026), so x carries ~2e-6
// relative error against it: the tolerance is 5e-6. (A float32 replay of Keras's formula
// gives x2 = [0.8101452, -1.8654410], x3 = [0.7805901, -1.8447516], which strata matches.)
constexpr float kAdamRtol = 5e-6f;

TEST_CASE("Adam steps match a hand derivation over three steps", "[optimizers][adam]") {
  Adam adam({.learning_rate = 0.1});
  // Step 1: m = [0.05, -0.1], v = [0.00025, 0.001]; sqrt(v) = [0.0158114, 0.0316228]
  //   x1 = [1 - 0.05 * 0.0316228 / (0.0158114 + 1e-7), -2 + 0.1 * 0.0316228 / (0.0316228 + 1e-7)]
  //      = [0.90000063245, -1.90000031623]
  // Step 2: m = [0.065, -0.05], v = [0.00028975, 0.001159]
  //   x2 = x1 - m * 0.0235317 / (sqrt(v) + 1e-7) = [0.81014363988, -1.86543983295]
  // Step 3: m = [0.0285, -0.035], v = [0.00037946025, 0.001167841]
  //   x3 = [0.78058845779, -1.84475037715]
  check_trajectory(adam, {{0.9000006324515321, -1.900000316226766},
                          {0.8101436398802739, -1.8654398329523467},
                          {0.7805884577931493, -1.8447503771518543}},
                   kAdamRtol);
}

namespace {
// Gradients whose second moment shrinks after step 1, so AMSGrad's max(vhat, v) matters.
void run(Optimizer& optimizer, Variable& x) {
  optimizer.apply_gradients({Tensor({2}, {0.5f, -1.0f})}, {x});
  optimizer.apply_gradients({Tensor({2}, {0.01f, 0.02f})}, {x});
  optimizer.apply_gradients({Tensor({2}, {0.0f, 0.0f})}, {x});
}
}  // namespace

TEST_CASE("Adam with amsgrad divides by the running maximum of v", "[optimizers][adam]") {
  // Both: m1 = [0.05, -0.1], m2 = [0.046, -0.088], m3 = [0.0414, -0.0792];
  // v1 = [0.00025, 0.001], v2 = [0.00024985, 0.0009994], v3 = [0.00024960015, 0.0009984006].
  // Plain Adam divides by sqrt(v_t):  x3 = [0.77858414958, -1.78386244342]
  // AMSGrad keeps vhat = v1 (v shrinks): x2 = [0.83154047766, -1.83451648283],
  //                                      x3 = [0.77864704616, -1.78392260575]
  Adam plain({.learning_rate = 0.1});
  Adam amsgrad({.learning_rate = 0.1, .amsgrad = true});
  Variable a = strata::testing::two_parameters();
  Variable b = strata::testing::two_parameters();
  run(plain, a);
  run(amsgrad, b);
  CHECK_THAT(a.value(), strata::testing::near(Tensor({2}, {0.7785841495809949f, -1.7838624434240917f}), 1e-7f, kAdamRtol));
  CHECK_THAT(b.value(), strata::testing::near(Tensor({2}, {0.7786470461606424f, -1.7839226057504598f}), 1e-7f, kAdamRtol));
}

TEST_CASE("Adam keeps separate moments per variable", "[optimizers][adam]") {
  // Two variables updated by one optimizer behave as each would alone.
  Adam together({.learning_rate = 0.1});
  Adam alone({.learning_rate = 0.1});
  Variable x = strata::testing::two_parameters();
  Variable y(Tensor({3}, {5.0f, 6.0f, 7.0f}), "y");
  Variable reference = strata::testing::two_parameters();
  for (int step = 0; step < 3; ++step) {
    together.apply_gradients({strata::testing::gradient_at(step), Tensor({3}, {1.0f, 1.0f, 1.0f})}, {x, y});
    alone.apply_gradients({strata::testing::gradient_at(step)}, {reference});
  }
  CHECK(x.value() == reference.value());
  // A constant gradient of 1 moves each entry by alpha_t * m_t / sqrt(v_t) = lr exactly
  // (up to epsilon): m_t = 1 - 0.9^t, v_t = 1 - 0.999^t.
  CHECK_THAT(y.value(), strata::testing::near(Tensor({3}, {4.7f, 5.7f, 6.7f}), 1e-5f, 1e-6f));
}

TEST_CASE("Adam matches a float32 replay of Keras's formula to a few ulps", "[optimizers][adam]") {
  // Keras's update_step evaluated op by op with every intermediate rounded to float32 (a
  // Python replay with struct-packed floats): it pins the float32 beta powers and the
  // (g - m) * (1 - beta) form.
  Adam adam({.learning_rate = 0.1});
  check_trajectory(adam, {{0.9000012874603271, -1.900001049041748},
                          {0.8101451992988586, -1.8654409646987915},
                          {0.7805901169776917, -1.8447515964508057}},
                   2e-7f);
}
