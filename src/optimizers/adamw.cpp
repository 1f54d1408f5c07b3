// keras.optimizers.AdamW (tf.keras 2.11): Adam with decoupled weight decay, which the base
// class applies before the step (var -= var * weight_decay * lr).
#include <nlohmann/json.hpp>

#include "adam_update.hpp"
#include "optimizer_config.hpp"
#include "strata/error.hpp"
#include "strata/optimizers.hpp"

namespace strata::optimizers {

AdamW::AdamW(AdamWOptions options)
    : Optimizer("AdamW", options.learning_rate, detail::base_options(options, options.weight_decay)),
      options_(std::move(options)) {}

std::shared_ptr<AdamW> AdamW::from_config(const Json& json) {
  ConfigReader config(json, "config");
  const auto common = detail::read_common_config(config, {"beta_1", "beta_2", "epsilon", "amsgrad"});
  AdamWOptions options;
  detail::apply_common(common, options);
  if (common.weight_decay_given) {
    if (!common.base.weight_decay)
      throw ValueError("Missing value of `weight_decay` which is required and must be a float value.");
    options.weight_decay = *common.base.weight_decay;
  }
  options.beta_1 = config.number("beta_1", options.beta_1);
  options.beta_2 = config.number("beta_2", options.beta_2);
  options.epsilon = config.number("epsilon", options.epsilon);
  options.amsgrad = config.boolean("amsgrad", options.amsgrad);
  return std::make_shared<AdamW>(std::move(options));
}

// Keras's AdamW updates the base config's "weight_decay" in place, so the key keeps its
// place after "name".
Json AdamW::get_config() const {
  Json config = base_config();
  config["learning_rate"] = learning_rate_arg().to_config();
  config["beta_1"] = options_.beta_1;
  config["beta_2"] = options_.beta_2;
  config["epsilon"] = options_.epsilon;
  config["amsgrad"] = options_.amsgrad;
  return config;
}

std::shared_ptr<Optimizer> AdamW::clone() const {
  AdamWOptions options = options_;
  options.learning_rate = learning_rate_arg();
  return std::make_shared<AdamW>(std::move(options));
}

std::size_t AdamW::slot_count() const { return options_.amsgrad ? 3 : 2; }

void AdamW::update_step(Tensor& value, const Tensor& gradient, Tensor* slots, const Step& step) {
  detail::adam_update(value, gradient, slots, step.learning_rate, step.iterations, options_.beta_1, options_.beta_2,
                      options_.epsilon, options_.amsgrad);
}

}  // namespace strata::optimizers
