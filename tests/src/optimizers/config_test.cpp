// get_config byte-exact against what tf.keras 2.11 writes, serialize/deserialize round
// trips, get() by name, and the error messages.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "optimizer_test_helpers.hpp"
#include "strata/error.hpp"
#include "strata/sequential.hpp"

using namespace strata;
using namespace strata::optimizers;

namespace {
// The keys every tf.keras 2.11 optimizer writes first (defaults; no GPU, so jit_compile false).
std::string head(const std::string& name, const std::string& weight_decay = "null") {
  return R"({"name": ")" + name + R"(", "weight_decay": )" + weight_decay +
         R"(, "clipnorm": null, "global_clipnorm": null, "clipvalue": null, "use_ema": false, )"
         R"("ema_momentum": 0.99, "ema_overwrite_frequency": null, "jit_compile": false, "is_legacy_optimizer": false, )";
}
}  // namespace

TEST_CASE("Default optimizers write tf.keras 2.11's get_config", "[optimizers][config]") {
  // Adam's line is the optimizer_config of a model saved by tf.keras 2.11 (learning_rate is
  // a float32 variable, so 0.001 is written widened).
  CHECK(dump_python_json(Adam().get_config()) ==
        head("Adam") + R"("learning_rate": 0.0010000000474974513, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, )"
                       R"("amsgrad": false})");
  CHECK(dump_python_json(SGD().get_config()) ==
        head("SGD") + R"("learning_rate": 0.009999999776482582, "momentum": 0.0, "nesterov": false})");
  CHECK(dump_python_json(AdamW().get_config()) ==
        head("AdamW", "0.004") +
            R"("learning_rate": 0.0010000000474974513, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, )"
            R"("amsgrad": false})");
  CHECK(dump_python_json(RMSprop().get_config()) ==
        head("RMSprop") +
            R"("learning_rate": 0.0010000000474974513, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-07, "centered": false})");
  CHECK(dump_python_json(Adagrad().get_config()) ==
        head("Adagrad") + R"("learning_rate": 0.0010000000474974513, "initial_accumulator_value": 0.1, "epsilon": 1e-07})");
}

TEST_CASE("Non-default arguments appear in get_config as Keras writes them", "[optimizers][config]") {
  SGD sgd({.learning_rate = 0.1, .momentum = 0.9, .nesterov = true, .weight_decay = 0.01, .clipnorm = 1.0,
           .name = "my_sgd"});
  CHECK(dump_python_json(sgd.get_config()) ==
        R"({"name": "my_sgd", "weight_decay": 0.01, "clipnorm": 1.0, "global_clipnorm": null, "clipvalue": null, )"
        R"("use_ema": false, "ema_momentum": 0.99, "ema_overwrite_frequency": null, "jit_compile": false, )"
        R"("is_legacy_optimizer": false, "learning_rate": 0.10000000149011612, "momentum": 0.9, "nesterov": true})");
  RMSprop rmsprop({.learning_rate = 0.01, .rho = 0.8, .momentum = 0.5, .epsilon = 1e-6, .centered = true,
                   .clipvalue = 0.5, .use_ema = true, .ema_momentum = 0.9, .ema_overwrite_frequency = 10});
  CHECK(dump_python_json(rmsprop.get_config()) ==
        R"({"name": "RMSprop", "weight_decay": null, "clipnorm": null, "global_clipnorm": null, "clipvalue": 0.5, )"
        R"("use_ema": true, "ema_momentum": 0.9, "ema_overwrite_frequency": 10, "jit_compile": false, )"
        R"("is_legacy_optimizer": false, "learning_rate": 0.009999999776482582, "rho": 0.8, "momentum": 0.5, )"
        R"("epsilon": 1e-06, "centered": true})");
}

TEST_CASE("serialize wraps get_config in class_name and config", "[optimizers][config]") {
  CHECK(dump_python_json(serialize(Adagrad({.epsilon = 0.001}))) ==
        R"({"class_name": "Adagrad", "config": )" + head("Adagrad") +
            R"("learning_rate": 0.0010000000474974513, "initial_accumulator_value": 0.1, "epsilon": 0.001}})");
}

TEST_CASE("deserialize(serialize(optimizer)) gives the same configuration", "[optimizers][config]") {
  std::vector<std::shared_ptr<Optimizer>> all{
      std::make_shared<SGD>(SGDOptions{.learning_rate = 0.1, .momentum = 0.9, .nesterov = true, .clipvalue = 2.0}),
      std::make_shared<Adam>(AdamOptions{.beta_1 = 0.8, .amsgrad = true, .global_clipnorm = 1.0, .name = "a"}),
      std::make_shared<AdamW>(AdamWOptions{.weight_decay = 0.1, .epsilon = 1e-8}),
      std::make_shared<RMSprop>(RMSpropOptions{.centered = true, .use_ema = true}),
      std::make_shared<Adagrad>(AdagradOptions{.initial_accumulator_value = 0.5}),
      std::make_shared<Adam>(AdamOptions{.learning_rate = PiecewiseConstantDecay({.boundaries = {5}, .values = {0.1, 0.01}})}),
  };
  for (const auto& optimizer : all) {
    const Json json = serialize(*optimizer);
    auto back = deserialize(json);
    INFO(dump_python_json(json));
    CHECK(back->class_name() == optimizer->class_name());
    CHECK(dump_python_json(serialize(*back)) == dump_python_json(json));
    // The text form too (as it sits in an .h5 training_config).
    CHECK(dump_python_json(serialize(*deserialize(Json::parse(dump_python_json(json))))) == dump_python_json(json));
  }
}

