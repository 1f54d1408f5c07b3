// Activation functions by name (tf.keras 2.x docstring values), the unknown-name message
// and its suggestions, and ActivationArg with names and layer objects.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "strata/activations.hpp"
#include "strata/config_reader.hpp"
#include "strata/error.hpp"
#include "strata/gradient_tape.hpp"
#include "strata/layers/leaky_re_lu.hpp"
#include "strata/layers/p_re_lu.hpp"
#include "strata/layers/r_re_lu.hpp"
#include "strata/ops.hpp"
#include "support/tensor_helpers.hpp"

using namespace strata;
using namespace strata::layers;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using strata::testing::near;

namespace {
Variable vec(std::initializer_list<float> values) { return constant(Tensor({values.size()}, std::vector<float>(values))); }
Tensor apply(const std::string& name, std::initializer_list<float> values) { return activations::get(name)(vec(values)).value(); }
}  // namespace

TEST_CASE("activations::names lists Keras's activation functions in order", "[activations]") {
  CHECK(activations::names() ==
        std::vector<std::string>{"elu", "exponential", "gelu", "hard_sigmoid", "leaky_relu", "linear", "log_softmax",
                                 "mish", "relu", "relu6", "selu", "sigmoid", "silu", "softmax", "softplus", "softsign",
                                 "swish", "tanh"});
}

TEST_CASE("relu by name gives Keras's documented values", "[activations]") {
  CHECK(apply("relu", {-10, -5, 0, 5, 10}) == Tensor({5}, {0, 0, 0, 5, 10}));
}

TEST_CASE("sigmoid by name gives Keras's documented values", "[activations]") {
  // tf.keras.activations.sigmoid docstring
  CHECK_THAT(apply("sigmoid", {-20, -1, 0, 1, 20}),
             near(Tensor({5}, {2.0611537e-09f, 2.6894143e-01f, 5.0000000e-01f, 7.3105860e-01f, 1.0f}), 0.0f, 1e-6f));
}

TEST_CASE("softplus by name gives Keras's documented values", "[activations]") {
  CHECK_THAT(apply("softplus", {-20, -1, 0, 1, 20}),
             near(Tensor({5}, {2.0611537e-09f, 3.1326166e-01f, 6.9314718e-01f, 1.3132616e+00f, 2.0000000e+01f}), 0.0f,
                  1e-6f));
}

TEST_CASE("softsign by name gives Keras's documented values", "[activations]") {
  CHECK(apply("softsign", {-1, 0, 1}) == Tensor({3}, {-0.5f, 0, 0.5f}));
}

TEST_CASE("tanh by name gives Keras's documented values", "[activations]") {
  CHECK_THAT(apply("tanh", {-3, -1, 0, 1, 3}),
             near(Tensor({5}, {-0.9950547f, -0.7615942f, 0, 0.7615942f, 0.9950547f}), 0.0f, 1e-6f));
}

TEST_CASE("exponential by name gives Keras's documented values", "[activations]") {
  CHECK_THAT(apply("exponential", {-3, -1, 0, 1, 3}),
             near(Tensor({5}, {0.04978707f, 0.36787945f, 1, 2.7182817f, 20.085537f}), 0.0f, 1e-6f));
}

TEST_CASE("hard_sigmoid by name gives tf.keras 2's documented values", "[activations]") {
  CHECK_THAT(apply("hard_sigmoid", {-3, -1, 0, 1, 3}), near(Tensor({5}, {0, 0.3f, 0.5f, 0.7f, 1}), 0.0f, 1e-6f));
}

TEST_CASE("swish and silu by name give Keras's documented values", "[activations]") {
  const Tensor expected({5}, {-4.1223075e-08f, -2.6894143e-01f, 0, 7.3105860e-01f, 2.0000000e+01f});
  CHECK_THAT(apply("swish", {-20, -1, 0, 1, 20}), near(expected, 0.0f, 1e-6f));
  CHECK_THAT(apply("silu", {-20, -1, 0, 1, 20}), near(expected, 0.0f, 1e-6f));
}

TEST_CASE("gelu by name is the exact form", "[activations]") {
  // Within 1e-6 of the docstring: TensorFlow's float32 erf is an approximation (see
  // tests/autograd/ops/activation_test.cpp).
  CHECK_THAT(apply("gelu", {-3, -1, 0, 1, 3}),
             near(Tensor({5}, {-0.00404951f, -0.15865529f, 0, 0.8413447f, 2.9959507f}), 1e-6f, 0.0f));
}

TEST_CASE("linear by name returns its input", "[activations]") {
  CHECK(apply("linear", {-3, -1, 0, 1, 3}) == Tensor({5}, {-3, -1, 0, 1, 3}));
}

