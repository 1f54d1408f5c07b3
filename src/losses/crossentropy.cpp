// The crossentropies (keras 2.11 losses.py / backend.py): sparse categorical,
// categorical and binary, as functions and Loss objects.
#include <nlohmann/json.hpp>

#include "src/losses/loss_utils.hpp"
#include "strata/error.hpp"
#include "strata/ops.hpp"

namespace strata::losses {

using detail::kEpsilon;

namespace {

// Moves `axis` of x to the end (Keras transposes the class axis last for the sparse form).
Variable class_axis_last(const Variable& x, int axis) {
  const std::size_t a = normalize_axis(axis, x.rank());
  if (a + 1 == x.rank()) return x;
  std::vector<std::size_t> perm;
  for (std::size_t i = 0; i < x.rank(); ++i)
    if (i != a) perm.push_back(i);
  perm.push_back(a);
  return ops::transpose(x, perm);
}

// Keras's _get_logits: a y_pred made by softmax/sigmoid is replaced by its logits.
std::optional<Variable> keras_logits(const Variable& y_pred, bool from_logits, const char* op) {
  if (auto logits = ops::logits_of(y_pred, op)) return logits;
  if (from_logits) return y_pred;
  return std::nullopt;
}

}  // namespace

Variable sparse_categorical_crossentropy(const Tensor& y_true, const Variable& y_pred,
                                         const SparseCrossentropyOptions& options) {
  detail::check_has_axis("sparse_categorical_crossentropy", y_pred);
  std::optional<Variable> logits = keras_logits(y_pred, options.from_logits, "softmax");
  // From probabilities, as backend.sparse_categorical_crossentropy: clip, then log, then
  // the softmax crossentropy of those log-probabilities (which renormalises them).
  if (!logits) logits = ops::log(ops::clip(y_pred, kEpsilon, 1.0f - kEpsilon));
  return ops::sparse_softmax_cross_entropy_with_logits(y_true, class_axis_last(*logits, options.axis),
                                                       options.ignore_class);
}

Variable categorical_crossentropy(const Tensor& y_true, const Variable& y_pred, const CrossentropyOptions& options) {
  detail::check_same_shape("categorical_crossentropy", y_true, y_pred);
  detail::check_has_axis("categorical_crossentropy", y_pred);
  Tensor target = y_true;
  if (options.label_smoothing != 0.0f) {
    // num_classes is the last dimension whatever the axis, as in Keras.
    const float s = options.label_smoothing, per_class = s / static_cast<float>(y_true.shape().back());
    for (float& t : target) t = t * (1.0f - s) + per_class;
  }
  if (auto logits = keras_logits(y_pred, options.from_logits, "softmax"))
    return ops::softmax_cross_entropy_with_logits(target, *logits, options.axis);
  // Probabilities: scaled to sum to 1 along the axis, clipped, then -sum(t * log(p)).
  Variable p = y_pred / ops::sum(y_pred, {options.axis}, /*keepdims=*/true);
  p = ops::clip(p, kEpsilon, 1.0f - kEpsilon);
  return -ops::sum(constant(std::move(target)) * ops::log(p), {options.axis});
}

Variable binary_crossentropy(const Tensor& y_true, const Variable& y_pred, const CrossentropyOptions& options) {
  detail::check_same_shape("binary_crossentropy", y_true, y_pred);
  detail::check_has_axis("binary_crossentropy", y_pred);
  Tensor target = y_true;
  if (options.label_smoothing != 0.0f) {
    const float s = options.label_smoothing;
    for (float& t : target) t = t * (1.0f - s) + 0.5f * s;
  }
  Variable elementwise = [&] {
    if (auto logits = keras_logits(y_pred, options.from_logits, "sigmoid"))
      return ops::sigmoid_cross_entropy_with_logits(target, *logits);
    // backend.binary_crossentropy: clip, then epsilon added again inside both logs.
    Variable p = ops::clip(y_pred, kEpsilon, 1.0f - kEpsilon);
    Tensor complement = target;
    for (float& t : complement) t = 1.0f - t;
    return -(constant(std::move(target)) * ops::log(p + kEpsilon) +
             constant(std::move(complement)) * ops::log((1.0f - p) + kEpsilon));
  }();
  return ops::mean(elementwise, {options.axis});
}

using detail::base_config;
using detail::name_or;

namespace {
Json crossentropy_config(const Loss& loss, const CrossentropyLossOptions& options) {
  Json config = base_config(loss);
  config["from_logits"] = options.from_logits;
  config["label_smoothing"] = options.label_smoothing;
  config["axis"] = options.axis;
  return config;
}
CrossentropyOptions function_options(const CrossentropyLossOptions& options) {
  return {.from_logits = options.from_logits,
          .label_smoothing = static_cast<float>(options.label_smoothing),
          .axis = options.axis};
}
}  // namespace

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(SparseCrossentropyLossOptions options)
    : Loss(name_or(options.name, "sparse_categorical_crossentropy")), options_(std::move(options)) {}

Variable SparseCategoricalCrossentropy::call(const Tensor& y_true, const Variable& y_pred) const {
  return sparse_categorical_crossentropy(
      y_true, y_pred, {.from_logits = options_.from_logits, .axis = -1, .ignore_class = options_.ignore_class});
}

std::size_t SparseCategoricalCrossentropy::valid_count(const Tensor& y_true, const Variable& losses) const {
  if (!options_.ignore_class) return losses.size();
  const auto ignored = static_cast<float>(*options_.ignore_class);
  std::size_t n = 0;
  for (float label : y_true) n += label != ignored;
  return n;
}

Json SparseCategoricalCrossentropy::get_config() const {
  Json config = base_config(*this);
  config["from_logits"] = options_.from_logits;
  config["ignore_class"] = options_.ignore_class ? Json(*options_.ignore_class) : Json(nullptr);
  return config;
}

CategoricalCrossentropy::CategoricalCrossentropy(CrossentropyLossOptions options)
    : Loss(name_or(options.name, "categorical_crossentropy")), options_(std::move(options)) {}

Variable CategoricalCrossentropy::call(const Tensor& y_true, const Variable& y_pred) const {
  return categorical_crossentropy(detail::align_labels(y_true, y_pred.shape()), y_pred, function_options(options_));
}

Json CategoricalCrossentropy::get_config() const { return crossentropy_config(*this, options_); }

BinaryCrossentropy::BinaryCrossentropy(CrossentropyLossOptions options)
    : Loss(name_or(options.name, "binary_crossentropy")), options_(std::move(options)) {}

Variable BinaryCrossentropy::call(const Tensor& y_true, const Variable& y_pred) const {
  return binary_crossentropy(detail::align_labels(y_true, y_pred.shape()), y_pred, function_options(options_));
}

Json BinaryCrossentropy::get_config() const { return crossentropy_config(*this, options_); }

}  // namespace strata::losses
