// Losses by name and from configs: Keras's names, aliases, default names, get_config
// byte for byte, round trips, and Keras's error for unknown names.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "strata/error.hpp"
#include "strata/losses.hpp"
#include "strata/sequential.hpp"

using namespace strata;

TEST_CASE("loss get_config matches Keras byte for byte", "[losses][config]") {
  CHECK(dump_python_json(losses::SparseCategoricalCrossentropy().get_config()) ==
        R"({"reduction": "auto", "name": "sparse_categorical_crossentropy", "from_logits": false, "ignore_class": null})");
  CHECK(dump_python_json(losses::SparseCategoricalCrossentropy({.from_logits = true, .ignore_class = 255}).get_config()) ==
        R"({"reduction": "auto", "name": "sparse_categorical_crossentropy", "from_logits": true, "ignore_class": 255})");
  CHECK(dump_python_json(losses::CategoricalCrossentropy().get_config()) ==
        R"({"reduction": "auto", "name": "categorical_crossentropy", "from_logits": false, "label_smoothing": 0.0, "axis": -1})");
  CHECK(dump_python_json(
            losses::CategoricalCrossentropy({.from_logits = true, .label_smoothing = 0.1, .name = "cce"}).get_config()) ==
        R"({"reduction": "auto", "name": "cce", "from_logits": true, "label_smoothing": 0.1, "axis": -1})");
  CHECK(dump_python_json(losses::BinaryCrossentropy().get_config()) ==
        R"({"reduction": "auto", "name": "binary_crossentropy", "from_logits": false, "label_smoothing": 0.0, "axis": -1})");
  CHECK(dump_python_json(losses::MeanSquaredError().get_config()) ==
        R"({"reduction": "auto", "name": "mean_squared_error"})");
  CHECK(dump_python_json(losses::MeanAbsoluteError().get_config()) ==
        R"({"reduction": "auto", "name": "mean_absolute_error"})");
  CHECK(dump_python_json(losses::Huber().get_config()) == R"({"reduction": "auto", "name": "huber_loss", "delta": 1.0})");
}

TEST_CASE("losses get resolves Keras's function names, aliases and class names", "[losses][config]") {
  struct Case {
    const char* identifier;
    const char* class_name;
    const char* name;
  };
  for (const Case& c : {Case{"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy",
                             "sparse_categorical_crossentropy"},
                        Case{"categorical_crossentropy", "CategoricalCrossentropy", "categorical_crossentropy"},
                        Case{"binary_crossentropy", "BinaryCrossentropy", "binary_crossentropy"},
                        Case{"bce", "BinaryCrossentropy", "binary_crossentropy"},
                        Case{"BCE", "BinaryCrossentropy", "binary_crossentropy"},
                        Case{"mse", "MeanSquaredError", "mean_squared_error"},
                        Case{"MSE", "MeanSquaredError", "mean_squared_error"},
                        Case{"mean_squared_error", "MeanSquaredError", "mean_squared_error"},
                        Case{"mae", "MeanAbsoluteError", "mean_absolute_error"},
                        Case{"MAE", "MeanAbsoluteError", "mean_absolute_error"},
                        Case{"huber", "Huber", "huber"},
                        Case{"huber_loss", "Huber", "huber"},
                        Case{"Huber", "Huber", "huber_loss"},
                        Case{"SparseCategoricalCrossentropy", "SparseCategoricalCrossentropy",
                             "sparse_categorical_crossentropy"},
                        Case{"MeanAbsoluteError", "MeanAbsoluteError", "mean_absolute_error"}}) {
    INFO(c.identifier);
    auto loss = losses::get(c.identifier);
    CHECK(loss->class_name() == c.class_name);
    CHECK(loss->name() == c.name);
  }
  CHECK(losses::get("huber")->function_name() == "huber");
}

