// Optimizers as keras.optimizers (tf.keras 2.11's optimizers): SGD, Adam, AdamW, RMSprop,
// Adagrad, with Keras's defaults, names and get_config; learning-rate schedules; gradient
// clipping (clipnorm, clipvalue, global_clipnorm), weight decay and EMA of the weights.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "strata/json.hpp"
#include "strata/tensor.hpp"
#include "strata/variable.hpp"

namespace strata::optimizers {

// keras.optimizers.schedules: the learning rate as a function of the step (iterations).
class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule() = default;
  virtual float operator()(std::int64_t step) const = 0;
  virtual std::string class_name() const = 0;
  virtual Json get_config() const = 0;
};

// initial_learning_rate * decay_rate ^ (step / decay_steps), the exponent floored when
// staircase. Numbers are kept as the Python floats Keras's get_config writes back.
struct ExponentialDecayOptions {
  double initial_learning_rate = 0.0;
  std::int64_t decay_steps = 0;  // > 0
  double decay_rate = 0.0;
  bool staircase = false;
  std::string name{};  // empty: None
};
class ExponentialDecay final : public LearningRateSchedule {
 public:
  explicit ExponentialDecay(ExponentialDecayOptions options);
  float operator()(std::int64_t step) const override;
  std::string class_name() const override { return "ExponentialDecay"; }
  Json get_config() const override;
  const ExponentialDecayOptions& options() const { return options_; }

 private:
  ExponentialDecayOptions options_;
};

// values[0] while step <= boundaries[0], values[1] while step <= boundaries[1], ...,
// values.back() after the last boundary. values has one more entry than boundaries.
struct PiecewiseConstantDecayOptions {
  std::vector<std::int64_t> boundaries{};
  std::vector<double> values{};
  std::string name{};  // empty: None
};
class PiecewiseConstantDecay final : public LearningRateSchedule {
 public:
  explicit PiecewiseConstantDecay(PiecewiseConstantDecayOptions options);
  float operator()(std::int64_t step) const override;
  std::string class_name() const override { return "PiecewiseConstantDecay"; }
  Json get_config() const override;
  const PiecewiseConstantDecayOptions& options() const { return options_; }

 private:
  PiecewiseConstantDecayOptions options_;
};

namespace schedules {
// keras.optimizers.schedules.serialize: {"class_name": ..., "config": ...}.
Json serialize(const LearningRateSchedule& schedule);
// Reads tf.keras 2.x and Keras 3 ({"module", "registered_name"}) forms.
std::shared_ptr<const LearningRateSchedule> deserialize(const Json& config);
}  // namespace schedules

// A learning rate argument: a number or a schedule.
class LearningRate {
 public:
  LearningRate(double value) : value_(static_cast<float>(value)) {}  // NOLINT: Keras-style argument
  template <class S>
    requires std::derived_from<std::decay_t<S>, LearningRateSchedule>
  LearningRate(S&& schedule)  // NOLINT
      : schedule_(std::make_shared<std::decay_t<S>>(std::forward<S>(schedule))) {}
  LearningRate(std::shared_ptr<const LearningRateSchedule> schedule);  // NOLINT

  float at(std::int64_t step) const { return schedule_ ? (*schedule_)(step) : value_; }
  const std::shared_ptr<const LearningRateSchedule>& schedule() const { return schedule_; }
  // The number (as Keras writes a float32: 0.0010000000474974513) or the schedule's
  // {"class_name": ..., "config": ...}.
  Json to_config() const;

 private:
  float value_ = 0.0f;  // Keras keeps a number in a float32 variable
  std::shared_ptr<const LearningRateSchedule> schedule_;
};

// The keyword arguments every optimizer shares, in Keras's order (last in each options
// struct, as Keras's kwargs). jit_compile is not an option: Keras turns it off without a
// GPU and writes false, and so does strata.
#define STRATA_OPTIMIZER_BASE_OPTIONS                                     \
  std::optional<double> clipnorm = std::nullopt;                          \
  std::optional<double> clipvalue = std::nullopt;                         \
  std::optional<double> global_clipnorm = std::nullopt;                   \
  bool use_ema = false;                                                   \
  double ema_momentum = 0.99;                                             \
  std::optional<std::int64_t> ema_overwrite_frequency = std::nullopt;     \
  std::string name {}
