// Gradient clipping as Keras's _clip_gradients: clipnorm per gradient, global_clipnorm
// over all, clipvalue elementwise; one kind only, in that order of precedence.
#include <catch2/catch.hpp>

#include "optimizer_test_helpers.hpp"
#include "strata/error.hpp"

using namespace strata;
using namespace strata::optimizers;
using strata::testing::near;

namespace {
// SGD with lr 1 from zeros: the variables end at minus the (clipped) gradients.
std::vector<Tensor> applied(SGDOptions options, const std::vector<Tensor>& gradients) {
  options.learning_rate = 1.0;
  SGD sgd(options);
  std::vector<Variable> variables;
  for (const Tensor& g : gradients) variables.emplace_back(Tensor::zeros(g.shape()), "v");
  sgd.apply_gradients(gradients, variables);
  std::vector<Tensor> out;
  for (const Variable& v : variables) {
    Tensor t = v.value();
    for (float& x : t) x = -x;
    out.push_back(t);
  }
  return out;
}
}  // namespace

TEST_CASE("clipnorm scales each gradient to an L2 norm of at most clipnorm", "[optimizers][clipping]") {
  // [3, 4] has norm 5 -> [0.6, 0.8]; [0.3, 0.4] has norm 0.5 <= 1 and is kept.
  const auto g = applied({.clipnorm = 1.0}, {Tensor({2}, {3.0f, 4.0f}), Tensor({2}, {0.3f, 0.4f})});
  CHECK_THAT(g[0], near(Tensor({2}, {0.6f, 0.8f}), 0.0f, 1e-6f));
  CHECK_THAT(g[1], near(Tensor({2}, {0.3f, 0.4f}), 0.0f, 1e-6f));
}

TEST_CASE("global_clipnorm scales all gradients by one factor", "[optimizers][clipping]") {
  // Global norm sqrt(9 + 16 + 144) = 13 -> every gradient times 1/13.
  const auto g = applied({.global_clipnorm = 1.0}, {Tensor({2}, {3.0f, 4.0f}), Tensor({3}, {0.0f, 0.0f, 12.0f})});
  CHECK_THAT(g[0], near(Tensor({2}, {3.0f / 13, 4.0f / 13}), 0.0f, 1e-6f));
  CHECK_THAT(g[1], near(Tensor({3}, {0.0f, 0.0f, 12.0f / 13}), 1e-7f, 1e-6f));
  // Below the limit nothing changes.
  const auto small = applied({.global_clipnorm = 100.0}, {Tensor({2}, {3.0f, 4.0f})});
  CHECK_THAT(small[0], near(Tensor({2}, {3.0f, 4.0f}), 0.0f, 1e-6f));
}

TEST_CASE("clipvalue clips each element to plus or minus clipvalue", "[optimizers][clipping]") {
  const auto g = applied({.clipvalue = 0.5}, {Tensor({3}, {-2.0f, 0.3f, 0.7f})});
  CHECK(g[0] == Tensor({3}, {-0.5f, 0.3f, 0.5f}));
}

TEST_CASE("clipnorm takes precedence over clipvalue, as in Keras", "[optimizers][clipping]") {
  // Norm 5 < 10: clipnorm keeps [3, 4], and clipvalue is not applied at all.
  const auto g = applied({.clipnorm = 10.0, .clipvalue = 0.5}, {Tensor({2}, {3.0f, 4.0f})});
  CHECK(g[0] == Tensor({2}, {3.0f, 4.0f}));
}

TEST_CASE("Clipping leaves the caller's gradients untouched", "[optimizers][clipping]") {
  SGD sgd({.learning_rate = 1.0, .clipvalue = 0.5});
  Variable x(Tensor::zeros({2}), "x");
  const std::vector<Tensor> grads{Tensor({2}, {3.0f, -4.0f})};
  sgd.apply_gradients(grads, {x});
  sgd.apply_gradients(grads, {x});  // the second step reuses the clipping buffer
  CHECK(grads[0] == Tensor({2}, {3.0f, -4.0f}));
  CHECK(x.value() == Tensor({2}, {-1.0f, 1.0f}));
}

TEST_CASE("Setting both clipnorm and global_clipnorm is refused in Keras's words", "[optimizers][clipping]") {
  CHECK_THROWS_MATCHES(Adam({.clipnorm = 1.0, .global_clipnorm = 2.0}), ValueError,
                       Catch::Message("At most one of `clipnorm` and `global_clipnorm` can be set. Received: "
                                      "clipnorm=1.0, global_clipnorm=2.0."));
}
