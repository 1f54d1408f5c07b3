// The built-in models of `strata train --builtin`: the seed CNN, its BatchNormalization
// variant and the Dropout option, checked layer by layer; and the 2-conv BatchNormalization
// model in examples/models, read as a Keras JSON config.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "strata/layers/layer.hpp"
#include "strata/seed_cnn.hpp"

using namespace strata;

namespace {
std::vector<std::string> classes(const Sequential& model) {
  std::vector<std::string> out;
  for (const auto& layer : model.layers()) out.push_back(layer->class_name());
  return out;
}
}  // namespace

TEST_CASE("seed_cnn is Conv2D 32/64/64 with LeakyReLU, two poolings, Dense 64 and Dense 10", "[models]") {
  backend::clear_session();
  Sequential model = seed_cnn();
  CHECK(classes(model) == std::vector<std::string>{"Conv2D", "LeakyReLU", "MaxPooling2D", "Conv2D", "LeakyReLU",
                                                   "MaxPooling2D", "Conv2D", "LeakyReLU", "Flatten", "Dense",
                                                   "LeakyReLU", "Dense"});
  // 320 + 18,496 + 36,928 + 36,928 + 650, as Keras counts the same model.
  CHECK(model.count_params() == 93322);
  CHECK(model.get_layer("leaky_re_lu")->get_config()["alpha"].get<double>() == Approx(0.01));
  CHECK(model.get_layer("dense_1")->get_config()["activation"] == "softmax");
}

TEST_CASE("seed_cnn with batch_normalization puts BatchNormalization before each hidden activation", "[models]") {
  backend::clear_session();
  Sequential model = seed_cnn({.batch_normalization = true});
  CHECK(classes(model) == std::vector<std::string>{"Conv2D", "BatchNormalization", "LeakyReLU", "MaxPooling2D",
                                                   "Conv2D", "BatchNormalization", "LeakyReLU", "MaxPooling2D",
                                                   "Conv2D", "BatchNormalization", "LeakyReLU", "Flatten", "Dense",
                                                   "BatchNormalization", "LeakyReLU", "Dense"});
  // Four BatchNormalization layers: gamma and beta trainable, moving mean and variance not.
  CHECK(model.count_params() == 93322 + 4 * (32 + 64 + 64 + 64));
}

TEST_CASE("seed_cnn with dropout adds Dropout after each pooling, Flatten and the hidden Dense", "[models]") {
  backend::clear_session();
  Sequential model = seed_cnn({.dropout = 0.25});
  CHECK(classes(model) == std::vector<std::string>{"Conv2D", "LeakyReLU", "MaxPooling2D", "Dropout", "Conv2D",
                                                   "LeakyReLU", "MaxPooling2D", "Dropout", "Conv2D", "LeakyReLU",
                                                   "Flatten", "Dropout", "Dense", "LeakyReLU", "Dropout", "Dense"});
  CHECK(model.get_layer("dropout_3")->get_config()["rate"].get<double>() == Approx(0.25));
  CHECK(model.count_params() == 93322);
}

TEST_CASE("examples/models/cnn_bn.json reads as the 2-conv BatchNormalization model", "[models][json]") {
  backend::clear_session();
  std::ifstream in(std::string(STRATA_TEST_DATA_DIR) + "/../../examples/models/cnn_bn.json");
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  Sequential model = model_from_json(text.str());
  CHECK(model.name() == "cnn_bn");
  CHECK(model.layers().size() == 16);
  CHECK(model.count_params() == 825514);
  CHECK(model(constant(Tensor({2, 28, 28, 1})), false).shape() == Shape{2, 10});
}
