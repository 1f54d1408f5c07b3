// keras.optimizers.SGD (tf.keras 2.11): plain, momentum and Nesterov gradient descent.
#include <nlohmann/json.hpp>

#include "optimizer_config.hpp"
#include "strata/error.hpp"
#include "strata/optimizers.hpp"

namespace strata::optimizers {

SGD::SGD(SGDOptions options)
    : Optimizer("SGD", options.learning_rate, detail::base_options(options, options.weight_decay)),
      options_(std::move(options)) {
  if (options_.momentum < 0 || options_.momentum > 1) throw ValueError("`momentum` must be between [0, 1].");
}

std::shared_ptr<SGD> SGD::from_config(const Json& json) {
  ConfigReader config(json, "config");
  const auto common = detail::read_common_config(config, {"momentum", "nesterov"});
  SGDOptions options;
  detail::apply_common(common, options);
  options.momentum = config.number("momentum", options.momentum);
  options.nesterov = config.boolean("nesterov", options.nesterov);
  return std::make_shared<SGD>(std::move(options));
}

Json SGD::get_config() const {
  Json config = base_config();
  config["learning_rate"] = learning_rate_arg().to_config();
  config["momentum"] = options_.momentum;
  config["nesterov"] = options_.nesterov;
  return config;
}

std::shared_ptr<Optimizer> SGD::clone() const {
  SGDOptions options = options_;
  options.learning_rate = learning_rate_arg();
  return std::make_shared<SGD>(std::move(options));
}

// Keras keeps the momentum slot even with momentum 0 (so an inf gradient poisons later
// steps exactly as in Keras).
std::size_t SGD::slot_count() const { return 1; }

// m = -lr * g + momentum * m; var += m, or with Nesterov var += -lr * g + momentum * m.
void SGD::update_step(Tensor& value, const Tensor& gradient, Tensor* slots, const Step& step) {
  const float lr = step.learning_rate;
  const float momentum = static_cast<float>(options_.momentum);
  float* var = value.data();
  float* m = slots[0].data();
  const float* g = gradient.data();
  const std::size_t n = value.size();
  if (options_.nesterov) {
    for (std::size_t i = 0; i < n; ++i) {
      m[i] = -g[i] * lr + m[i] * momentum;
      var[i] += -g[i] * lr + m[i] * momentum;
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      m[i] = -g[i] * lr + m[i] * momentum;
      var[i] += m[i];
    }
  }
}

}  // namespace strata::optimizers
