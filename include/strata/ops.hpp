// Differentiable ops on Variables. Each records itself on the active GradientTapes that
// watch one of its inputs; binary element-wise ops broadcast like numpy, and their
// gradients are summed back to each input's shape. Images are NHWC; conv kernels use
// Keras's layout (kh, kw, in, out).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/fused_ops.hpp"
#include "strata/random.hpp"
#include "strata/tensor.hpp"
#include "strata/variable.hpp"

namespace strata::ops {

// ---- element-wise, broadcasting (autograd/ops/elementwise.cpp)
Variable add(const Variable& a, const Variable& b);
Variable sub(const Variable& a, const Variable& b);
Variable mul(const Variable& a, const Variable& b);
Variable div(const Variable& a, const Variable& b);
Variable pow(const Variable& base, const Variable& exponent);
Variable pow(const Variable& base, float exponent);
Variable maximum(const Variable& a, const Variable& b);  // ties send the gradient to a
Variable minimum(const Variable& a, const Variable& b);  // ties send the gradient to a
// condition != 0 picks a, else b; no gradient flows to the condition.
Variable where(const Tensor& condition, const Variable& a, const Variable& b);

// ---- element-wise, one input (autograd/ops/unary.cpp)
Variable neg(const Variable& x);
Variable exp(const Variable& x);
Variable log(const Variable& x);
Variable sqrt(const Variable& x);
Variable square(const Variable& x);
Variable abs(const Variable& x);  // gradient 0 at 0
Variable tanh(const Variable& x);
Variable sigmoid(const Variable& x);
// Like tf.clip_by_value: the gradient passes where low <= x <= high.
Variable clip(const Variable& x, float low, float high);

// ---- reductions (autograd/ops/reduce.cpp); empty axes = all axes, negatives count from the end
Variable sum(const Variable& x, std::vector<int> axes = {}, bool keepdims = false);
Variable mean(const Variable& x, std::vector<int> axes = {}, bool keepdims = false);
// Ties share the gradient equally, as in TensorFlow.
Variable max(const Variable& x, std::vector<int> axes = {}, bool keepdims = false);

// ---- shape (autograd/ops/shape.cpp)
// One entry may be -1 (inferred), as in numpy / tf.reshape.
Variable reshape(const Variable& x, const std::vector<std::int64_t>& shape);
// perm empty = reverse the axes (numpy's transpose()).
Variable transpose(const Variable& x, std::vector<std::size_t> perm = {});
Variable concat(const std::vector<Variable>& xs, int axis);
// tf.slice: size -1 means "to the end of that axis".
Variable slice(const Variable& x, const std::vector<std::size_t>& begin, const std::vector<std::int64_t>& size);
// paddings[i] = {before, after} for axis i, filled with value.
Variable pad(const Variable& x, const std::vector<std::pair<std::size_t, std::size_t>>& paddings, float value = 0.0f);

// ---- bias (autograd/ops/bias_add.cpp)
// x (..., c) + bias (c,) on every row, like tf.nn.bias_add; the bias's gradient is the
// column sums of the output's.
Variable bias_add(const Variable& x, const Variable& bias);

// ---- batch normalization (autograd/ops/batch_norm.cpp)
// Training-mode batch normalization, like tf.nn.fused_batch_norm(is_training=True):
// y = gamma * (x - mean) / sqrt(variance + epsilon) + beta, with the batch's mean and
// biased variance taken over every axis but `axis` (negatives count from the end);
// gamma and beta are 1-d with that axis's size. Gradients flow to x (through the
// statistics), gamma and beta.
struct BatchNormResult {
  Variable y;
  Tensor mean;      // per feature; no gradient
  Tensor variance;  // per feature, divided by the count (not count - 1); no gradient
};
BatchNormResult batch_norm(const Variable& x, const Variable& gamma, const Variable& beta, int axis, float epsilon);

// ---- linear algebra (autograd/ops/matmul.cpp)
// (m, k) x (k, n), or batched (..., m, k) x (..., k, n) with equal batch shapes or a 2-d side.
Variable matmul(const Variable& a, const Variable& b, bool transpose_a = false, bool transpose_b = false);

// ---- softmax (autograd/ops/softmax.cpp); numerically stable (max subtracted)
Variable softmax(const Variable& x, int axis = -1);
Variable log_softmax(const Variable& x, int axis = -1);

// ---- convolution and pooling (autograd/ops/conv.cpp, autograd/ops/pool.cpp)
// enum class Padding { valid, same } is in strata/fused_ops.hpp.
// "valid" / "same" (case-insensitive, like Keras); throws ValueError otherwise.
Padding parse_padding(std::string_view text);
std::string_view to_string(Padding padding);

struct Conv2DOptions {
  std::array<std::size_t, 2> strides{1, 1};
  Padding padding = Padding::valid;
  std::array<std::size_t, 2> dilation_rate{1, 1};
  // Applied to the output (after the bias) as it is stored (strata/fused_ops.hpp).
  FusedActivation activation{};
};
// x: (n, h, w, c_in); kernel: (kh, kw, c_in, c_out) -> (n, oh, ow, c_out). 'same' pads
// like TensorFlow: the odd extra row/column goes after (bottom/right).
Variable conv2d(const Variable& x, const Variable& kernel, const Conv2DOptions& options = {});
// conv2d plus a per-filter bias (c_out,), fused: the bias is added while each block of the
// output is still in cache, and its gradient is summed in the same pass as the kernel's.
Variable conv2d(const Variable& x, const Variable& kernel, const Variable& bias, const Conv2DOptions& options = {});

struct Conv2DTransposeOptions {
  std::array<std::size_t, 2> strides{1, 1};
  Padding padding = Padding::valid;
  std::array<std::size_t, 2> dilation_rate{1, 1};
  // Extra rows/columns at the bottom/right of the output (Keras's output_padding); -1 = none.
  std::array<std::int64_t, 2> output_padding{-1, -1};
};
// x: (n, h, w, c_in); kernel in Keras's Conv2DTranspose layout (kh, kw, c_out, c_in).
// The gradient of conv2d with respect to its input, as a layer.
Variable conv2d_transpose(const Variable& x, const Variable& kernel, const Conv2DTransposeOptions& options = {});
// Output extent of a transposed convolution along one axis (Keras's deconv_output_length).
std::size_t conv_transpose_output_length(std::size_t input, std::size_t kernel, Padding padding,
                                         std::size_t stride, std::size_t dilation, std::int64_t output_padding);
// Output extent of a convolution/pooling along one axis (Keras's conv_output_length).
std::size_t conv_output_length(std::size_t input, std::size_t kernel, Padding padding, std::size_t stride,
                               std::size_t dilation = 1);

// struct Pool2DOptions {pool_size, strides, padding} is in strata/fused_ops.hpp.
// 'same' max pooling ignores the padding; 'same' average pooling divides by the number of
// real (unpadded) elements in each window, as TensorFlow does.
Variable max_pool2d(const Variable& x, const Pool2DOptions& options = {});
Variable avg_pool2d(const Variable& x, const Pool2DOptions& options = {});
// max_pool2d(conv2d(x, kernel[, bias], conv), pool) as one op (autograd/ops/conv_pool.cpp):
// the convolution's output is made and pooled a few images at a time while in cache, and
// its gradient rebuilt the same way, so it is never held whole. The values are those of
// the two ops; the gradients too, up to the order the kernel and bias sums are added in.
// Pools whose windows overlap (strides < pool_size) or exceed 256 cells take the two ops.
Variable conv2d_max_pool2d(const Variable& x, const Variable& kernel, const Conv2DOptions& conv,
                           const Pool2DOptions& pool);
Variable conv2d_max_pool2d(const Variable& x, const Variable& kernel, const Variable& bias, const Conv2DOptions& conv,
                           const Pool2DOptions& pool);

// ---- dropout (autograd/ops/dropout.cpp)
// Zeroes each element with probability rate and scales the rest by 1 / (1 - rate).
Variable dropout(const Variable& x, float rate, Generator& generator = default_generator());

// ---- activations (autograd/ops/activation.cpp): tf.keras 2.x semantics (KERAS.md 6.1),
// float32 operation order, sign of zero and gradients at kinks as TensorFlow computes them.
// Keras's backend.relu: x > t -> min(x, max_value); x == t -> 0; x < t -> slope * (x - t)
// (below a nonzero threshold with slope 0 that is x * 0, i.e. -0.0 for negative x).
Variable relu(const Variable& x, float negative_slope = 0.0f, std::optional<float> max_value = std::nullopt,
              float threshold = 0.0f);
// tf.nn.leaky_relu: x > 0 ? x : alpha * x (alpha taken literally, even > 1 or < 0);
// the gradient at 0 is alpha. One fused pass forward and backward.
Variable leaky_relu(const Variable& x, float alpha = 0.2f);
// x > 0 ? x : alpha * (exp(x) - 1)
Variable elu(const Variable& x, float alpha = 1.0f);
Variable selu(const Variable& x);
// 0.5 x (1 + erf(x / sqrt 2)); approximate: the tanh form.
Variable gelu(const Variable& x, bool approximate = false);
// log(1 + exp(x)) with TensorFlow's thresholds (x itself above ~13.94, exp(x) below ~-13.94).
Variable softplus(const Variable& x);
Variable softsign(const Variable& x);  // x / (1 + |x|)
Variable swish(const Variable& x);     // x * sigmoid(x)
Variable silu(const Variable& x);      // = swish
Variable mish(const Variable& x);      // x * tanh(softplus(x))
// tf.keras 2: clip(0.2 x + 0.5, 0, 1) (Keras 3 changed it to relu6(x + 3) / 6).
Variable hard_sigmoid(const Variable& x);
Variable relu6(const Variable& x);        // min(max(x, 0), 6)
Variable exponential(const Variable& x);  // exp(x)
// Keras's ThresholdedReLU: x * (x > theta), strict, so x == theta gives 0 and x < theta gives +-0.0.
Variable thresholded_relu(const Variable& x, float theta = 1.0f);
// Keras's PReLU: relu(x) - alpha * relu(-x), i.e. x > 0 ? x : alpha * x; alpha broadcasts
// to x's shape (not beyond), and its gradient is summed back to alpha's shape.
Variable prelu(const Variable& x, const Variable& alpha);
// PyTorch's rrelu. training: each element x <= 0 draws its own slope a ~ U(lower, upper)
// (row-major order, from `generator`) and gives a * x, whose gradient uses the same a;
// inference: leaky_relu with the fixed slope (lower + upper) / 2.
Variable rrelu(const Variable& x, float lower = 1.0f / 8.0f, float upper = 1.0f / 3.0f, bool training = false,
               Generator& generator = default_generator());

}  // namespace strata::ops

