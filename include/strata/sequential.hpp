// strata::Sequential: a stack of layers, as keras.Sequential. Adding a layer when the
// input shape is known builds it at once and infers its output shape, so shape errors
// name the layer as soon as it is added.
#pragma once

#include <concepts>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/json.hpp"
#include "strata/layers/layer.hpp"
#include "strata/summary.hpp"
#include "strata/training.hpp"
#include "strata/variable.hpp"

namespace strata {

struct SequentialOptions {
  std::string name{};  // empty: "sequential", "sequential_1", ...
};

class Sequential {
 public:
  explicit Sequential(SequentialOptions options = {});
  Sequential(std::vector<std::shared_ptr<layers::Layer>> layers, SequentialOptions options = {});
  Sequential(Sequential&&) noexcept;
  Sequential& operator=(Sequential&&) noexcept;
  ~Sequential();

  const std::string& name() const { return name_; }

  // Adds a layer (moved in, or shared). An InputLayer first only sets the input shape.
  // On any error the model is left as it was.
  template <class L>
    requires std::derived_from<std::decay_t<L>, layers::Layer>
  void add(L&& layer) {
    add(std::shared_ptr<layers::Layer>(std::make_shared<std::decay_t<L>>(std::forward<L>(layer))));
  }
  void add(std::shared_ptr<layers::Layer> layer);
  // Removes the last layer (ValueError when there is none).
  void pop();

  // The layers, without the input layer (as Keras's model.layers).
  const std::vector<std::shared_ptr<layers::Layer>>& layers() const { return layers_; }
  // By name; ValueError listing the existing names otherwise.
  std::shared_ptr<layers::Layer> get_layer(const std::string& name) const;
  std::shared_ptr<layers::Layer> get_layer(std::size_t index) const;

  // Builds every layer for this batch input shape (the batch dimension may be None).
  void build(const TensorShape& batch_input_shape);
  bool built() const { return input_shape_.has_value(); }
  // Shapes with the batch axis (None); ValueError when the model is not built.
  TensorShape input_shape() const;
  TensorShape output_shape() const;

  Variable operator()(const Variable& x, bool training = false);

  std::vector<Variable> weights() const;  // Keras's model.weights: trainable first
  std::vector<Variable> trainable_weights() const;
  std::vector<Variable> non_trainable_weights() const;
  std::size_t count_params() const;
  // Every layer's regularization penalties.
  std::vector<Variable> losses() const;

  void summary(const SummaryOptions& options = {}) const;  // to stdout
  void summary(std::ostream& out, const SummaryOptions& options = {}) const;
  std::string summary_string(const SummaryOptions& options = {}) const;

  // {"name": ..., "layers": [...]} with the input layer first, as tf.keras 2.11 writes it.
  Json get_config() const;
  // tf.keras 2.x's model.to_json(): one line, Python's json.dumps separators.
  std::string to_json() const;

  // --- Training (src/training/) ---
  // Sets the optimizer, loss and metrics (Keras's compile); may be called again.
  void compile(CompileOptions options);
  bool compiled() const { return loss_ != nullptr; }
  // Trains on x (samples on the first axis) and y; see FitOptions. Needs compile.
  History fit(const Tensor& x, const Tensor& y, FitOptions options = {});
  // The loss and metrics over x/y: {"loss": ..., "accuracy": ...}.
  Logs evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options = {});
  // The outputs for x, computed in batches in inference mode. Once the model is built,
  // several threads may predict with it at once (no layer keeps per-call state here).
  Tensor predict(const Tensor& x, const PredictOptions& options = {});
  // One optimizer step on one batch; returns that batch's loss and metrics.
  Logs train_on_batch(const Tensor& x, const Tensor& y);
  const std::shared_ptr<optimizers::Optimizer>& optimizer() const { return optimizer_; }
  const std::shared_ptr<losses::Loss>& loss() const { return loss_; }
  // The loss as given to compile ("sparse_categorical_crossentropy" or a class name).
  const std::string& loss_name() const { return loss_name_; }
  const std::vector<std::shared_ptr<metrics::Metric>>& metrics() const { return metrics_; }
  // Set by a callback to end fit after the current epoch (Keras's model.stop_training).
  bool stop_training = false;
  // Applies every layer's weight constraints (after each optimizer update).
  void apply_constraints();

  // --- Saving (tf.keras 2.x HDF5 layout; src/saving/) ---
  // Weights only (KERAS.md 7.1). Atomic: a temp file in the same folder, then a rename.
  void save_weights(const std::string& path) const;
  // Checks every layer and shape first; on any mismatch throws and changes nothing.
  void load_weights(const std::string& path);
  // Config, weights and (when compiled) the training config, as tf.keras's model.save(".h5").
  void save(const std::string& path) const;

  // The name of the input layer in configs ("<first layer>_input" when made implicitly).
  const std::string& input_layer_name() const { return input_layer_name_; }

 private:
  void check_built(const char* what) const;

  std::string name_;
  std::vector<std::shared_ptr<layers::Layer>> layers_;
  std::vector<TensorShape> output_shapes_;
  std::optional<TensorShape> input_shape_;
  std::shared_ptr<layers::Layer> input_layer_;  // when an InputLayer was added explicitly
  std::string input_layer_name_;
  bool deferred_build_ = false;  // built from a call, not from a known input shape
  std::shared_ptr<optimizers::Optimizer> optimizer_;
  std::shared_ptr<losses::Loss> loss_;
  std::string loss_name_;
  std::vector<MetricArg> metric_args_;
  std::vector<std::shared_ptr<metrics::Metric>> metrics_;
};

// Reads tf.keras 2.x JSON (to_json / model_config) or Keras 3 JSON.
Sequential model_from_json(const std::string& text);
Sequential model_from_config(const Json& json, const std::string& path = "");

// A model saved with Sequential::save (or tf.keras's model.save to .h5), compiled again
// when the file holds a training config.
Sequential load_model(const std::string& path);

// Python json.dumps formatting (", " and ": " separators, ASCII escapes), for Keras files.
std::string dump_python_json(const Json& json);

// The keras_version strata writes into its files.
inline constexpr const char* kKerasVersion = "2.11.0";

}  // namespace strata