// weight_decay=None first, except in AdamW where it is its own argument (0.004).
#define STRATA_OPTIMIZER_COMMON_OPTIONS              \
  std::optional<double> weight_decay = std::nullopt; \
  STRATA_OPTIMIZER_BASE_OPTIONS

// What the base class keeps of those options.
struct OptimizerBaseOptions {
  std::optional<double> weight_decay, clipnorm, clipvalue, global_clipnorm;
  bool use_ema = false;
  double ema_momentum = 0.99;
  std::optional<std::int64_t> ema_overwrite_frequency;
  std::string name;
};

class Optimizer {
 public:
  virtual ~Optimizer();

  // One step, as Keras's apply_gradients: clips the gradients, applies weight decay
  // (var -= var * weight_decay * lr), updates every variable in place (per-variable state
  // such as Adam's moments is kept by variable identity and created on first use), updates
  // the EMA of the weights, then iterations += 1. gradients[i] belongs to variables[i]; a
  // count or shape mismatch is a ValueError naming the variable, and nothing is updated.
  // An empty list is a no-op (iterations unchanged), as in Keras.
  void apply_gradients(const std::vector<Tensor>& gradients, const std::vector<Variable>& variables);
  // With use_ema: overwrites each variable with its moving average (Keras calls this at
  // the end of fit). Otherwise does nothing.
  void finalize_variable_values(const std::vector<Variable>& variables) const;

  std::int64_t iterations() const { return iterations_; }
  // The rate of the next step (a schedule evaluated at iterations()).
  float learning_rate() const { return learning_rate_.at(iterations_); }
  // Replaces the rate (a number replaces a schedule too); used by the LR callbacks.
  void set_learning_rate(float value) { learning_rate_ = LearningRate(value); }
  // Replaces the rate with a number or a schedule.
  void set_learning_rate(LearningRate rate) { learning_rate_ = std::move(rate); }
  const LearningRate& learning_rate_arg() const { return learning_rate_; }

  const std::string& name() const { return base_.name; }
  const OptimizerBaseOptions& base_options() const { return base_; }
  virtual std::string class_name() const = 0;
  // Keras's optimizer.get_config(): name, the common keys, learning_rate, then its own.
  virtual Json get_config() const = 0;
  // A fresh optimizer with the same configuration and no state.
  virtual std::shared_ptr<Optimizer> clone() const = 0;

 protected:
  // Validates the common options as Keras does (clipnorm with global_clipnorm, EMA ranges).
  Optimizer(std::string default_name, LearningRate learning_rate, OptimizerBaseOptions options);
  Optimizer(const Optimizer&) = default;
  Optimizer(Optimizer&&) = default;
  Optimizer& operator=(const Optimizer&) = default;
  Optimizer& operator=(Optimizer&&) = default;

  // What update_step sees of the current step.
  struct Step {
    float learning_rate;
    std::int64_t iterations;  // before this step (Keras's self.iterations in update_step)
  };
  // Number of state tensors per variable (Keras's slot variables, e.g. Adam's m and v),
  // each shaped like the variable and filled with slot_initial_value(k) on first use.
  virtual std::size_t slot_count() const = 0;
  virtual float slot_initial_value(std::size_t /*slot*/) const { return 0.0f; }
  // Updates one variable in place; `slots` points at slot_count() tensors.
  virtual void update_step(Tensor& value, const Tensor& gradient, Tensor* slots, const Step& step) = 0;
  // The common config keys in Keras's order, for get_config implementations.
  Json base_config() const;

 private:
  struct VariableState {
    std::weak_ptr<autograd::Node> owner;  // detects a new variable at a reused address
    std::vector<Tensor> slots;
    Tensor average;  // the EMA of the variable, with use_ema
  };
  VariableState& state_for(const Variable& variable);
  const std::vector<Tensor>& clip(const std::vector<Tensor>& gradients);

  OptimizerBaseOptions base_;
  LearningRate learning_rate_;
  std::int64_t iterations_ = 0;
  std::unordered_map<const autograd::Node*, VariableState> states_;
  // Reused between steps so a step allocates nothing once shapes are known.
  std::vector<Tensor> clipped_;
  std::vector<VariableState*> step_states_;
};

