// strata::Layer: the base of every Keras layer. A layer owns its weights (Variables named
// like Keras's `conv2d/kernel:0`), builds them from the first input shape it sees, and
// turns its options into Keras's get_config() and back (see layers/registry.hpp).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "strata/fused_ops.hpp"
#include "strata/json.hpp"
#include "strata/variable.hpp"

namespace strata {

class Initializer;
class Regularizer;
class Constraint;

// A Keras shape: dimensions may be unknown (None), usually the batch axis.
using Dim = std::optional<std::size_t>;
using TensorShape = std::vector<Dim>;
// Python's repr of the shape tuple: "(None, 26, 26, 32)", "(None,)".
std::string to_string(const TensorShape& shape);
// The concrete shape of a tensor as a TensorShape, and back (unknown dims refused).
TensorShape to_tensor_shape(const Shape& shape);

namespace layers {

// A 2-d size argument that, as in Keras, takes one number for both axes or a pair:
// `.kernel_size = 3` or `.kernel_size = {3, 5}`.
struct Size2 {
  Size2(std::size_t both) : h(both), w(both) {}  // NOLINT(google-explicit-constructor)
  Size2(std::size_t h, std::size_t w) : h(h), w(w) {}
  std::size_t h, w;
  bool operator==(const Size2&) const = default;
};

// Options every layer accepts (Keras's base Layer kwargs). Each options struct ends with
// these members, so designated initializers read `{.filters = 32, .input_shape = {28, 28, 1}}`.
#define STRATA_LAYER_COMMON_OPTIONS                                                         \
  /* shape of one sample, without the batch axis (Keras's input_shape) */                  \
  ::strata::TensorShape input_shape{};                                                      \
  /* full shape with the batch axis, e.g. {std::nullopt, 28, 28, 1} */                      \
  ::strata::TensorShape batch_input_shape{};                                                \
  /* empty: a Keras default name such as conv2d_1 */                                        \
  std::string name{};                                                                       \
  bool trainable = true;                                                                    \
  std::string dtype = "float32";

struct CommonLayerOptions {
  STRATA_LAYER_COMMON_OPTIONS
};

// Copies the common members out of any layer options struct.
template <class Options>
CommonLayerOptions common_options(const Options& o) {
  return CommonLayerOptions{o.input_shape, o.batch_input_shape, o.name, o.trainable, o.dtype};
}

class Layer {
 public:
  virtual ~Layer();
  // Layers move (so `model.add(Dense({...}))` and `.activation = LeakyReLU()` work) but do
  // not copy: a copy would silently share weights.
  Layer(Layer&&) = default;
  Layer& operator=(Layer&&) = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  // Keras's class name, e.g. "LeakyReLU".
  virtual std::string class_name() const = 0;
  const std::string& name() const { return name_; }

  bool built() const { return built_; }
  // Creates the weights for this input shape (batch axis included); once only.
  void build(const TensorShape& input_shape);
  const std::optional<TensorShape>& build_input_shape() const { return build_input_shape_; }
  // The batch input shape given through input_shape / batch_input_shape, if any.
  const std::optional<TensorShape>& batch_input_shape() const { return batch_input_shape_; }

  // Applies the layer, building it from x's shape on first use.
  Variable operator()(const Variable& x, bool training = false);

  // This layer and the first layers of `next`, as many as this layer's op can take in
  // after its own computation (a Conv2D followed by a ReLU or LeakyReLU, then a
  // MaxPooling2D), run as one op: the last taken layer's output and how many of `next`
  // were taken, with the values and gradients of calling them in turn (the kernel and
  // bias sums may add in another order), minus their passes over memory. Nothing when
  // none is taken: the caller then calls them. All must be built. Sequential tries it at
  // each layer.
  struct Fused {
    Variable output;
    std::size_t layers;
  };
  std::optional<Fused> call_fused(const Variable& x, bool training, std::span<const std::shared_ptr<Layer>> next);
  // The activation this layer computes, when a preceding layer's op may apply it instead
  // (see call_fused); nothing by default.
  virtual std::optional<ops::FusedActivation> fused_activation() const { return std::nullopt; }
  // Likewise the max pooling this layer computes; nothing by default.
  virtual std::optional<ops::Pool2DOptions> fused_max_pool() const { return std::nullopt; }
  virtual TensorShape compute_output_shape(const TensorShape& input_shape) const;

