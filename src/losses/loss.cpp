// The Loss base (batch mean), the shared shape helpers, and LossArg.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "src/losses/loss_utils.hpp"
#include "strata/error.hpp"
#include "strata/ops.hpp"

namespace strata::losses {

Variable Loss::operator()(const Tensor& y_true, const Variable& y_pred) const {
  // Keras's sum_over_batch_size: the sum over every per-sample loss divided by their
  // number (masked ones excluded, and 0 when all are masked, as divide_no_nan).
  Variable losses = call(y_true, y_pred);
  const std::size_t n = valid_count(y_true, losses);
  if (n == losses.size()) return ops::mean(losses);
  if (n == 0) return ops::sum(losses) * 0.0f;
  return ops::sum(losses) / static_cast<float>(n);
}

std::size_t Loss::valid_count(const Tensor& /*y_true*/, const Variable& losses) const { return losses.size(); }

namespace detail {

void check_same_shape(std::string_view fn, const Tensor& y_true, const Variable& y_pred) {
  if (y_true.shape() != y_pred.shape())
    throw ShapeError(fmt::format("{}: y_true and y_pred must have the same shape, got y_true {} and y_pred {}", fn,
                                 shape_to_string(y_true.shape()), shape_to_string(y_pred.shape())));
}

void check_has_axis(std::string_view fn, const Variable& y_pred) {
  if (y_pred.rank() == 0)
    throw ShapeError(fmt::format("{}: y_pred must have at least one axis to reduce, got a scalar", fn));
}

Tensor align_labels(const Tensor& y_true, const Shape& pred_shape) {
  const Shape& t = y_true.shape();
  const bool pred_longer = pred_shape.size() == t.size() + 1 && pred_shape.back() == 1;
  const bool true_longer = t.size() == pred_shape.size() + 1 && t.back() == 1;
  if ((pred_longer || true_longer) && y_true.size() == shape_size(pred_shape)) return y_true.reshape(pred_shape);
  return y_true;
}

Json base_config(const Loss& loss) {
  Json config = Json::object();
  config["reduction"] = "auto";
  config["name"] = loss.name();
  return config;
}

}  // namespace detail
}  // namespace strata::losses

namespace strata {

std::shared_ptr<losses::Loss> LossArg::build() const {
  if (loss_) return loss_;
  if (name_.empty()) throw ValueError("No loss given: pass a loss name (\"mse\") or a Loss object");
  return losses::get(name_);
}

}  // namespace strata
