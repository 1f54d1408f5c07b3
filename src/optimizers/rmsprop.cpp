// keras.optimizers.RMSprop (tf.keras 2.11), plain, centered and with momentum.
#include <cmath>

#include <nlohmann/json.hpp>

#include "optimizer_config.hpp"
#include "strata/optimizers.hpp"

namespace strata::optimizers {

RMSprop::RMSprop(RMSpropOptions options)
    : Optimizer("RMSprop", options.learning_rate, detail::base_options(options, options.weight_decay)),
      options_(std::move(options)) {}

std::shared_ptr<RMSprop> RMSprop::from_config(const Json& json) {
  ConfigReader config(json, "config");
  const auto common = detail::read_common_config(config, {"rho", "momentum", "epsilon", "centered"});
  RMSpropOptions options;
  detail::apply_common(common, options);
  options.rho = config.number("rho", options.rho);
  options.momentum = config.number("momentum", options.momentum);
  options.epsilon = config.number("epsilon", options.epsilon);
  options.centered = config.boolean("centered", options.centered);
  return std::make_shared<RMSprop>(std::move(options));
}

Json RMSprop::get_config() const {
  Json config = base_config();
  config["learning_rate"] = learning_rate_arg().to_config();
  config["rho"] = options_.rho;
  config["momentum"] = options_.momentum;
  config["epsilon"] = options_.epsilon;
  config["centered"] = options_.centered;
  return config;
}

std::shared_ptr<Optimizer> RMSprop::clone() const {
  RMSpropOptions options = options_;
  options.learning_rate = learning_rate_arg();
  return std::make_shared<RMSprop>(std::move(options));
}

// velocity, then momentum (only when momentum > 0) and average_gradient (only centered),
// as Keras creates them.
std::size_t RMSprop::slot_count() const { return 1 + (options_.momentum > 0 ? 1 : 0) + (options_.centered ? 1 : 0); }

// Keras's dense update, with epsilon inside the square root:
//   velocity = rho * velocity + (1 - rho) * g^2
//   centered: average = rho * average + (1 - rho) * g; denominator = velocity - average^2 + eps
//   otherwise denominator = velocity + eps
//   increment = lr * g * rsqrt(denominator)
//   momentum > 0: mom = momentum * mom + increment; var -= mom.  Otherwise var -= increment.
void RMSprop::update_step(Tensor& value, const Tensor& gradient, Tensor* slots, const Step& step) {
  const float lr = step.learning_rate;
  const float rho = static_cast<float>(options_.rho);
  const float one_minus_rho = static_cast<float>(1.0 - options_.rho);
  const float eps = static_cast<float>(options_.epsilon);
  const bool use_momentum = options_.momentum > 0;
  const float momentum = static_cast<float>(options_.momentum);
  float* var = value.data();
  const float* g = gradient.data();
  float* velocity = slots[0].data();
  float* mom = use_momentum ? slots[1].data() : nullptr;
  float* average = options_.centered ? slots[use_momentum ? 2 : 1].data() : nullptr;
  const std::size_t n = value.size();
  for (std::size_t i = 0; i < n; ++i) {
    velocity[i] = rho * velocity[i] + one_minus_rho * (g[i] * g[i]);
    float denominator;
    if (average) {
      average[i] = rho * average[i] + one_minus_rho * g[i];
      denominator = velocity[i] - average[i] * average[i] + eps;
    } else {
      denominator = velocity[i] + eps;
    }
    const float increment = lr * g[i] * (1.0f / std::sqrt(denominator));
    if (mom) {
      mom[i] = momentum * mom[i] + increment;
      var[i] -= mom[i];
    } else {
      var[i] -= increment;
    }
  }
}

}  // namespace strata::optimizers