  // Keras's get_config(): base keys (name, trainable, dtype, batch_input_shape when given)
  // then the layer's own keys (add_config), in Keras's order. Virtual so a user layer may
  // also extend it the Keras way (`Json c = Layer::get_config(); c["k"] = ...;`) and still
  // be written by layers::serialize and Sequential::to_json, which hold a Layer&.
  virtual Json get_config() const;

  // Weights in Keras's order: trainable first, then non-trainable.
  std::vector<Variable> weights() const;
  std::vector<Variable> trainable_weights() const;
  std::vector<Variable> non_trainable_weights() const;
  std::size_t count_params() const;
  bool trainable() const { return trainable_; }
  void set_trainable(bool trainable);

  // Regularization penalties (weight regularizers and the last call's activity
  // regularizer), as differentiable scalars.
  std::vector<Variable> losses() const;
  // Projects each weight that has a constraint (after an optimizer step).
  void apply_constraints();

  // Layers used inside this one (e.g. an activation layer passed as `activation=`):
  // their weights count as this layer's, as in Keras.
  virtual std::vector<std::shared_ptr<Layer>> sublayers() const { return {}; }

 protected:
  // snake_name: Keras's default name stem (to_snake_case of the class name).
  Layer(const std::string& snake_name, const CommonLayerOptions& options);

  virtual void build_weights(const TensorShape& input_shape);
  virtual Variable call(const Variable& x, bool training) = 0;
  // What call_fused asks a layer's op to take in after its own computation.
  struct FusedTail {
    ops::FusedActivation activation;
    std::optional<ops::Pool2DOptions> max_pool;
  };
  // call() followed by `tail` inside this layer's op (call_fused); nothing, when the layer
  // cannot, by default.
  virtual std::optional<Variable> call_with_tail(const Variable& x, bool training, const FusedTail& tail);
  // The layer's own config keys, appended after the base keys.
  virtual void add_config(Json& config) const;

  // Creates a weight named `<layer>/<name>:0` with the initializer's values.
  Variable add_weight(const std::string& name, const Shape& shape, const Initializer& initializer,
                      std::shared_ptr<const Regularizer> regularizer = nullptr,
                      std::shared_ptr<const Constraint> constraint = nullptr, bool trainable = true);
  // Records an activity-regularization penalty for the current call.
  void add_loss(Variable penalty);
  // Adds regularizer(output) / batch size, as Keras's _handle_activity_regularization;
  // does nothing without a regularizer.
  void add_activity_loss(const std::shared_ptr<const Regularizer>& regularizer, const Variable& output);
  void clear_call_losses() { call_losses_.clear(); }
  // ShapeError `Input 0 of layer "<name>" is incompatible with the layer: <message>`.
  [[noreturn]] void incompatible_input(const std::string& message) const;

 private:
  struct Weight {
    Variable variable;
    std::shared_ptr<const Regularizer> regularizer;
    std::shared_ptr<const Constraint> constraint;
    bool trainable_intent = true;  // false for statistics such as a moving mean
  };
  std::string name_;
  bool trainable_ = true;
  std::string dtype_;
  bool built_ = false;
  std::optional<TensorShape> batch_input_shape_;
  std::optional<TensorShape> build_input_shape_;
  std::vector<Weight> weights_;
  std::vector<Variable> call_losses_;
};

// While one is alive on a thread, layer calls on that thread keep no per-call state (the
// last call's activity-regularization losses), so several threads may run one built model
// at once. Sequential::predict opens one; fit and evaluate, which add those losses to the
// loss, do not.
class InferenceScope {
 public:
  InferenceScope();
  ~InferenceScope();
  InferenceScope(const InferenceScope&) = delete;
  InferenceScope& operator=(const InferenceScope&) = delete;

 private:
  bool outer_;
};

// The most elements one weight may have (default 2^31, 8 GiB of float32). Building a layer
// whose weight would be larger is a ConfigError before anything is allocated, so a hostile
// config (filters = 10^12) cannot exhaust memory. Lower it to load untrusted models.
std::size_t max_weight_elements();
void set_max_weight_elements(std::size_t elements);

// Keras's to_snake_case: "LeakyReLU" -> "leaky_re_lu", "Conv2D" -> "conv2d".
std::string to_snake_case(const std::string& class_name);
// A process-wide unique default name: "conv2d", then "conv2d_1", ... (zero-based, one
// counter per stem, as tf.keras's backend.unique_object_name).
std::string unique_object_name(const std::string& stem);

}  // namespace layers

namespace backend {
// Resets the default-name counters (tf.keras.backend.clear_session).
void clear_session();
}  // namespace backend

}  // namespace strata
