// Sequential's fusion of a Conv2D with the activation and max pooling layers after it
// (Layer::call_fused): the model gives the values and gradients of calling its layers one
// by one, and the layers that must not fuse are left alone.
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "strata/gradient_tape.hpp"
#include "strata/layers/activation.hpp"
#include "strata/layers/average_pooling2d.hpp"
#include "strata/layers/conv2d.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/layers/leaky_re_lu.hpp"
#include "strata/layers/max_pooling2d.hpp"
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
// (direct on 1 channel, Winograd on 16, im2col for a 5x5 kernel), and one that does not;
// max pooling after an activation and straight after a Conv2D.
Sequential mixed_model() {
  Sequential model;
  model.add(Conv2D({.filters = 16, .kernel_size = 3, .input_shape = {30, 30, 1}}));
  model.add(LeakyReLU({.alpha = 0.01f}));
  model.add(MaxPooling2D({.pool_size = 2}));
  model.add(Conv2D({.filters = 16, .kernel_size = 3}));
  model.add(ReLU());
  model.add(Conv2D({.filters = 12, .kernel_size = 5}));
  model.add(ReLU({.negative_slope = 0.2f}));
  model.add(Conv2D({.filters = 8, .kernel_size = 3, .padding = "same"}));
  model.add(MaxPooling2D({.pool_size = 2, .padding = "same"}));
  model.add(Conv2D({.filters = 8, .kernel_size = 3, .padding = "same"}));
  model.add(Activation({.activation = "relu"}));
  model.add(Conv2D({.filters = 8, .kernel_size = 1}));
  model.add(PReLU());
  model.add(Flatten());
  model.add(Dense({.units = 3}));
  model.build({std::nullopt, 30, 30, 1});
  return model;
}

}  // namespace

TEST_CASE("Sequential gives the values and gradients of its layers called one by one when it fuses them",
          "[sequential][fused_activation]") {
  // Pooling inside the convolution's op sums the kernel and bias gradients block by block
  // of images instead of thread by thread: equal to rounding; everything else to the bit.
  Sequential model = mixed_model();
  const Variable x = constant(random_tensor({3, 30, 30, 1}, 31));
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
      CHECK(strata::testing::max_relative_diff(got[i], expected[i]) < 1e-6);
    }
  }
}

TEST_CASE("Layer::call_fused takes in ReLU, LeakyReLU and MaxPooling2D only where the result is the same",
          "[sequential][fused_activation]") {
  const Variable x = constant(random_tensor({2, 8, 8, 4}, 41));
  auto conv = [](Conv2DOptions options) {
    options.filters = 8;
    options.kernel_size = 3;
    auto layer = std::make_shared<Conv2D>(std::move(options));
    layer->build({std::nullopt, 8, 8, 4});
    return layer;
  };
  auto built = [](std::shared_ptr<Layer> layer) {
    layer->build({std::nullopt, 6, 6, 8});
    return layer;
  };
  using Layers = std::vector<std::shared_ptr<Layer>>;
  // How many of `next` a Conv2D takes in (0: none).
  auto taken = [&](const std::shared_ptr<Conv2D>& layer, const Layers& next) -> std::size_t {
    const auto fused = layer->call_fused(x, false, next);
    return fused ? fused->layers : 0;
  };
  const auto plain = conv({});
  const auto leaky = built(std::make_shared<LeakyReLU>(LeakyReLUOptions{.alpha = 0.3f}));
  const auto pool = built(std::make_shared<MaxPooling2D>());
  CHECK(taken(plain, {leaky}) == 1);
  CHECK(taken(plain, {leaky, pool}) == 2);
  CHECK(taken(plain, {pool, leaky}) == 1);
  CHECK(taken(plain, {built(std::make_shared<ReLU>())}) == 1);
  CHECK(taken(plain, {built(std::make_shared<Activation>(ActivationOptions{.activation = "linear"}))}) == 1);
  CHECK(taken(plain, {built(std::make_shared<Activation>(ActivationOptions{.activation = "relu"})), pool}) == 2);
  // Activations whose gradient the output's sign does not give, or that are not a ReLU,
  // and poolings other than channels_last max pooling.
  CHECK(taken(plain, {built(std::make_shared<LeakyReLU>(LeakyReLUOptions{.alpha = -0.5f})), pool}) == 0);
  CHECK(taken(plain, {built(std::make_shared<ReLU>(ReLUOptions{.max_value = 6.0f}))}) == 0);
  CHECK(taken(plain, {built(std::make_shared<ReLU>(ReLUOptions{.threshold = 0.5f}))}) == 0);
  CHECK(taken(plain, {built(std::make_shared<PReLU>())}) == 0);
  CHECK(taken(plain, {built(std::make_shared<Activation>(ActivationOptions{.activation = "tanh"}))}) == 0);
  CHECK(taken(plain, {built(std::make_shared<AveragePooling2D>())}) == 0);
  CHECK(taken(plain, {built(std::make_shared<MaxPooling2D>(MaxPooling2DOptions{.data_format = "channels_first"}))}) ==
        0);
  // The Conv2D's own activation and activity regularizer come before the next layers.
  CHECK(taken(conv({.activation = "relu"}), {leaky, pool}) == 0);
  CHECK(taken(conv({.activity_regularizer = regularizers::L2()}), {leaky}) == 0);
  CHECK(taken(conv({.groups = 2}), {leaky}) == 0);
  // A layer not built yet is built by its first call, not here.
  CHECK(taken(plain, {std::make_shared<LeakyReLU>()}) == 0);
  CHECK(taken(plain, {}) == 0);

  // Fused layers give the values of the calls one by one.
  CHECK(plain->call_fused(x, false, Layers{leaky})->output.value() == (*leaky)((*plain)(x, false), false).value());
  CHECK(plain->call_fused(x, false, Layers{leaky, pool})->output.value() ==
        (*pool)((*leaky)((*plain)(x, false), false), false).value());
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
