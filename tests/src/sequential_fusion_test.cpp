// Sequential's fusion of a Conv2D with the activation layer after it (Layer::call_fused):
// the model gives the bits of calling its layers one by one, forward and backward, and
// the pairs that must not fuse are left alone.
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "strata/gradient_tape.hpp"
#include "strata/layers/activation.hpp"
#include "strata/layers/conv2d.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/layers/leaky_re_lu.hpp"
#include "strata/layers/p_re_lu.hpp"
#include "strata/layers/re_lu.hpp"
#include "strata/ops.hpp"
#include "strata/regularizers.hpp"
#include "strata/sequential.hpp"
#include "support/tensor_helpers.hpp"

using namespace strata;
using namespace strata::layers;
using strata::testing::random_tensor;

namespace {

// Every activation layer that fuses, after a Conv2D on each of conv2d's kernel paths
// (direct on 1 channel, Winograd on 16, im2col for a 5x5 kernel), and one that does not.
Sequential mixed_model() {
  Sequential model;
  model.add(Conv2D({.filters = 16, .kernel_size = 3, .input_shape = {14, 14, 1}}));
  model.add(LeakyReLU({.alpha = 0.01f}));
  model.add(Conv2D({.filters = 16, .kernel_size = 3}));
  model.add(ReLU());
  model.add(Conv2D({.filters = 12, .kernel_size = 5}));
  model.add(ReLU({.negative_slope = 0.2f}));
  model.add(Conv2D({.filters = 8, .kernel_size = 3, .padding = "same"}));
  model.add(Activation({.activation = "relu"}));
  model.add(Conv2D({.filters = 8, .kernel_size = 1}));
  model.add(PReLU());
  model.add(Flatten());
  model.add(Dense({.units = 3}));
  model.build({std::nullopt, 14, 14, 1});
  return model;
}

}  // namespace

TEST_CASE("Sequential gives the bits of its layers called one by one when it fuses Conv2D and an activation",
          "[sequential][fused_activation]") {
  Sequential model = mixed_model();
  const Variable x = constant(random_tensor({3, 14, 14, 1}, 31));
  const std::vector<Variable> weights = model.trainable_weights();
  for (const bool training : {false, true}) {
    INFO("training " << training);
    GradientTape model_tape;
    const Variable fused = model(x, training);
    GradientTape layer_tape;
    Variable separate = x;
    for (const auto& layer : model.layers()) separate = (*layer)(separate, training);
    REQUIRE(fused.value() == separate.value());
    const Tensor dy = random_tensor(fused.shape(), 32);
    const std::vector<Tensor> expected = layer_tape.gradient(separate, weights, dy);
    const std::vector<Tensor> got = model_tape.gradient(fused, weights, dy);
    for (std::size_t i = 0; i < weights.size(); ++i) {
      INFO(weights[i].name());
      CHECK(got[i] == expected[i]);
    }
  }
}

TEST_CASE("Layer::call_fused fuses a Conv2D with ReLU and LeakyReLU only where the result is the same",
          "[sequential][fused_activation]") {
  const Variable x = constant(random_tensor({2, 8, 8, 4}, 41));
  auto conv = [](Conv2DOptions options) {
    options.filters = 8;
    options.kernel_size = 3;
    auto layer = std::make_shared<Conv2D>(std::move(options));
    layer->build({std::nullopt, 8, 8, 4});
    return layer;
  };
  auto built = [](auto layer) {
    layer->build({std::nullopt, 6, 6, 8});
    return layer;
  };
  const auto plain = conv({});
  const auto leaky = built(std::make_shared<LeakyReLU>(LeakyReLUOptions{.alpha = 0.3f}));
  CHECK(plain->call_fused(x, false, *leaky).has_value());
  CHECK(plain->call_fused(x, false, *built(std::make_shared<ReLU>())).has_value());
  CHECK(plain->call_fused(x, false, *built(std::make_shared<Activation>(ActivationOptions{.activation = "linear"})))
            .has_value());
  // Activations whose gradient the output's sign does not give, or that are not a ReLU.
  CHECK_FALSE(plain->call_fused(x, false, *built(std::make_shared<LeakyReLU>(LeakyReLUOptions{.alpha = -0.5f}))));
  CHECK_FALSE(plain->call_fused(x, false, *built(std::make_shared<ReLU>(ReLUOptions{.max_value = 6.0f}))));
  CHECK_FALSE(plain->call_fused(x, false, *built(std::make_shared<ReLU>(ReLUOptions{.threshold = 0.5f}))));
  CHECK_FALSE(plain->call_fused(x, false, *built(std::make_shared<PReLU>())));
  CHECK_FALSE(
      plain->call_fused(x, false, *built(std::make_shared<Activation>(ActivationOptions{.activation = "tanh"}))));
  // The Conv2D's own activation and activity regularizer come before the next layer's.
  CHECK_FALSE(conv({.activation = "relu"})->call_fused(x, false, *leaky));
  CHECK_FALSE(conv({.activity_regularizer = regularizers::L2()})->call_fused(x, false, *leaky));
  CHECK_FALSE(conv({.groups = 2})->call_fused(x, false, *leaky));
  // A layer not built yet is built by its first call, not here.
  CHECK_FALSE(plain->call_fused(x, false, *std::make_shared<LeakyReLU>()));

  // A fused pair gives the bits of the two calls.
  const Variable fused = *plain->call_fused(x, false, *leaky);
  CHECK(fused.value() == (*leaky)((*plain)(x, false), false).value());
}

TEST_CASE("Conv2D applies a relu or LeakyReLU activation argument inside its convolution",
          "[sequential][fused_activation]") {
  const Variable x = constant(random_tensor({2, 9, 9, 16}, 51));
  for (const ActivationArg& activation : {ActivationArg("relu"), ActivationArg(LeakyReLU({.alpha = 0.05f}))}) {
    Conv2D layer({.filters = 16, .kernel_size = 3, .activation = activation});
    GradientTape tape;
    const Variable y = layer(x, true);
    const Variable kernel = layer.kernel();
    const Variable bias = *layer.bias();
    GradientTape reference_tape;
    const Variable z = ops::conv2d(x, kernel, bias);
    const Variable expected = activation.name() == "relu" ? ops::relu(z) : ops::leaky_relu(z, 0.05f);
    REQUIRE(y.value() == expected.value());
    const Tensor dy = random_tensor(y.shape(), 52);
    const auto got = tape.gradient(y, {kernel, bias}, dy);
    const auto want = reference_tape.gradient(expected, {kernel, bias}, dy);
    CHECK(got[0] == want[0]);
    CHECK(got[1] == want[1]);
  }
}
