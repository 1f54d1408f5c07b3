// batch_norm: training-mode batch normalization in one op (like tf.nn.fused_batch_norm),
// and its backward. Composed from mean/sub/square/div/mul/add ops it made seven passes
// over the activations forward and kept four activation-sized intermediates on the tape;
// fused it makes two passes each way and keeps only per-feature vectors.
#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "autograd/node.hpp"
#include "autograd/parallel/parallel.hpp"
#include "strata/error.hpp"
#include "strata/ops.hpp"

namespace strata::ops {

using autograd::BackwardContext;

namespace {

// x seen as (outer, features, inner): features is the normalized axis.
struct FeatureLayout {
  std::size_t outer = 1, features = 1, inner = 1;
  std::size_t count() const { return outer * inner; }  // values per feature
  std::size_t row() const { return features * inner; }
};

FeatureLayout layout_of(const Shape& shape, std::size_t axis) {
  FeatureLayout layout;
  layout.features = shape[axis];
  for (std::size_t i = 0; i < axis; ++i) layout.outer *= shape[i];
  for (std::size_t i = axis + 1; i < shape.size(); ++i) layout.inner *= shape[i];
  return layout;
}

std::size_t row_grain(const FeatureLayout& layout) {
  return std::max<std::size_t>(1, parallel::elementwise_grain / std::max<std::size_t>(layout.row(), 1));
}

// Calls fn(feature, index) for every value of outer rows [begin, end). Channels-last
// (inner == 1, the common case) gets its own loop so that it vectorizes over features.
template <class Fn>
void for_each_value(const FeatureLayout& layout, std::size_t begin, std::size_t end, Fn&& fn) {
  const std::size_t features = layout.features, inner = layout.inner;
  if (inner == 1) {
    for (std::size_t o = begin; o < end; ++o)
      for (std::size_t f = 0; f < features; ++f) fn(f, o * features + f);
    return;
  }
  for (std::size_t o = begin; o < end; ++o)
    for (std::size_t f = 0; f < features; ++f)
      for (std::size_t i = (o * features + f) * inner, last = i + inner; i < last; ++i) fn(f, i);
}

// Two per-feature sums, of first(feature, index) and of second(feature, index), in double
// and in one pass; split over the pool by outer rows and added in chunk order (the same
// sums every run).
struct FeatureSums {
  std::vector<double> first, second;
};
template <class First, class Second>
FeatureSums feature_sums(const FeatureLayout& layout, First first, Second second) {
  const std::size_t features = layout.features;
  const std::size_t chunks = std::max<std::size_t>(parallel::chunk_count(layout.outer, row_grain(layout)), 1);
  std::vector<std::vector<double>> partials(chunks, std::vector<double>(2 * features, 0.0));
  parallel::parallel_for(layout.outer, row_grain(layout), [&](std::size_t chunk, std::size_t begin, std::size_t end) {
    double *a = partials[chunk].data(), *b = a + features;
    for_each_value(layout, begin, end, [a, b, &first, &second](std::size_t f, std::size_t i) {
      a[f] += first(f, i);
      b[f] += second(f, i);
    });
  });
  FeatureSums total{std::vector<double>(features, 0.0), std::vector<double>(features, 0.0)};
  for (const std::vector<double>& part : partials)
    for (std::size_t f = 0; f < features; ++f) {
      total.first[f] += part[f];
      total.second[f] += part[features + f];
    }
  return total;
}

// Writes out[i] = fn(feature, i) for every value, split over the pool.
template <class Fn>
void per_value(const FeatureLayout& layout, float* out, Fn fn) {
  parallel::for_ranges(layout.outer, row_grain(layout), [&layout, out, &fn](std::size_t begin, std::size_t end) {
    for_each_value(layout, begin, end, [out, &fn](std::size_t f, std::size_t i) { out[i] = fn(f, i); });
  });
}

void check_parameter(const char* name, const Variable& v, const Variable& x, std::size_t axis) {
  if (v.rank() != 1 || v.shape()[0] != x.shape()[axis])
    throw ShapeError(fmt::format("batch_norm: {} {} must be 1-d with the size of axis {} of the input {}", name,
                                 shape_to_string(v.shape()), axis, shape_to_string(x.shape())));
}

}  // namespace

BatchNormResult batch_norm(const Variable& x, const Variable& gamma, const Variable& beta, int axis, float epsilon) {
  const auto rank = static_cast<int>(x.rank());
  const int resolved = axis < 0 ? axis + rank : axis;
  if (resolved < 0 || resolved >= rank)
    throw ShapeError(fmt::format("batch_norm: axis {} is out of range for the input {}", axis,
                                 shape_to_string(x.shape())));
  const auto feature_axis = static_cast<std::size_t>(resolved);
  check_parameter("gamma", gamma, x, feature_axis);
  check_parameter("beta", beta, x, feature_axis);
  const FeatureLayout layout = layout_of(x.shape(), feature_axis);
  const std::size_t features = layout.features;
  const auto n = static_cast<double>(layout.count());

  // One pass for the statistics: sums of d = x - pivot and of d^2 in double, the pivot
  // being each feature's first value, so that E[d^2] - E[d]^2 does not cancel when the
  // mean is large against the spread.
  const float* px = x.value().data();
  std::vector<double> pivot(features, 0.0);
  if (layout.count() > 0)
    for (std::size_t f = 0; f < features; ++f) pivot[f] = px[f * layout.inner];
  const double* pp = pivot.data();
  const FeatureSums sums = feature_sums(
      layout, [px, pp](std::size_t f, std::size_t i) { return px[i] - pp[f]; },
      [px, pp](std::size_t f, std::size_t i) {
        const double d = px[i] - pp[f];
        return d * d;
      });
  Tensor mean = Tensor::empty({features}), variance = Tensor::empty({features});
  for (std::size_t f = 0; f < features; ++f) {
    const double shifted_mean = sums.first[f] / n;
    mean[f] = static_cast<float>(pivot[f] + shifted_mean);
    variance[f] = static_cast<float>(std::max(sums.second[f] / n - shifted_mean * shifted_mean, 0.0));
  }
  std::vector<float> inv_std(features), scale(features), shift(features);
  for (std::size_t f = 0; f < features; ++f) {
    inv_std[f] = 1.0f / std::sqrt(variance[f] + epsilon);
    scale[f] = gamma.value()[f] * inv_std[f];
    shift[f] = beta.value()[f] - mean[f] * scale[f];
  }
  Tensor out = Tensor::empty(x.shape());
  per_value(layout, out.data(), [px, ps = scale.data(), pt = shift.data()](std::size_t f, std::size_t i) {
    return ps[f] * px[i] + pt[f];
  });

  Variable y = autograd::record(
      "batch_norm", std::move(out), {x, gamma, beta},
      [x, gamma, layout, mean, inv_std = std::move(inv_std)](BackwardContext& c) {
        const float *pg = c.grad_output.data(), *px = x.value().data(), *pm = mean.data();
        // dbeta = sum(dy); dgamma = sum(dy * x_hat) = inv_std * sum(dy * (x - mean)).
        const FeatureSums sums = feature_sums(
            layout, [pg](std::size_t, std::size_t i) { return pg[i]; },
            [pg, px, pm](std::size_t f, std::size_t i) { return pg[i] * (static_cast<double>(px[i]) - pm[f]); });
        const std::vector<double>& dy_sum = sums.first;
        const std::vector<double>& dy_centred = sums.second;
        const std::size_t features = layout.features;
        if (c.needs(0)) {
          // dx = gamma * inv_std * (dy - mean(dy) - x_hat * mean(dy * x_hat)), folded into
          // dx = k * dy + (x_coef * x + constant) per feature.
          const auto n = static_cast<double>(layout.count());
          std::vector<float> k(features), x_coef(features), constant(features);
          for (std::size_t f = 0; f < features; ++f) {
            const double s = static_cast<double>(gamma.value()[f]) * inv_std[f];
            const double xc = -s * inv_std[f] * inv_std[f] * dy_centred[f] / n;
            k[f] = static_cast<float>(s);
            x_coef[f] = static_cast<float>(xc);
            constant[f] = static_cast<float>(-s * dy_sum[f] / n - xc * pm[f]);
          }
          Tensor dx = Tensor::empty(x.shape());
          per_value(layout, dx.data(),
                    [pg, px, pk = k.data(), pxc = x_coef.data(), pc = constant.data()](std::size_t f, std::size_t i) {
                      return pk[f] * pg[i] + pxc[f] * px[i] + pc[f];
                    });
          c.add(0, std::move(dx));
        }
        if (c.needs(1)) {
          Tensor dgamma = Tensor::empty({features});
          for (std::size_t f = 0; f < features; ++f) dgamma[f] = static_cast<float>(dy_centred[f] * inv_std[f]);
          c.add(1, std::move(dgamma));
        }
        if (c.needs(2)) {
          Tensor dbeta = Tensor::empty({features});
          for (std::size_t f = 0; f < features; ++f) dbeta[f] = static_cast<float>(dy_sum[f]);
          c.add(2, std::move(dbeta));
        }
      });
  return {std::move(y), std::move(mean), std::move(variance)};
}

}  // namespace strata::ops
