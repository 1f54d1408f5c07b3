// Fused cross-entropies from logits (TensorFlow's *_cross_entropy_with_logits), each with
// its backward beside it, and the lookup of a softmax/sigmoid output's logits.
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "autograd/node.hpp"
#include "autograd/ops/kernels.hpp"
#include "strata/error.hpp"
#include "strata/ops.hpp"

namespace strata::ops {

using autograd::BackwardContext;

namespace {

using kernels::Rows;

// log(sum(exp(x))) of n values `stride` apart, shifted by the max so exp never overflows.
inline float log_sum_exp(const float* x, std::size_t n, std::size_t stride) {
  float m = -std::numeric_limits<float>::infinity();
  for (std::size_t j = 0; j < n; ++j) m = std::max(m, x[j * stride]);
  if (std::isinf(m)) return m;  // all -inf (or a +inf): nothing finite to shift by
  float total = 0.0f;
  for (std::size_t j = 0; j < n; ++j) total += std::exp(x[j * stride] - m);
  return m + std::log(total);
}

Shape without_last(const Shape& shape) { return Shape(shape.begin(), shape.end() - 1); }

}  // namespace

Variable sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Variable& logits,
                                                  std::optional<int> ignore_class) {
  constexpr const char* op = "sparse_softmax_cross_entropy_with_logits";
  const Shape& shape = logits.shape();
  if (shape.empty() || shape.back() == 0)
    throw ShapeError(fmt::format("{}: logits need a non-empty class axis, got shape {}", op, shape_to_string(shape)));
  Shape out_shape = without_last(shape);
  Shape with_one = out_shape;
  with_one.push_back(1);
  if (labels.shape() != out_shape && labels.shape() != with_one)
    throw ShapeError(fmt::format("{}: labels of shape {} do not match logits of shape {}; expected labels of shape {}",
                                 op, shape_to_string(labels.shape()), shape_to_string(shape),
                                 shape_to_string(out_shape)));

  const std::size_t classes = shape.back(), rows = labels.size();
  const bool recording = autograd::is_recording({&logits});
  // For the backward: each row's target (-1 when ignored) and log-sum-exp.
  std::vector<std::int32_t> targets(recording ? rows : 0);
  std::vector<float> lse(recording ? rows : 0);

  Tensor out = Tensor::empty(std::move(out_shape));
  const float *px = logits.value().data(), *pl = labels.data();
  float* po = out.data();
  for (std::size_t r = 0; r < rows; ++r) {
    const float label = pl[r];
    if (ignore_class && label == static_cast<float>(*ignore_class)) {
      po[r] = 0.0f;
      if (recording) targets[r] = -1;
      continue;
    }
    if (label != std::floor(label))  // also rejects NaN and infinities
      throw ValueError(fmt::format("{}: labels must be integer class indices; got {} at label index {}", op, label, r));
    if (label < 0.0f || label >= static_cast<float>(classes))
      throw ValueError(fmt::format("{}: Received a label value of {} which is outside the valid range of [0, {}) "
                                   "at label index {}",
                                   op, label, classes, r));
    const auto t = static_cast<std::int32_t>(label);
    const float* x = px + r * classes;
    const float l = log_sum_exp(x, classes, 1);
    po[r] = l - x[t];
    if (recording) {
      targets[r] = t;
      lse[r] = l;
    }
  }
  if (!recording) return constant(std::move(out));

  return autograd::record(op, std::move(out), {logits},
                          [logits, classes, targets = std::move(targets), lse = std::move(lse)](BackwardContext& c) {
                            // d loss_r / d x_rj = softmax_rj - [j == t_r]
                            Tensor dx = Tensor::empty(logits.shape());
                            const float *px = logits.value().data(), *pg = c.grad_output.data();
                            float* pd = dx.data();
                            for (std::size_t r = 0; r < targets.size(); ++r) {
                              const float* x = px + r * classes;
                              float* d = pd + r * classes;
                              if (targets[r] < 0) {
                                std::fill(d, d + classes, 0.0f);
                                continue;
                              }
                              const float g = pg[r], l = lse[r];
                              for (std::size_t j = 0; j < classes; ++j) d[j] = g * std::exp(x[j] - l);
                              d[targets[r]] -= g;
                            }
                            c.add(0, std::move(dx));
                          });
}

