// Learning-rate schedules: values at several steps, validation, config, use by an optimizer.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "optimizer_test_helpers.hpp"
#include "strata/error.hpp"
#include "strata/sequential.hpp"

using namespace strata;
using namespace strata::optimizers;

TEST_CASE("ExponentialDecay is initial * rate ^ (step / decay_steps)", "[optimizers][schedules]") {
  ExponentialDecay decay({.initial_learning_rate = 0.1, .decay_steps = 10, .decay_rate = 0.5});
  CHECK(decay(0) == Approx(0.1).epsilon(1e-6));
  CHECK(decay(5) == Approx(0.07071067811865477).epsilon(1e-6));  // 0.1 * 0.5^0.5
  CHECK(decay(10) == Approx(0.05).epsilon(1e-6));
  CHECK(decay(25) == Approx(0.01767766952966369).epsilon(1e-6));  // 0.1 * 0.5^2.5
}

TEST_CASE("ExponentialDecay with staircase floors the exponent", "[optimizers][schedules]") {
  ExponentialDecay decay({.initial_learning_rate = 0.1, .decay_steps = 10, .decay_rate = 0.5, .staircase = true});
  CHECK(decay(9) == Approx(0.1).epsilon(1e-6));
  CHECK(decay(10) == Approx(0.05).epsilon(1e-6));
  CHECK(decay(19) == Approx(0.05).epsilon(1e-6));
  CHECK(decay(25) == Approx(0.025).epsilon(1e-6));
}

TEST_CASE("ExponentialDecay refuses decay_steps <= 0", "[optimizers][schedules]") {
  CHECK_THROWS_MATCHES(ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 0, .decay_rate = 0.5}),
                       ValueError, Catch::Message("Argument `decay_steps` must be > 0. Received: decay_steps=0"));
}

TEST_CASE("PiecewiseConstantDecay follows the Keras docstring example", "[optimizers][schedules]") {
  // 1.0 for the first 100001 steps, 0.5 for the next 10000, 0.1 after.
  PiecewiseConstantDecay decay({.boundaries = {100000, 110000}, .values = {1.0, 0.5, 0.1}});
  CHECK(decay(0) == 1.0f);
  CHECK(decay(100000) == 1.0f);
  CHECK(decay(100001) == 0.5f);
  CHECK(decay(110000) == 0.5f);
  CHECK(decay(110001) == 0.1f);
  CHECK(decay(10000000) == 0.1f);
}

TEST_CASE("PiecewiseConstantDecay refuses mismatched lengths in Keras's words", "[optimizers][schedules]") {
  CHECK_THROWS_MATCHES(PiecewiseConstantDecay({.boundaries = {100000, 110000}, .values = {1.0, 0.5}}), ValueError,
                       Catch::Message("The length of boundaries should be 1 less than the length of values. Received: "
                                      "boundaries=[100000, 110000] of length 2, and values=[1.0, 0.5] of length 2."));
}

TEST_CASE("Schedules write Keras's config and read it back", "[optimizers][schedules]") {
  ExponentialDecay decay({.initial_learning_rate = 0.1, .decay_steps = 100000, .decay_rate = 0.96, .staircase = true});
  CHECK(dump_python_json(schedules::serialize(decay)) ==
        R"({"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": 100000, )"
        R"("decay_rate": 0.96, "staircase": true, "name": null}})");
  PiecewiseConstantDecay piecewise({.boundaries = {10, 20}, .values = {1.0, 0.5, 0.1}, .name = "pc"});
  CHECK(dump_python_json(schedules::serialize(piecewise)) ==
        R"({"class_name": "PiecewiseConstantDecay", "config": {"boundaries": [10, 20], "values": [1.0, 0.5, 0.1], )"
        R"("name": "pc"}})");
  for (const LearningRateSchedule* s : {static_cast<const LearningRateSchedule*>(&decay),
                                        static_cast<const LearningRateSchedule*>(&piecewise)}) {
    auto back = schedules::deserialize(schedules::serialize(*s));
    CHECK(back->get_config() == s->get_config());
  }
  // Keras 3 adds module and registered_name.
  auto keras3 = schedules::deserialize(Json::parse(
      R"({"module": "keras.optimizers.schedules", "class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1, )"
      R"("decay_steps": 10, "decay_rate": 0.5, "staircase": false, "name": "ExponentialDecay"}, "registered_name": null})"));
  CHECK((*keras3)(10) == Approx(0.05).epsilon(1e-6));
  CHECK_THROWS_WITH(schedules::deserialize(Json::parse(R"({"class_name": "CosineDecay", "config": {}})")),
                    Catch::StartsWith("Unknown decay: 'CosineDecay'. Please ensure"));
}

TEST_CASE("An optimizer evaluates its schedule at iterations", "[optimizers][schedules]") {
  // Rates 0.1, 0.05, 0.025 for steps 0, 1, 2: x = 1 - 0.1 - 0.05 - 0.025 = 0.825.
  SGD sgd({.learning_rate = ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 1, .decay_rate = 0.5})});
  Variable x(Tensor({1}, {1.0f}), "x");
  CHECK(sgd.learning_rate() == Approx(0.1).epsilon(1e-6));
  for (int i = 0; i < 3; ++i) sgd.apply_gradients({Tensor({1}, {1.0f})}, {x});
  CHECK(x.value()[0] == Approx(0.825).epsilon(1e-6));
  CHECK(sgd.learning_rate() == Approx(0.0125).epsilon(1e-6));  // the rate of the next step
  CHECK(dump_python_json(sgd.get_config()["learning_rate"]) ==
        R"({"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": 1, )"
        R"("decay_rate": 0.5, "staircase": false, "name": null}})");
  // set_learning_rate replaces the schedule with a number (the LR callbacks use it).
  sgd.set_learning_rate(0.5f);
  CHECK(sgd.learning_rate() == 0.5f);
  CHECK(sgd.learning_rate_arg().schedule() == nullptr);
}