TEST_CASE("leaky_relu by name uses alpha 0.2 like tf.nn.leaky_relu, not the layer's 0.3", "[activations]") {
  CHECK(apply("leaky_relu", {-3, -1, 0, 2}) == Tensor({4}, {-3.0f * 0.2f, -0.2f, 0, 2}));
}

TEST_CASE("softmax by name normalizes the last axis and refuses 1-D input", "[activations]") {
  const Tensor y = activations::get("softmax")(constant(Tensor({2, 3}, {1, 2, 1, 0, 0, 0}))).value();
  // exp(1) / (2 exp(1) + exp(2)) = 0.21194155761708544
  CHECK_THAT(y, near(Tensor({2, 3}, {0.21194156f, 0.57611688f, 0.21194156f, 1 / 3.0f, 1 / 3.0f, 1 / 3.0f})));
  CHECK_THROWS_WITH(activations::get("softmax")(vec({1, 2})),
                    StartsWith("Cannot apply softmax to a tensor that is 1D. Received input: "));
}

TEST_CASE("log_softmax by name is the log of softmax over the last axis", "[activations]") {
  const Tensor y = activations::get("log_softmax")(constant(Tensor({1, 3}, {1, 2, 1}))).value();
  CHECK_THAT(y, near(Tensor({1, 3}, {-1.5514461f, -0.5514461f, -1.5514461f})));
}

TEST_CASE("An unknown activation name fails with Keras's message, the known names and 'leaky_relu' for lrelu",
          "[activations]") {
  CHECK_THROWS_AS(activations::get("lrelu"), ValueError);
  CHECK_THROWS_WITH(
      activations::get("lrelu"),
      "Unknown activation function: lrelu. Known activation functions: elu, exponential, gelu, hard_sigmoid, "
      "leaky_relu, linear, log_softmax, mish, relu, relu6, selu, sigmoid, silu, softmax, softplus, softsign, swish, "
      "tanh. Did you mean 'leaky_relu'? Note: 'leaky_relu' is the function tf.nn.leaky_relu with alpha = 0.2; "
      "LeakyReLU (any alpha, default 0.3), PReLU (learned slopes) and RReLU (random slopes) are layers, not "
      "activation functions: pass one as `activation = LeakyReLU({.alpha = 0.01})` or add it after the layer with "
      "`model.add(LeakyReLU(...))`.");
}

TEST_CASE("'prelu' and 'rrelu' point to the PReLU and RReLU layers", "[activations]") {
  CHECK_THROWS_WITH(activations::get("prelu"), StartsWith("Unknown activation function: prelu. Known"));
  CHECK_THROWS_WITH(activations::get("prelu"), Contains("Did you mean 'PReLU'?") && Contains("are layers"));
  CHECK_THROWS_WITH(activations::get("rrelu"), Contains("Did you mean 'RReLU'?"));
  CHECK_THROWS_WITH(activations::get("LeakyReLU"), Contains("Did you mean 'leaky_relu'?") &&
                                                       Contains("`activation = LeakyReLU({.alpha = 0.01})`"));
}

TEST_CASE("A misspelt activation name suggests the closest known name", "[activations]") {
  CHECK_THROWS_WITH(activations::get("sigmod"), Contains("Did you mean 'sigmoid'?"));
  CHECK_THROWS_WITH(activations::get("tahn"), Contains("Did you mean 'tanh'?"));
  CHECK_THROWS_WITH(activations::get("Softmax"), Contains("Did you mean 'softmax'?"));
  CHECK_THROWS_WITH(activations::get("relu_6"), Contains("Did you mean 'relu6'?"));
}

TEST_CASE("A name far from every known one gets no suggestion", "[activations]") {
  CHECK_THROWS_WITH(activations::get("foo"), !Contains("Did you mean") && !Contains("are layers"));
}

TEST_CASE("ActivationArg from a name applies the function and writes the name", "[activations]") {
  const ActivationArg relu = "relu";
  CHECK(relu.name() == "relu");
  CHECK_FALSE(relu.is_linear());
  CHECK(relu(vec({-1, 2}), false).value() == Tensor({2}, {0, 2}));
  CHECK(relu.to_config() == Json("relu"));
}

TEST_CASE("ActivationArg defaults to linear, which passes its input through", "[activations]") {
  const ActivationArg linear;
  CHECK(linear.is_linear());
  CHECK(linear.to_config() == Json("linear"));
  CHECK(linear(vec({-1, 2}), false).value() == Tensor({2}, {-1, 2}));
}

TEST_CASE("ActivationArg with an unknown name fails at construction", "[activations]") {
  CHECK_THROWS_WITH(ActivationArg("lrelu"), StartsWith("Unknown activation function: lrelu. "));
}

TEST_CASE("ActivationArg round-trips a name through its config", "[activations]") {
  Json config = Json::object();
  config["activation"] = ActivationArg("selu").to_config();
  const ActivationArg back = ActivationArg::from_config(ConfigReader(config, "config"), "activation");
  CHECK(back.name() == "selu");
  CHECK(back.to_config() == Json("selu"));
}

