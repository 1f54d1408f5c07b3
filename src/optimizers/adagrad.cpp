// keras.optimizers.Adagrad (tf.keras 2.11).
#include <cmath>

#include <nlohmann/json.hpp>

#include "optimizer_config.hpp"
#include "strata/optimizers.hpp"

namespace strata::optimizers {

Adagrad::Adagrad(AdagradOptions options)
    : Optimizer("Adagrad", options.learning_rate, detail::base_options(options, options.weight_decay)),
      options_(std::move(options)) {}

std::shared_ptr<Adagrad> Adagrad::from_config(const Json& json) {
  ConfigReader config(json, "config");
  const auto common = detail::read_common_config(config, {"initial_accumulator_value", "epsilon"});
  AdagradOptions options;
  detail::apply_common(common, options);
  options.initial_accumulator_value = config.number("initial_accumulator_value", options.initial_accumulator_value);
  options.epsilon = config.number("epsilon", options.epsilon);
  return std::make_shared<Adagrad>(std::move(options));
}

Json Adagrad::get_config() const {
  Json config = base_config();
  config["learning_rate"] = learning_rate_arg().to_config();
  config["initial_accumulator_value"] = options_.initial_accumulator_value;
  config["epsilon"] = options_.epsilon;
  return config;
}

std::shared_ptr<Optimizer> Adagrad::clone() const {
  AdagradOptions options = options_;
  options.learning_rate = learning_rate_arg();
  return std::make_shared<Adagrad>(std::move(options));
}

// accumulator += g^2; var -= lr * g / sqrt(accumulator + epsilon) (epsilon inside, as Keras).
void Adagrad::update_step(Tensor& value, const Tensor& gradient, Tensor* slots, const Step& step) {
  const float lr = step.learning_rate;
  const float eps = static_cast<float>(options_.epsilon);
  float* var = value.data();
  const float* g = gradient.data();
  float* accumulator = slots[0].data();
  const std::size_t n = value.size();
  for (std::size_t i = 0; i < n; ++i) {
    accumulator[i] += g[i] * g[i];
    var[i] -= lr * g[i] / std::sqrt(accumulator[i] + eps);
  }
}

}  // namespace strata::optimizers
