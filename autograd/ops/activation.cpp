// Activation ops (relu family, elu/selu, gelu, softplus, swish, mish, ...), each a single
// element-wise pass with its hand-written backward. Values follow TensorFlow's kernels
// operation by operation (KERAS.md 6.1), so signs of zero and kink gradients match.
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <memory>

#include "autograd/node.hpp"
#include "autograd/ops/kernels.hpp"
#include "autograd/ops/unary_op.hpp"
#include "strata/error.hpp"
#include "strata/ops.hpp"

namespace strata::ops {

using autograd::BackwardContext;
using kernels::unary_map;

namespace {


// TensorFlow's Relu kernel is Eigen's cwiseMax(x, 0), i.e. std::max(x, 0): NaN and -0.0
// pass through unchanged (the comparison x < 0 is false for both).
inline float relu_value(float v) { return v < 0.0f ? 0.0f : v; }
// Relu6 = cwiseMax(0) then cwiseMin(6); std::min(r, 6) keeps r unless 6 < r.
inline float relu6_value(float v) {
  const float r = relu_value(v);
  return 6.0f < r ? 6.0f : r;
}

inline float sigmoid_value(float v) {
  // Two branches keep exp() from overflowing for large |v|.
  if (v >= 0.0f) return 1.0f / (1.0f + std::exp(-v));
  const float e = std::exp(v);
  return e / (1.0f + e);
}

// TensorFlow's Softplus kernel: above -threshold softplus(x) == x and below threshold
// softplus(x) == exp(x) to float precision; threshold = log(epsilon) + 2 (about -13.94).
inline float softplus_value(float v) {
  static const float threshold = std::log(std::numeric_limits<float>::epsilon()) + 2.0f;
  if (v > -threshold) return v;
  const float e = std::exp(v);
  if (v < threshold) return e;
  return std::log1p(e);
}

constexpr float kSeluScale = 1.0507009873554804934193349852946f;
constexpr float kSeluScaleAlpha = 1.7580993408473768599402175208123f;  // scale * alpha
constexpr float kSqrt2 = 1.4142135623730951f;
constexpr float kInvSqrt2Pi = 0.3989422804014327f;     // 1 / sqrt(2 pi)
constexpr float kGeluTanhScale = 0.7978845608028654f;  // sqrt(2 / pi)
constexpr float kGeluCubic = 0.044715f;

}  // namespace

Variable leaky_relu(const Variable& x, float alpha) {
  // TensorFlow's LeakyRelu and LeakyReluGrad kernels: a select on features > 0, so the
  // gradient at 0 is alpha.
  Tensor out = kernels::unary_map(x.value(), [alpha](float v) { return v > 0.0f ? v : v * alpha; });
  return autograd::record("leaky_relu", std::move(out), {x}, [x, alpha](BackwardContext& c) {
    c.add(0, kernels::binary_map(c.grad_output, x.value(), "leaky_relu",
                                 [alpha](float g, float v) { return v > 0.0f ? g : g * alpha; }));
  });
}

Variable relu(const Variable& x, float negative_slope, std::optional<float> max_value, float threshold) {
  // Keras's backend.relu, branch for branch (KERAS.md 6.1).
  const float a = negative_slope, t = threshold;
  if (a != 0.0f && !max_value && t == 0.0f) return leaky_relu(x, a);
  if (a == 0.0f && !max_value && t == 0.0f)
    return detail::unary(
        "relu", x, [](float v) { return relu_value(v); }, [](float v, float) { return v > 0.0f ? 1.0f : 0.0f; });

  const bool use_relu6 = t == 0.0f && max_value && *max_value == 6.0f;  // tf.nn.relu6, no clip after
  const bool clip = max_value && !use_relu6;
  const float m = max_value.value_or(0.0f);
  // The part before the subtraction of slope * relu(t - x), and its derivative.
  auto main_part = [=](float v) {
    if (t != 0.0f) return v * (v > t ? 1.0f : 0.0f);  // x * cast(x > t): strict, -0.0 below
    return use_relu6 ? relu6_value(v) : relu_value(v);
  };
  auto forward = [=](float v) {
    float y = main_part(v);
    if (clip) {  // tf.clip_by_value = maximum(minimum(y, m), 0)
      const float low = m < y ? m : y;
      y = low < 0.0f ? 0.0f : low;
    }
    if (a != 0.0f) y = y - a * relu_value(-v + t);
    return y;
  };
  auto derivative = [=](float v, float) {
    float d;
    if (t != 0.0f)
      d = v > t ? 1.0f : 0.0f;
    else if (use_relu6)
      d = v > 0.0f && v < 6.0f ? 1.0f : 0.0f;  // Relu6Grad
    else
      d = v > 0.0f ? 1.0f : 0.0f;  // ReluGrad
    if (clip) {
      // MinimumGrad passes where y <= m, MaximumGrad where min(y, m) >= 0 (ties pass).
      const float y = main_part(v);
      const float low = m < y ? m : y;
      if (!(y <= m && low >= 0.0f)) d = 0.0f;
    }
    if (a != 0.0f && -v + t > 0.0f) d += a;
    return d;
  };
  return detail::unary("relu", x, forward, derivative);
}

Variable elu(const Variable& x, float alpha) {
  // tf.nn.elu = x < 0 ? exp(x) - 1 : x; Keras scales the non-positive side by alpha with
  // where(x > 0, elu, alpha * elu). EluGrad: elu < 0 ? (elu + 1) : 1.
  auto base = [](float v) { return v < 0.0f ? std::exp(v) - 1.0f : v; };
  return detail::unary(
      "elu", x,
      [=](float v) {
        const float e = base(v);
        return v > 0.0f ? e : alpha * e;
      },
      [=](float v, float) {
        if (v > 0.0f) return 1.0f;
        const float e = base(v);
        return alpha * (e < 0.0f ? e + 1.0f : 1.0f);
      });
}

Variable selu(const Variable& x) {
  // TensorFlow's Selu / SeluGrad kernels (the gradient is read from the output).
  return detail::unary(
      "selu", x, [](float v) { return v < 0.0f ? kSeluScaleAlpha * (std::exp(v) - 1.0f) : kSeluScale * v; },
      [](float, float y) { return y < 0.0f ? y + kSeluScaleAlpha : kSeluScale; });
}

Variable gelu(const Variable& x, bool approximate) {
  if (approximate)
    return detail::unary(
        "gelu", x,
        [](float v) { return 0.5f * v * (1.0f + std::tanh(kGeluTanhScale * (v + kGeluCubic * (v * v * v)))); },
        [](float v, float) {
          const float th = std::tanh(kGeluTanhScale * (v + kGeluCubic * (v * v * v)));
          return 0.5f * (1.0f + th) + 0.5f * v * (1.0f - th * th) * kGeluTanhScale * (1.0f + 3.0f * kGeluCubic * v * v);
        });
  return detail::unary(
      "gelu", x, [](float v) { return 0.5f * v * (1.0f + std::erf(v / kSqrt2)); },
      [](float v, float) { return 0.5f * (1.0f + std::erf(v / kSqrt2)) + v * kInvSqrt2Pi * std::exp(-0.5f * v * v); });
}

Variable softplus(const Variable& x) {
  // SoftplusGrad: g / (exp(-x) + 1), on every branch.
  return detail::unary(
      "softplus", x, [](float v) { return softplus_value(v); },
      [](float v, float) { return 1.0f / (std::exp(-v) + 1.0f); });
}

Variable softsign(const Variable& x) {
  return detail::unary(
      "softsign", x, [](float v) { return v / (1.0f + std::fabs(v)); },
      [](float v, float) {
        const float d = 1.0f + std::fabs(v);
        return 1.0f / (d * d);
      });
}

Variable swish(const Variable& x) {
  // tf.nn.silu and its custom gradient sigmoid(x) * (1 + x * (1 - sigmoid(x))).
  return detail::unary(
      "swish", x, [](float v) { return v * sigmoid_value(v); },
      [](float v, float) {
        const float s = sigmoid_value(v);
        return s * (1.0f + v * (1.0f - s));
      });
}

Variable silu(const Variable& x) { return swish(x); }

Variable mish(const Variable& x) {
  return detail::unary(
      "mish", x, [](float v) { return v * std::tanh(softplus_value(v)); },
      [](float v, float) {
        const float th = std::tanh(softplus_value(v));
        return th + v * (1.0f - th * th) * sigmoid_value(v);
      });
}

Variable hard_sigmoid(const Variable& x) {
  // tf.keras 2 backend.hard_sigmoid: multiply, add, clip_by_value(0, 1); the gradient 0.2
  // passes on the closed interval (minimum/maximum gradients pass ties).
  return detail::unary(
      "hard_sigmoid", x,
      [](float v) {
        const float y = v * 0.2f + 0.5f;
        const float low = 1.0f < y ? 1.0f : y;
        return low < 0.0f ? 0.0f : low;
      },
      [](float v, float) {
        const float y = v * 0.2f + 0.5f;
        return y >= 0.0f && y <= 1.0f ? 0.2f : 0.0f;
      });
}

Variable relu6(const Variable& x) {
  return detail::unary(
      "relu6", x, [](float v) { return relu6_value(v); },
      [](float v, float) { return v > 0.0f && v < 6.0f ? 1.0f : 0.0f; });
}

Variable exponential(const Variable& x) {
  return detail::unary(
      "exponential", x, [](float v) { return std::exp(v); }, [](float, float y) { return y; });
}

Variable thresholded_relu(const Variable& x, float theta) {
  return detail::unary(
      "thresholded_relu", x, [=](float v) { return v * (v > theta ? 1.0f : 0.0f); },
      [=](float v, float) { return v > theta ? 1.0f : 0.0f; });
}

Variable prelu(const Variable& x, const Variable& alpha) {
  const Shape& shape = x.shape();
  if (kernels::broadcast_shape(shape, alpha.shape(), "prelu") != shape)
    throw ShapeError(fmt::format("prelu: alpha of shape {} does not broadcast to the input shape {}",
                                 shape_to_string(alpha.shape()), shape_to_string(shape)));
  // Keras's PReLU computes relu(x) + (-alpha) * relu(-x); written the same way so that
  // zeros keep Keras's sign (alpha = 0 gives +0.0 for negative x, not -0.0).
  Tensor out = Tensor::empty(shape);
  {
    const float *px = x.value().data(), *pa = alpha.value().data();
    float* po = out.data();
    kernels::for_each_broadcast<1>(shape, {kernels::broadcast_strides(alpha.shape(), shape)},
                                   [&](std::size_t i, const std::array<std::size_t, 1>& off) {
                                     const float v = px[i];
                                     po[i] = relu_value(v) + (-pa[off[0]]) * relu_value(-v);
                                   });
  }
  return autograd::record("prelu", std::move(out), {x, alpha}, [x, alpha](BackwardContext& c) {
    const Shape& shape = x.shape();
    const bool need_x = c.needs(0), need_alpha = c.needs(1);
    Tensor dx = need_x ? Tensor::empty(shape) : Tensor();
    Tensor dalpha = need_alpha ? Tensor::zeros(alpha.shape()) : Tensor();
    const float *pg = c.grad_output.data(), *px = x.value().data(), *pa = alpha.value().data();
    float* pdx = need_x ? dx.data() : nullptr;
    float* pda = need_alpha ? dalpha.data() : nullptr;
    // d/dx = [x > 0] + alpha [x < 0] (0 at 0); d/dalpha = -relu(-x).
    kernels::for_each_broadcast<1>(shape, {kernels::broadcast_strides(alpha.shape(), shape)},
                                   [&](std::size_t i, const std::array<std::size_t, 1>& off) {
                                     const float v = px[i];
                                     if (pdx) pdx[i] = v > 0.0f ? pg[i] : (v < 0.0f ? pg[i] * pa[off[0]] : 0.0f);
                                     if (pda) pda[off[0]] -= pg[i] * relu_value(-v);
                                   });
    if (need_x) c.add(0, std::move(dx));
    if (need_alpha) c.add(1, std::move(dalpha));
  });
}

Variable rrelu(const Variable& x, float lower, float upper, bool training, Generator& generator) {
  if (!(lower <= upper))
    throw ValueError(
        fmt::format("rrelu: lower bound should be less than or equal to the upper bound, got "
                    "lower={}, upper={}",
                    lower, upper));
  // PyTorch: inference is leaky_relu with the mean slope, computed in double as
  // (lower + upper) / 2 and rounded once.
  if (!training)
    return leaky_relu(x, static_cast<float>((static_cast<double>(lower) + static_cast<double>(upper)) / 2.0));
  // PyTorch's rrelu_with_noise: elements <= 0 draw a slope (in row-major order) and the
  // backward multiplies by the same per-element factor ("noise": the slope, or 1).
  auto noise = std::make_shared<Tensor>(Tensor::empty(x.shape()));
  Tensor out = Tensor::empty(x.shape());
  const float* px = x.value().data();
  float* pn = noise->data();
  float* po = out.data();
  for (std::size_t i = 0, n = out.size(); i < n; ++i) {
    if (px[i] <= 0.0f) {
      pn[i] = generator.uniform(lower, upper);
      po[i] = px[i] * pn[i];
    } else {
      pn[i] = 1.0f;
      po[i] = px[i];
    }
  }
  return autograd::record("rrelu", std::move(out), {x}, [noise](BackwardContext& c) {
    Tensor dx = Tensor::empty(noise->shape());
    const float *pg = c.grad_output.data(), *pn = noise->data();
    float* pd = dx.data();
    for (std::size_t i = 0, n = dx.size(); i < n; ++i) pd[i] = pg[i] * pn[i];
    c.add(0, std::move(dx));
  });
}

}  // namespace strata::ops
