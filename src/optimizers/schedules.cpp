// keras.optimizers.schedules: ExponentialDecay, PiecewiseConstantDecay, their
// (de)serialization, and the LearningRate argument's config.
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "optimizer_config.hpp"
#include "strata/config_reader.hpp"
#include "strata/error.hpp"
#include "strata/optimizers.hpp"
#include "strata/sequential.hpp"  // dump_python_json, for Python-style lists in messages

namespace strata::optimizers {

namespace {
Json name_json(const std::string& name) { return name.empty() ? Json(nullptr) : Json(name); }
}  // namespace

ExponentialDecay::ExponentialDecay(ExponentialDecayOptions options) : options_(std::move(options)) {
  // tf.keras 2.11 does not check this (a zero divides by zero at every step); Keras 3 does,
  // with this message.
  if (options_.decay_steps <= 0)
    throw ValueError(fmt::format("Argument `decay_steps` must be > 0. Received: decay_steps={}", options_.decay_steps));
}

// Computed in float32 as Keras does: the dtype of initial_learning_rate's tensor.
float ExponentialDecay::operator()(std::int64_t step) const {
  float p = static_cast<float>(step) / static_cast<float>(options_.decay_steps);
  if (options_.staircase) p = std::floor(p);
  return static_cast<float>(options_.initial_learning_rate) * std::pow(static_cast<float>(options_.decay_rate), p);
}

Json ExponentialDecay::get_config() const {
  Json config = Json::object();
  config["initial_learning_rate"] = options_.initial_learning_rate;
  config["decay_steps"] = options_.decay_steps;
  config["decay_rate"] = options_.decay_rate;
  config["staircase"] = options_.staircase;
  config["name"] = name_json(options_.name);
  return config;
}

PiecewiseConstantDecay::PiecewiseConstantDecay(PiecewiseConstantDecayOptions options) : options_(std::move(options)) {
  if (options_.boundaries.size() + 1 != options_.values.size())
    throw ValueError(fmt::format(
        "The length of boundaries should be 1 less than the length of values. Received: boundaries={} of length {}, "
        "and values={} of length {}.",
        dump_python_json(Json(options_.boundaries)), options_.boundaries.size(), dump_python_json(Json(options_.values)),
        options_.values.size()));
}

float PiecewiseConstantDecay::operator()(std::int64_t step) const {
  // values[i] for boundaries[i-1] < step <= boundaries[i].
  std::size_t i = 0;
  while (i < options_.boundaries.size() && step > options_.boundaries[i]) ++i;
  return static_cast<float>(options_.values[i]);
}

Json PiecewiseConstantDecay::get_config() const {
  Json config = Json::object();
  config["boundaries"] = options_.boundaries;
  config["values"] = options_.values;
  config["name"] = name_json(options_.name);
  return config;
}

LearningRate::LearningRate(std::shared_ptr<const LearningRateSchedule> schedule) : schedule_(std::move(schedule)) {
  if (!schedule_) throw ValueError("learning_rate: the schedule is null");
}

Json LearningRate::to_config() const {
  return schedule_ ? schedules::serialize(*schedule_) : detail::float32_json(value_);
}

namespace schedules {

Json serialize(const LearningRateSchedule& schedule) {
  Json out = Json::object();
  out["class_name"] = schedule.class_name();
  out["config"] = schedule.get_config();
  return out;
}

std::shared_ptr<const LearningRateSchedule> deserialize(const Json& json) {
  const std::string path = "learning_rate";
  ConfigReader top(json, path);
  const std::string class_name = top.string("class_name");
  ConfigReader config = top.object("config");
  std::string name = config.string("name", "");
  if (class_name == "ExponentialDecay") {
    return std::make_shared<ExponentialDecay>(ExponentialDecayOptions{
        .initial_learning_rate = config.number("initial_learning_rate"),
        .decay_steps = config.integer("decay_steps"),
        .decay_rate = config.number("decay_rate"),
        .staircase = config.boolean("staircase", false),
        .name = std::move(name)});
  }
  if (class_name == "PiecewiseConstantDecay") {
    PiecewiseConstantDecayOptions options{.boundaries = config.integers("boundaries"), .values = {}, .name = std::move(name)};
    const Json* values = config.find("values");
    if (!values || !values->is_array()) config.expected("values", "a list of numbers", values ? *values : Json());
    for (const Json& v : *values) {
      if (!v.is_number()) config.expected("values", "a list of numbers", *values);
      options.values.push_back(v.get<double>());
    }
    return std::make_shared<PiecewiseConstantDecay>(std::move(options));
  }
  // Keras's deserialize_keras_object wording.
  throw ValueError(fmt::format(
      "Unknown decay: '{}'. Please ensure you are using a `keras.utils.custom_object_scope` and that this object is "
      "included in the scope. See https://www.tensorflow.org/guide/keras/save_and_serialize"
      "#registering_the_custom_object for details.",
      class_name));
}

}  // namespace schedules
}  // namespace strata::optimizers
