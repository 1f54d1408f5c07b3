// The Optimizer base: argument checks, one apply_gradients step (validation, gradient
// clipping, weight decay, per-variable state, EMA of the weights) and the common config.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "optimizer_config.hpp"
#include "strata/error.hpp"
#include "strata/optimizers.hpp"

namespace strata::optimizers {

Optimizer::Optimizer(std::string default_name, LearningRate learning_rate, OptimizerBaseOptions options)
    : base_(std::move(options)), learning_rate_(std::move(learning_rate)) {
  if (base_.name.empty()) base_.name = std::move(default_name);
  // Keras's _BaseOptimizer.__init__ checks, in its order and words.
  if (base_.use_ema) {
    if (base_.ema_momentum > 1 || base_.ema_momentum < 0)
      throw ValueError(fmt::format("`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={}",
                                   detail::py_float(base_.ema_momentum)));
    if (base_.ema_overwrite_frequency && *base_.ema_overwrite_frequency < 1)
      throw ValueError(fmt::format(
          "`ema_overwrite_frequency` must be an integer > 1 or None. Received: ema_overwrite_frequency={}",
          *base_.ema_overwrite_frequency));
  }
  if (base_.clipnorm && base_.global_clipnorm)
    throw ValueError(fmt::format(
        "At most one of `clipnorm` and `global_clipnorm` can be set. Received: clipnorm={}, global_clipnorm={}.",
        detail::py_float(*base_.clipnorm), detail::py_float(*base_.global_clipnorm)));
}

Optimizer::~Optimizer() = default;

Optimizer::VariableState& Optimizer::state_for(const Variable& variable) {
  const auto& node = variable.node();
  auto [it, inserted] = states_.try_emplace(node.get());
  VariableState& state = it->second;
  // A live owner at this address is this variable; an expired one was destroyed.
  const bool stale = !inserted && state.owner.expired();
  if (inserted || stale || (!state.slots.empty() && state.slots[0].size() != variable.size())) {
    if (inserted) {
      // A new variable: drop the state of variables that no longer exist.
      std::erase_if(states_, [](const auto& entry) { return entry.second.owner.expired() && !entry.second.slots.empty(); });
      it = states_.find(node.get());
    }
    VariableState& fresh = it->second;
    fresh.owner = node;
    fresh.slots.clear();
    for (std::size_t k = 0; k < slot_count(); ++k)
      fresh.slots.push_back(Tensor::full(variable.shape(), slot_initial_value(k)));
    fresh.average = base_.use_ema ? variable.value() : Tensor();
    return fresh;
  }
  return state;
}

// Keras's _clip_gradients: clipnorm, else global_clipnorm, else clipvalue (one of them,
// each only when > 0). The results go to buffers kept between steps.
const std::vector<Tensor>& Optimizer::clip(const std::vector<Tensor>& gradients) {
  const bool by_norm = base_.clipnorm && *base_.clipnorm > 0;
  const bool by_global_norm = !by_norm && base_.global_clipnorm && *base_.global_clipnorm > 0;
  const bool by_value = !by_norm && !by_global_norm && base_.clipvalue && *base_.clipvalue > 0;
  if (!by_norm && !by_global_norm && !by_value) return gradients;

  clipped_.resize(gradients.size());
  float global_scale = 1.0f;
  if (by_global_norm) {
    // tf.clip_by_global_norm: t * clip_norm * min(1 / global_norm, 1 / clip_norm); an
    // infinite or NaN norm makes every entry NaN, as in TF.
    double sum = 0.0;
    for (const Tensor& g : gradients)
      for (float x : g) sum += static_cast<double>(x) * x;
    const float clip_norm = static_cast<float>(*base_.global_clipnorm);
    const float norm = static_cast<float>(std::sqrt(sum));
    global_scale = clip_norm * std::min(1.0f / norm, 1.0f / clip_norm);
    if (!std::isfinite(norm)) global_scale = std::numeric_limits<float>::quiet_NaN();
  }
  for (std::size_t i = 0; i < gradients.size(); ++i) {
    const Tensor& g = gradients[i];
    Tensor& out = clipped_[i];
    if (out.shape() != g.shape()) out = Tensor::empty(g.shape());
    const float* in = g.data();
    float* o = out.data();
    const std::size_t n = g.size();
    if (by_norm) {
      // tf.clip_by_norm: t * clip_norm / max(l2norm(t), clip_norm).
      double sum = 0.0;
      for (std::size_t j = 0; j < n; ++j) sum += static_cast<double>(in[j]) * in[j];
      const float clip_norm = static_cast<float>(*base_.clipnorm);
      const float denominator = std::max(static_cast<float>(std::sqrt(sum)), clip_norm);
      for (std::size_t j = 0; j < n; ++j) o[j] = in[j] * clip_norm / denominator;
    } else if (by_global_norm) {
      for (std::size_t j = 0; j < n; ++j) o[j] = in[j] * global_scale;
    } else {
      // tf.clip_by_value; NaN stays NaN.
      const float hi = static_cast<float>(*base_.clipvalue);
      const float lo = -hi;
      for (std::size_t j = 0; j < n; ++j) o[j] = in[j] < lo ? lo : (in[j] > hi ? hi : in[j]);
    }
  }
  return clipped_;
}

void Optimizer::apply_gradients(const std::vector<Tensor>& gradients, const std::vector<Variable>& variables) {
  // Everything is checked before anything changes.
  if (gradients.size() != variables.size())
    throw ValueError(fmt::format("{}.apply_gradients: got {} gradients for {} variables; pass one gradient per variable.",
                                 class_name(), gradients.size(), variables.size()));
  for (std::size_t i = 0; i < variables.size(); ++i)
    if (gradients[i].shape() != variables[i].shape())
      throw ValueError(fmt::format("{}.apply_gradients: the gradient for variable '{}' (index {}) has shape {}, but the "
                                   "variable has shape {}.",
                                   class_name(), variables[i].name(), i, shape_to_string(gradients[i].shape()),
                                   shape_to_string(variables[i].shape())));
  if (variables.empty()) return;  // Keras: a no-op that leaves iterations unchanged

  const Step step{learning_rate_.at(iterations_), iterations_};
  step_states_.clear();
  for (const Variable& v : variables) step_states_.push_back(&state_for(v));

  const std::vector<Tensor>& grads = clip(gradients);

  // Keras's _apply_weight_decay, before the updates: var -= var * wd * lr.
  if (base_.weight_decay) {
    const float wd = static_cast<float>(*base_.weight_decay);
    for (const Variable& v : variables) {
      Tensor& value = const_cast<Variable&>(v).value();
      for (float& x : value) x -= x * wd * step.learning_rate;
    }
  }

  for (std::size_t i = 0; i < variables.size(); ++i)
    update_step(const_cast<Variable&>(variables[i]).value(), grads[i], step_states_[i]->slots.data(), step);

  if (base_.use_ema) {
    const float momentum = static_cast<float>(base_.ema_momentum);
    const float rest = static_cast<float>(1.0 - base_.ema_momentum);
    for (std::size_t i = 0; i < variables.size(); ++i) {
      const Tensor& value = variables[i].value();
      Tensor& average = step_states_[i]->average;
      for (std::size_t j = 0; j < value.size(); ++j) average[j] = momentum * average[j] + rest * value[j];
    }
    // Keras overwrites the weights with their averages every ema_overwrite_frequency steps.
    if (base_.ema_overwrite_frequency && (iterations_ + 1) % *base_.ema_overwrite_frequency == 0)
      for (std::size_t i = 0; i < variables.size(); ++i)
        const_cast<Variable&>(variables[i]).value() = step_states_[i]->average;
  }
  ++iterations_;
}

void Optimizer::finalize_variable_values(const std::vector<Variable>& variables) const {
  if (!base_.use_ema) return;
  for (const Variable& v : variables) {
    auto it = states_.find(v.node().get());
    if (it == states_.end() || it->second.owner.lock() != v.node()) continue;
    const_cast<Variable&>(v).value() = it->second.average;
  }
}

Json Optimizer::base_config() const {
  Json config = Json::object();
  config["name"] = base_.name;
  config["weight_decay"] = detail::optional_json(base_.weight_decay);
  config["clipnorm"] = detail::optional_json(base_.clipnorm);
  config["global_clipnorm"] = detail::optional_json(base_.global_clipnorm);
  config["clipvalue"] = detail::optional_json(base_.clipvalue);
  config["use_ema"] = base_.use_ema;
  config["ema_momentum"] = base_.ema_momentum;
  config["ema_overwrite_frequency"] =
      base_.ema_overwrite_frequency ? Json(*base_.ema_overwrite_frequency) : Json(nullptr);
  config["jit_compile"] = false;  // Keras turns XLA off without a GPU
  config["is_legacy_optimizer"] = false;
  return config;
}

}  // namespace strata::optimizers