namespace strata {
Variable operator+(const Variable& a, const Variable& b);
Variable operator-(const Variable& a, const Variable& b);
Variable operator*(const Variable& a, const Variable& b);
Variable operator/(const Variable& a, const Variable& b);
Variable operator-(const Variable& x);
Variable operator+(const Variable& a, float b);
Variable operator-(const Variable& a, float b);
Variable operator*(const Variable& a, float b);
Variable operator/(const Variable& a, float b);
Variable operator+(float a, const Variable& b);
Variable operator-(float a, const Variable& b);
Variable operator*(float a, const Variable& b);
Variable operator/(float a, const Variable& b);
}  // namespace strata

// ---- cross-entropy from logits (autograd/ops/cross_entropy.cpp). Fused and numerically
// stable (log-sum-exp; max(x, 0) - x z + log1p(exp(-|x|))), one pass forward, the gradient
// (softmax - labels, sigmoid - labels) computed in the backward. Labels are constants.
namespace strata::ops {

// tf.nn.sparse_softmax_cross_entropy_with_logits: logits (..., classes); labels hold class
// indices as floats, shaped like logits without the last axis (a trailing 1 is accepted).
// One loss per row. Labels equal to ignore_class give 0 and no gradient; every other label
// must be an integer in [0, classes), else ValueError naming the label and its index.
Variable sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Variable& logits,
                                                  std::optional<int> ignore_class = std::nullopt);
// tf.nn.softmax_cross_entropy_with_logits: labels shaped like logits, one loss per row
// along `axis`: sum(labels * (logsumexp(x) - x)).
Variable softmax_cross_entropy_with_logits(const Tensor& labels, const Variable& logits, int axis = -1);
// tf.nn.sigmoid_cross_entropy_with_logits: element-wise, labels shaped like logits.
Variable sigmoid_cross_entropy_with_logits(const Tensor& labels, const Variable& logits);
// Keras's `_keras_logits`: x when y = softmax(x) over the last axis (op "softmax") or
// y = sigmoid(x) (op "sigmoid"); nullopt when y was made any other way.
std::optional<Variable> logits_of(const Variable& y, std::string_view op);

}  // namespace strata::ops