TEST_CASE("ActivationArg reads null and an absent key as linear", "[activations]") {
  const Json config = Json::parse(R"({"activation": null})");
  CHECK(ActivationArg::from_config(ConfigReader(config, "config"), "activation").is_linear());
  CHECK(ActivationArg::from_config(ConfigReader(config, "config"), "other").is_linear());
}

TEST_CASE("ActivationArg reads the Keras 2.13 form of a function", "[activations]") {
  const Json config = Json::parse(
      R"({"activation": {"module": "keras.activations", "class_name": "function", "config": "tanh", "registered_name": "function"}})");
  CHECK(ActivationArg::from_config(ConfigReader(config, "config"), "activation").name() == "tanh");
}

TEST_CASE("ActivationArg with an unknown name in a config names the JSON path", "[activations]") {
  const Json config = Json::parse(R"({"activation": "lrelu"})");
  CHECK_THROWS_AS(ActivationArg::from_config(ConfigReader(config, "config.layers[1].config"), "activation"),
                  ConfigError);
  CHECK_THROWS_WITH(ActivationArg::from_config(ConfigReader(config, "config.layers[1].config"), "activation"),
                    StartsWith("config.layers[1].config.activation: Unknown activation function: lrelu. "));
  const Json number = Json::parse(R"({"activation": 3})");
  CHECK_THROWS_WITH(ActivationArg::from_config(ConfigReader(number, "config"), "activation"),
                    StartsWith("config.activation: expected an activation name, null or a layer config"));
}

TEST_CASE("ActivationArg with a LeakyReLU object calls the layer and writes its nested config", "[activations]") {
  backend::clear_session();
  const ActivationArg arg = LeakyReLU({.alpha = 0.01});
  REQUIRE(arg.layer());
  CHECK(arg.name().empty());
  CHECK(arg(vec({-2, 3}), false).value() == Tensor({2}, {-2.0f * 0.01f, 3}));
  // KERAS.md 3.5
  CHECK(arg.to_config().dump() ==
        Json::parse(R"({"class_name": "LeakyReLU", "config": {"name": "leaky_re_lu", "trainable": true, "dtype": "float32", "alpha": 0.009999999776482582}})")
            .dump());
}

TEST_CASE("ActivationArg round-trips a LeakyReLU object through its config", "[activations]") {
  backend::clear_session();
  Json config = Json::object();
  config["activation"] = ActivationArg(LeakyReLU({.alpha = 0.01})).to_config();
  const ActivationArg back = ActivationArg::from_config(ConfigReader(config, "config"), "activation");
  REQUIRE(back.layer());
  CHECK(back.layer()->class_name() == "LeakyReLU");
  CHECK(back.to_config() == config["activation"]);
  CHECK(back(vec({-2, 3}), false).value() == Tensor({2}, {-2.0f * 0.01f, 3}));
}

TEST_CASE("ActivationArg accepts activation layer class names as strings, as keras 2.6-2.12 do", "[activations]") {
  backend::clear_session();
  for (const char* name : {"LeakyReLU", "PReLU", "ELU", "ReLU", "ThresholdedReLU", "Softmax", "RReLU"}) {
    const ActivationArg arg = name;
    REQUIRE(arg.layer());
    CHECK(arg.layer()->class_name() == name);
  }
  // "LeakyReLU" is the layer with its default alpha 0.3, not the function (0.2).
  const ActivationArg leaky = "LeakyReLU";
  CHECK(leaky(vec({-1}), false).value() == Tensor({1}, {-0.3f}));
  CHECK(leaky.to_config()["class_name"] == "LeakyReLU");
}

TEST_CASE("ActivationArg builds a PReLU activation so its weights exist before the first call", "[activations]") {
  const ActivationArg arg = PReLU({.shared_axes = {1}});
  arg.build({std::nullopt, 4, 3});
  CHECK(arg.layer()->built());
  CHECK(arg.layer()->count_params() == 3);
}

TEST_CASE("ActivationArg passes training to an activation layer", "[activations]") {
  const ActivationArg arg = RReLU({.lower = 0.25, .upper = 0.5, .seed = 3});
  CHECK(arg(vec({-4, 1}), false).value() == Tensor({2}, {-1.5f, 1}));
  const float trained = arg(vec({-4, 1}), true).value()[0];
  CHECK(trained <= -1.0f);
  CHECK(trained >= -2.0f);
}

TEST_CASE("ActivationArg takes a shared concrete layer and shares it", "[activations]") {
  auto leaky = std::make_shared<layers::LeakyReLU>(layers::LeakyReLUOptions{.alpha = 0.5f});
  const ActivationArg arg = leaky;
  CHECK(arg.layer().get() == leaky.get());
  CHECK(arg(vec({-2, 3}), false).value() == Tensor({2}, {-1, 3}));
}
