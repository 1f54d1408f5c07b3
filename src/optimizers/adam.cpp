// keras.optimizers.Adam (tf.keras 2.11), with the AMSGrad variant.
#include <nlohmann/json.hpp>

#include "adam_update.hpp"
#include "optimizer_config.hpp"
#include "strata/optimizers.hpp"

namespace strata::optimizers {

Adam::Adam(AdamOptions options)
    : Optimizer("Adam", options.learning_rate, detail::base_options(options, options.weight_decay)),
      options_(std::move(options)) {}

std::shared_ptr<Adam> Adam::from_config(const Json& json) {
  ConfigReader config(json, "config");
  const auto common = detail::read_common_config(config, {"beta_1", "beta_2", "epsilon", "amsgrad"});
  AdamOptions options;
  detail::apply_common(common, options);
  options.beta_1 = config.number("beta_1", options.beta_1);
  options.beta_2 = config.number("beta_2", options.beta_2);
  options.epsilon = config.number("epsilon", options.epsilon);
  options.amsgrad = config.boolean("amsgrad", options.amsgrad);
  return std::make_shared<Adam>(std::move(options));
}

Json Adam::get_config() const {
  Json config = base_config();
  config["learning_rate"] = learning_rate_arg().to_config();
  config["beta_1"] = options_.beta_1;
  config["beta_2"] = options_.beta_2;
  config["epsilon"] = options_.epsilon;
  config["amsgrad"] = options_.amsgrad;
  return config;
}

std::shared_ptr<Optimizer> Adam::clone() const {
  AdamOptions options = options_;
  options.learning_rate = learning_rate_arg();
  return std::make_shared<Adam>(std::move(options));
}

// m and v, and vhat with amsgrad.
std::size_t Adam::slot_count() const { return options_.amsgrad ? 3 : 2; }

void Adam::update_step(Tensor& value, const Tensor& gradient, Tensor* slots, const Step& step) {
  detail::adam_update(value, gradient, slots, step.learning_rate, step.iterations, options_.beta_1, options_.beta_2,
                      options_.epsilon, options_.amsgrad);
}

}  // namespace strata::optimizers