Variable softmax_cross_entropy_with_logits(const Tensor& labels, const Variable& logits, int axis) {
  constexpr const char* op = "softmax_cross_entropy_with_logits";
  const Shape& shape = logits.shape();
  if (labels.shape() != shape)
    throw ShapeError(fmt::format("{}: labels of shape {} and logits of shape {} must have the same shape", op,
                                 shape_to_string(labels.shape()), shape_to_string(shape)));
  if (shape.empty()) throw ShapeError(fmt::format("{}: logits need a class axis, got a scalar", op));
  const std::size_t a = normalize_axis(axis, shape.size());
  const Rows rows(shape, a);
  Shape out_shape = shape;
  out_shape.erase(out_shape.begin() + static_cast<std::ptrdiff_t>(a));

  const bool recording = autograd::is_recording({&logits});
  std::vector<float> lse(recording ? rows.count() : 0);
  Tensor out = Tensor::empty(std::move(out_shape));
  const float *px = logits.value().data(), *pt = labels.data();
  float* po = out.data();
  for (std::size_t r = 0; r < rows.count(); ++r) {
    const std::size_t b = rows.base(r), s = rows.inner;
    const float l = log_sum_exp(px + b, rows.n, s);
    // sum(t * (lse - x)); a zero label contributes nothing even where x is -inf
    float loss = 0.0f;
    for (std::size_t j = 0; j < rows.n; ++j) {
      const float t = pt[b + j * s];
      if (t != 0.0f) loss += t * (l - px[b + j * s]);
    }
    po[r] = loss;
    if (recording) lse[r] = l;
  }
  if (!recording) return constant(std::move(out));

  return autograd::record(op, std::move(out), {logits}, [logits, labels, rows, lse = std::move(lse)](BackwardContext& c) {
    // d loss / d x_j = softmax_j * sum(t) - t_j (softmax - labels when the labels sum to 1)
    Tensor dx = Tensor::empty(logits.shape());
    const float *px = logits.value().data(), *pt = labels.data(), *pg = c.grad_output.data();
    float* pd = dx.data();
    for (std::size_t r = 0; r < rows.count(); ++r) {
      const std::size_t b = rows.base(r), s = rows.inner;
      float total = 0.0f;
      for (std::size_t j = 0; j < rows.n; ++j) total += pt[b + j * s];
      const float g = pg[r], l = lse[r];
      for (std::size_t j = 0; j < rows.n; ++j) {
        const std::size_t k = b + j * s;
        pd[k] = g * (std::exp(px[k] - l) * total - pt[k]);
      }
    }
    c.add(0, std::move(dx));
  });
}

Variable sigmoid_cross_entropy_with_logits(const Tensor& labels, const Variable& logits) {
  constexpr const char* op = "sigmoid_cross_entropy_with_logits";
  if (labels.shape() != logits.shape())
    throw ShapeError(fmt::format("{}: labels of shape {} and logits of shape {} must have the same shape", op,
                                 shape_to_string(labels.shape()), shape_to_string(logits.shape())));
  Tensor out = Tensor::empty(logits.shape());
  const float *px = logits.value().data(), *pz = labels.data();
  float* po = out.data();
  // TensorFlow's form: max(x, 0) - x * z + log1p(exp(-|x|)), finite for any x.
  for (std::size_t i = 0, n = out.size(); i < n; ++i) {
    const float x = px[i];
    po[i] = std::max(x, 0.0f) - x * pz[i] + std::log1p(std::exp(-std::fabs(x)));
  }
  if (!autograd::is_recording({&logits})) return constant(std::move(out));
  return autograd::record(op, std::move(out), {logits}, [logits, labels](BackwardContext& c) {
    // d loss / d x = sigmoid(x) - z
    Tensor dx = Tensor::empty(logits.shape());
    const float *px = logits.value().data(), *pz = labels.data(), *pg = c.grad_output.data();
    float* pd = dx.data();
    for (std::size_t i = 0, n = dx.size(); i < n; ++i) {
      const float x = px[i];
      const float s = x >= 0.0f ? 1.0f / (1.0f + std::exp(-x)) : std::exp(x) / (1.0f + std::exp(x));
      pd[i] = pg[i] * (s - pz[i]);
    }
    c.add(0, std::move(dx));
  });
}

std::optional<Variable> logits_of(const Variable& y, std::string_view op) {
  const autograd::Node& node = *y.node();
  if (node.logits && node.logits_of && op == node.logits_of) return Variable(node.logits);
  return std::nullopt;
}

}  // namespace strata::ops
