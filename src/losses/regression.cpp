// The regression losses (keras 2.11 losses.py): mean squared error, mean absolute error
// and Huber, each the mean over the last axis, as functions and Loss objects.
#include <cmath>

#include <nlohmann/json.hpp>

#include "src/losses/loss_utils.hpp"
#include "strata/ops.hpp"

namespace strata::losses {

using detail::base_config;
using detail::name_or;

Variable mean_squared_error(const Tensor& y_true, const Variable& y_pred) {
  detail::check_same_shape("mean_squared_error", y_true, y_pred);
  detail::check_has_axis("mean_squared_error", y_pred);
  return ops::mean(ops::square(y_pred - constant(y_true)), {-1});
}

Variable mean_absolute_error(const Tensor& y_true, const Variable& y_pred) {
  detail::check_same_shape("mean_absolute_error", y_true, y_pred);
  detail::check_has_axis("mean_absolute_error", y_pred);
  return ops::mean(ops::abs(y_pred - constant(y_true)), {-1});
}

Variable huber(const Tensor& y_true, const Variable& y_pred, float delta) {
  detail::check_same_shape("huber", y_true, y_pred);
  detail::check_has_axis("huber", y_pred);
  Variable error = y_pred - constant(y_true);
  // The quadratic branch where |error| <= delta (inclusive, as Keras's tf.where).
  Tensor quadratic(error.shape());
  for (std::size_t i = 0; i < quadratic.size(); ++i) quadratic[i] = std::fabs(error.value()[i]) <= delta ? 1.0f : 0.0f;
  Variable squared = 0.5f * ops::square(error);
  Variable linear = delta * ops::abs(error) - 0.5f * delta * delta;
  return ops::mean(ops::where(quadratic, squared, linear), {-1});
}

MeanSquaredError::MeanSquaredError(LossOptions options) : Loss(name_or(options.name, "mean_squared_error")) {}

Variable MeanSquaredError::call(const Tensor& y_true, const Variable& y_pred) const {
  return mean_squared_error(detail::align_labels(y_true, y_pred.shape()), y_pred);
}

Json MeanSquaredError::get_config() const { return base_config(*this); }

MeanAbsoluteError::MeanAbsoluteError(LossOptions options) : Loss(name_or(options.name, "mean_absolute_error")) {}

Variable MeanAbsoluteError::call(const Tensor& y_true, const Variable& y_pred) const {
  return mean_absolute_error(detail::align_labels(y_true, y_pred.shape()), y_pred);
}

Json MeanAbsoluteError::get_config() const { return base_config(*this); }

Huber::Huber(HuberOptions options) : Loss(name_or(options.name, "huber_loss")), options_(std::move(options)) {}

Variable Huber::call(const Tensor& y_true, const Variable& y_pred) const {
  return huber(detail::align_labels(y_true, y_pred.shape()), y_pred, static_cast<float>(options_.delta));
}

Json Huber::get_config() const {
  Json config = base_config(*this);
  config["delta"] = options_.delta;
  return config;
}

}  // namespace strata::losses