TEST_CASE("an unknown loss name fails in Keras's words with a suggestion", "[losses][config]") {
  CHECK_THROWS_AS(losses::get("msee"), ValueError);
  CHECK_THROWS_WITH(losses::get("msee"),
                    Catch::StartsWith("Unknown loss function: 'msee'. Please ensure you are using a "
                                      "`keras.utils.custom_object_scope` and that this object is included in the "
                                      "scope. See https://www.tensorflow.org/guide/keras/save_and_serialize"
                                      "#registering_the_custom_object for details. Known loss functions: BCE, ") &&
                        Catch::EndsWith(" Did you mean 'mse'?"));
  CHECK_THROWS_WITH(losses::get("foo"), !Catch::Contains("Did you mean"));
}

TEST_CASE("every loss survives a config round trip", "[losses][config]") {
  std::vector<std::shared_ptr<losses::Loss>> all{
      std::make_shared<losses::SparseCategoricalCrossentropy>(
          losses::SparseCrossentropyLossOptions{.from_logits = true, .ignore_class = -1, .name = "s"}),
      std::make_shared<losses::CategoricalCrossentropy>(
          losses::CrossentropyLossOptions{.from_logits = true, .label_smoothing = 0.2, .axis = 1, .name = "c"}),
      std::make_shared<losses::BinaryCrossentropy>(losses::CrossentropyLossOptions{.label_smoothing = 0.05}),
      std::make_shared<losses::MeanSquaredError>(),
      std::make_shared<losses::MeanAbsoluteError>(losses::LossOptions{.name = "l1"}),
      std::make_shared<losses::Huber>(losses::HuberOptions{.delta = 2.5})};
  for (const auto& loss : all) {
    Json serialized = {{"class_name", loss->class_name()}, {"config", loss->get_config()}};
    auto back = losses::deserialize(serialized);
    CHECK(back->class_name() == loss->class_name());
    CHECK(dump_python_json(back->get_config()) == dump_python_json(loss->get_config()));
  }
  // Keras's defaults fill what a config leaves out; a name string works too.
  auto partial = losses::deserialize(Json::parse(R"({"class_name": "CategoricalCrossentropy", "config": {"from_logits": true}})"));
  CHECK(dump_python_json(partial->get_config()) ==
        R"({"reduction": "auto", "name": "categorical_crossentropy", "from_logits": true, "label_smoothing": 0.0, "axis": -1})");
  CHECK(losses::deserialize(Json("mse"))->class_name() == "MeanSquaredError");
}

TEST_CASE("bad loss configs name the offending key", "[losses][config]") {
  CHECK_THROWS_WITH(losses::deserialize(Json::parse(R"({"class_name": "Huber", "config": {"delta": 1.0, "alpha": 2}})")),
                    Catch::Contains("loss.config.alpha: unexpected keyword argument of Huber"));
  CHECK_THROWS_WITH(
      losses::deserialize(Json::parse(R"({"class_name": "MeanSquaredError", "config": {"reduction": "sum"}})")),
      Catch::Contains("loss.config.reduction: reduction 'sum' is not supported"));
  CHECK_THROWS_WITH(losses::deserialize(Json::parse(R"({"class_name": "Foo", "config": {}})")),
                    Catch::Contains("loss.class_name: Unknown loss function: 'Foo'."));
  CHECK_THROWS_AS(losses::deserialize(Json(3)), ConfigError);
}

TEST_CASE("LossArg builds from a name or keeps the object given", "[losses][config]") {
  LossArg by_name = "mse";
  CHECK(by_name.name() == "mse");
  CHECK(by_name.build()->class_name() == "MeanSquaredError");
  auto object = std::make_shared<losses::Huber>(losses::HuberOptions{.delta = 3.0});
  LossArg by_object = object;
  CHECK(by_object.build() == object);
  LossArg by_value = losses::BinaryCrossentropy({.from_logits = true});
  CHECK(by_value.build()->class_name() == "BinaryCrossentropy");
  CHECK(LossArg().empty());
  CHECK_THROWS_AS(LossArg("nope").build(), ValueError);
}