TEST_CASE("deserialize reads Keras 3, Custom> and legacy optimizer configs", "[optimizers][config]") {
  // Keras 3 (a compile_config of a .keras file).
  auto keras3 = deserialize(Json::parse(
      R"({"module": "keras.optimizers", "class_name": "RMSprop", "config": {"name": "rmsprop", "learning_rate": 0.0010000000474974513, )"
      R"("weight_decay": null, "clipnorm": null, "global_clipnorm": null, "clipvalue": null, "use_ema": false, "ema_momentum": 0.99, )"
      R"("ema_overwrite_frequency": null, "loss_scale_factor": null, "gradient_accumulation_steps": null, "rho": 0.9, )"
      R"("momentum": 0.0, "epsilon": 1e-07, "centered": false}, "registered_name": null})"));
  CHECK(keras3->class_name() == "RMSprop");
  CHECK(keras3->name() == "rmsprop");
  // tf.keras 2.11 .h5 files: the registered name.
  auto custom = deserialize(Json::parse(R"({"class_name": "Custom>Adam", "config": {"name": "Adam", "learning_rate": 0.01}})"));
  CHECK(custom->class_name() == "Adam");
  CHECK(custom->learning_rate() == 0.01f);
  // A legacy (tf.keras <= 2.10) config: "lr" and "decay" 0.
  auto legacy = deserialize(Json::parse(
      R"({"class_name": "SGD", "config": {"name": "SGD", "lr": 0.05, "decay": 0.0, "momentum": 0.5, "nesterov": false}})"));
  CHECK(legacy->learning_rate() == 0.05f);
  CHECK(dynamic_cast<SGD&>(*legacy).options().momentum == 0.5);
  CHECK_THROWS_WITH(
      deserialize(Json::parse(R"({"class_name": "SGD", "config": {"decay": 0.01}})")),
      "config.decay: the legacy learning-rate `decay` is not supported; use a LearningRateSchedule");
}

TEST_CASE("get finds optimizers by name case-insensitively", "[optimizers][config]") {
  CHECK(get("adam")->class_name() == "Adam");
  CHECK(get("Adam")->class_name() == "Adam");
  CHECK(get("RMSprop")->class_name() == "RMSprop");
  CHECK(get("rmsprop")->class_name() == "RMSprop");
  CHECK(get("SGD")->class_name() == "SGD");
  CHECK(get("adamw")->class_name() == "AdamW");
  CHECK(get("ADAGRAD")->class_name() == "Adagrad");
  CHECK(dump_python_json(get("adam")->get_config()) == dump_python_json(Adam().get_config()));
  CHECK(OptimizerArg("sgd").build()->class_name() == "SGD");
  auto mine = std::make_shared<Adam>();
  CHECK(OptimizerArg(mine).build() == mine);
}

TEST_CASE("Unknown optimizers and bad configs fail in Keras's words", "[optimizers][config]") {
  CHECK_THROWS_MATCHES(get("adamx"), ValueError,
                       Catch::Message("Unknown optimizer: 'adamx'. Please ensure you are using a "
                                      "`keras.utils.custom_object_scope` and that this object is included in the scope. "
                                      "See https://www.tensorflow.org/guide/keras/save_and_serialize"
                                      "#registering_the_custom_object for details."));
  CHECK_THROWS_MATCHES(deserialize(Json::parse(R"({"class_name": "Adam"})")), ValueError,
                       Catch::Message("Improper config format for {\"class_name\": \"Adam\"}. Expecting python dict "
                                      "contains `class_name` and `config` as keys"));
  CHECK_THROWS_MATCHES(deserialize(Json::parse(R"({"class_name": "Adam", "config": {"beta_3": 0.5}})")), ConfigError,
                       Catch::Message("config: beta_3 is not a valid argument, kwargs should be empty  for "
                                      "`optimizer_experimental.Optimizer`."));
  CHECK_THROWS_MATCHES(deserialize(Json::parse(R"({"class_name": "AdamW", "config": {"weight_decay": null}})")),
                       ValueError,
                       Catch::Message("Missing value of `weight_decay` which is required and must be a float value."));
  CHECK_THROWS_WITH(deserialize(Json::parse(R"({"class_name": "Adam", "config": {"beta_1": "high"}})")),
                    "config.beta_1: expected a number, got \"high\"");
}

TEST_CASE("clone gives the same configuration and no state", "[optimizers][config]") {
  Adam adam({.learning_rate = 0.1});
  Variable x = strata::testing::two_parameters();
  adam.apply_gradients({strata::testing::gradient_at(0)}, {x});
  adam.set_learning_rate(0.05f);
  auto copy = adam.clone();
  CHECK(copy->iterations() == 0);
  CHECK(copy->learning_rate() == 0.05f);
  CHECK(dump_python_json(copy->get_config()) == dump_python_json(adam.get_config()));
  // A fresh first step: the same move a new Adam makes (no inherited moments).
  Variable y = strata::testing::two_parameters();
  Adam fresh({.learning_rate = 0.05});
  Variable z = strata::testing::two_parameters();
  copy->apply_gradients({strata::testing::gradient_at(0)}, {y});
  fresh.apply_gradients({strata::testing::gradient_at(0)}, {z});
  CHECK(y.value() == z.value());
}
