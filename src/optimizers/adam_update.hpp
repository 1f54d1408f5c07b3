// Internal: the Adam step shared by Adam and AdamW (AdamW's decay is the base class's).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "strata/tensor.hpp"

namespace strata::optimizers::detail {

// Keras's dense Adam update_step, in float32 as TF computes it:
//   t = iterations + 1, alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
//   m += (g - m) * (1 - beta_1);  v += (g^2 - v) * (1 - beta_2)
//   amsgrad: vhat = max(vhat, v), used in place of v
//   var -= (m * alpha) / (sqrt(v) + epsilon)
inline void adam_update(Tensor& value, const Tensor& gradient, Tensor* slots, float learning_rate,
                        std::int64_t iterations, double beta_1, double beta_2, double epsilon, bool amsgrad) {
  const float local_step = static_cast<float>(iterations + 1);
  const float beta_1_power = std::pow(static_cast<float>(beta_1), local_step);
  const float beta_2_power = std::pow(static_cast<float>(beta_2), local_step);
  const float alpha = learning_rate * std::sqrt(1.0f - beta_2_power) / (1.0f - beta_1_power);
  // (1 - beta) is a Python float before it meets the tensor.
  const float one_minus_beta_1 = static_cast<float>(1.0 - beta_1);
  const float one_minus_beta_2 = static_cast<float>(1.0 - beta_2);
  const float eps = static_cast<float>(epsilon);
  float* var = value.data();
  const float* g = gradient.data();
  float* m = slots[0].data();
  float* v = slots[1].data();
  const std::size_t n = value.size();
  if (amsgrad) {
    float* vhat = slots[2].data();
    for (std::size_t i = 0; i < n; ++i) {
      m[i] += (g[i] - m[i]) * one_minus_beta_1;
      v[i] += (g[i] * g[i] - v[i]) * one_minus_beta_2;
      vhat[i] = std::max(vhat[i], v[i]);
      var[i] -= (m[i] * alpha) / (std::sqrt(vhat[i]) + eps);
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      m[i] += (g[i] - m[i]) * one_minus_beta_1;
      v[i] += (g[i] * g[i] - v[i]) * one_minus_beta_2;
      var[i] -= (m[i] * alpha) / (std::sqrt(v[i]) + eps);
    }
  }
}

}  // namespace strata::optimizers::detail