struct SGDOptions {
  LearningRate learning_rate = 0.01;
  double momentum = 0.0;  // in [0, 1]
  bool nesterov = false;
  STRATA_OPTIMIZER_COMMON_OPTIONS;
};
struct AdamOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
  STRATA_OPTIMIZER_COMMON_OPTIONS;
};
struct AdamWOptions {
  LearningRate learning_rate = 0.001;
  double weight_decay = 0.004;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
  STRATA_OPTIMIZER_BASE_OPTIONS;
};
struct RMSpropOptions {
  LearningRate learning_rate = 0.001;
  double rho = 0.9;
  double momentum = 0.0;
  double epsilon = 1e-7;
  bool centered = false;
  STRATA_OPTIMIZER_COMMON_OPTIONS;
};
struct AdagradOptions {
  LearningRate learning_rate = 0.001;
  double initial_accumulator_value = 0.1;
  double epsilon = 1e-7;
  STRATA_OPTIMIZER_COMMON_OPTIONS;
};

// Each optimizer lives in src/optimizers/<name>.cpp; declared here so users need one include.
#define STRATA_DECLARE_OPTIMIZER(Class)                                                         \
  class Class final : public Optimizer {                                                        \
   public:                                                                                      \
    explicit Class(Class##Options options = {});                                                \
    /* Keras's from_config: the "config" part of a serialized optimizer. */                     \
    static std::shared_ptr<Class> from_config(const Json& config);                              \
    std::string class_name() const override { return #Class; }                                 \
    Json get_config() const override;                                                           \
    std::shared_ptr<Optimizer> clone() const override;                                          \
    const Class##Options& options() const { return options_; }                                  \
                                                                                                \
   protected:                                                                                   \
    std::size_t slot_count() const override;                                                    \
    void update_step(Tensor& value, const Tensor& gradient, Tensor* slots, const Step& step) override; \
                                                                                                \
   private:                                                                                     \
    Class##Options options_;                                                                    \
  }

STRATA_DECLARE_OPTIMIZER(SGD);
STRATA_DECLARE_OPTIMIZER(Adam);
STRATA_DECLARE_OPTIMIZER(AdamW);
STRATA_DECLARE_OPTIMIZER(RMSprop);
class Adagrad final : public Optimizer {
 public:
  explicit Adagrad(AdagradOptions options = {});
  static std::shared_ptr<Adagrad> from_config(const Json& config);
  std::string class_name() const override { return "Adagrad"; }
  Json get_config() const override;
  std::shared_ptr<Optimizer> clone() const override;
  const AdagradOptions& options() const { return options_; }

 protected:
  std::size_t slot_count() const override { return 1; }
  // The accumulator starts at initial_accumulator_value.
  float slot_initial_value(std::size_t) const override { return static_cast<float>(options_.initial_accumulator_value); }
  void update_step(Tensor& value, const Tensor& gradient, Tensor* slots, const Step& step) override;

 private:
  AdagradOptions options_;
};
#undef STRATA_DECLARE_OPTIMIZER

// By Keras name ("sgd", "adam", "adamw", "rmsprop", "adagrad", case-insensitive as Keras)
// with default arguments; an unknown name is a ValueError in Keras's words.
std::shared_ptr<Optimizer> get(std::string_view identifier);
// {"class_name": "Adam", "config": {...}}: tf.keras 2.x (also "Custom>Adam", and legacy
// configs with "lr"/"decay") and Keras 3 ({"module", "registered_name"}) forms.
std::shared_ptr<Optimizer> deserialize(const Json& config);
// {"class_name": "Adam", "config": optimizer.get_config()}, as tf.keras 2.11 writes it.
Json serialize(const Optimizer& optimizer);

}  // namespace strata::optimizers

namespace strata {

// The `optimizer=` argument of compile: a name or an optimizer object.
class OptimizerArg {
 public:
  OptimizerArg(const char* name) : name_(name) {}         // NOLINT: Keras-style argument
  OptimizerArg(std::string name) : name_(std::move(name)) {}  // NOLINT
  template <class O>
    requires std::derived_from<std::decay_t<O>, optimizers::Optimizer>
  OptimizerArg(O&& optimizer)  // NOLINT
      : optimizer_(std::make_shared<std::decay_t<O>>(std::forward<O>(optimizer))) {}
  OptimizerArg(std::shared_ptr<optimizers::Optimizer> optimizer) : optimizer_(std::move(optimizer)) {}  // NOLINT

  // The optimizer: the object given, or a new one made from the name.
  std::shared_ptr<optimizers::Optimizer> build() const;

 private:
  std::string name_;
  std::shared_ptr<optimizers::Optimizer> optimizer_;
};

}  // namespace strata
