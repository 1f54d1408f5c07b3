// The accuracy functions of keras.metrics (2.11 metrics.py / metrics_utils.py) on tensors.
#include <fmt/format.h>

#include "strata/error.hpp"
#include "strata/metrics.hpp"

namespace strata::metrics {

namespace {

void check_same_shape(const char* fn, const Tensor& y_true, const Tensor& y_pred) {
  if (y_true.shape() != y_pred.shape())
    throw ShapeError(fmt::format("{}: y_true and y_pred must have the same shape, got y_true {} and y_pred {}", fn,
                                 shape_to_string(y_true.shape()), shape_to_string(y_pred.shape())));
}

void check_has_axis(const char* fn, const Tensor& y_pred) {
  if (y_pred.rank() == 0 || y_pred.shape().back() == 0)
    throw ShapeError(fmt::format("{}: y_pred needs a non-empty class axis, got shape {}", fn,
                                 shape_to_string(y_pred.shape())));
}

Shape without_last(const Shape& shape) { return Shape(shape.begin(), shape.end() - 1); }

// tf.math.argmax over the last axis of row r: the first index of the maximum.
std::size_t argmax_row(const Tensor& x, std::size_t r, std::size_t n) {
  const float* p = x.data() + r * n;
  std::size_t best = 0;
  for (std::size_t j = 1; j < n; ++j)
    if (p[j] > p[best]) best = j;
  return best;
}

}  // namespace

Tensor accuracy(const Tensor& y_true, const Tensor& y_pred) {
  check_same_shape("accuracy", y_true, y_pred);
  Tensor out(y_true.shape());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = y_true[i] == y_pred[i] ? 1.0f : 0.0f;
  return out;
}

Tensor binary_matches(const Tensor& y_true, const Tensor& y_pred, double threshold) {
  check_same_shape("binary_accuracy", y_true, y_pred);
  // Keras casts the threshold to y_pred's dtype and compares strictly.
  const auto t = static_cast<float>(threshold);
  Tensor out(y_true.shape());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = y_true[i] == (y_pred[i] > t ? 1.0f : 0.0f) ? 1.0f : 0.0f;
  return out;
}

Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold) {
  Tensor matches = binary_matches(y_true, y_pred, threshold);
  if (matches.rank() == 0) return matches;
  const std::size_t n = matches.shape().back();
  Tensor out(without_last(matches.shape()));
  for (std::size_t r = 0; r < out.size(); ++r) {
    float total = 0.0f;
    for (std::size_t j = 0; j < n; ++j) total += matches[r * n + j];
    out[r] = n > 0 ? total / static_cast<float>(n) : 0.0f;
  }
  return out;
}

Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred) {
  check_has_axis("categorical_accuracy", y_pred);
  if (y_true.rank() != y_pred.rank() || without_last(y_true.shape()) != without_last(y_pred.shape()) ||
      y_true.shape().back() == 0)
    throw ShapeError(fmt::format("categorical_accuracy: y_true {} and y_pred {} must hold the same samples, each "
                                 "with a class axis last",
                                 shape_to_string(y_true.shape()), shape_to_string(y_pred.shape())));
  const std::size_t nt = y_true.shape().back(), np = y_pred.shape().back();
  Tensor out(without_last(y_pred.shape()));
  for (std::size_t r = 0; r < out.size(); ++r)
    out[r] = argmax_row(y_true, r, nt) == argmax_row(y_pred, r, np) ? 1.0f : 0.0f;
  return out;
}

Tensor sparse_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred) {
  check_has_axis("sparse_categorical_accuracy", y_pred);
  const Shape rows = without_last(y_pred.shape());
  Shape with_one = rows;
  with_one.push_back(1);
  if (y_true.shape() != rows && y_true.shape() != with_one)
    throw ShapeError(fmt::format("sparse_categorical_accuracy: y_true of shape {} does not match y_pred of shape {}; "
                                 "expected class indices of shape {} or {}",
                                 shape_to_string(y_true.shape()), shape_to_string(y_pred.shape()),
                                 shape_to_string(rows), shape_to_string(with_one)));
  // The label (a float) is compared with the argmax cast to float, as Keras does, so a
  // non-integral label never matches.
  const std::size_t n = y_pred.shape().back();
  Tensor out(y_true.shape());
  for (std::size_t r = 0; r < out.size(); ++r)
    out[r] = y_true[r] == static_cast<float>(argmax_row(y_pred, r, n)) ? 1.0f : 0.0f;
  return out;
}

}  // namespace strata::metrics
