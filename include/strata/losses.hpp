// Losses as keras.losses: functions that return one loss per sample, and Loss objects
// (as given to compile) that reduce them to the mean over the batch.
#pragma once

#include <concepts>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/json.hpp"
#include "strata/tensor.hpp"
#include "strata/variable.hpp"

namespace strata::losses {

struct CrossentropyOptions {
  bool from_logits = false;
  float label_smoothing = 0.0f;  // in [0, 1]
  int axis = -1;
};
struct SparseCrossentropyOptions {
  bool from_logits = false;
  int axis = -1;
  std::optional<int> ignore_class = std::nullopt;  // labels of this class give 0 loss
};

// Functions: y_true holds targets (class indices as floats for the sparse form), y_pred
// the predictions; the result has y_pred's shape without the class axis (one per sample).
// y_true must have y_pred's shape (the sparse form: without the class axis, or with a
// class axis of size 1), else a ShapeError naming both shapes; the Loss objects below
// first align a trailing axis of size 1 as Keras does. With from_logits = false, a y_pred
// made by ops::softmax over the last axis (categorical forms) or ops::sigmoid (binary)
// is computed from its logits, as TensorFlow does with `_keras_logits` (numerically
// stable; this also happens when from_logits = true, where Keras only warns); other
// probabilities are clipped to [1e-7, 1 - 1e-7].
Variable sparse_categorical_crossentropy(const Tensor& y_true, const Variable& y_pred,
                                         const SparseCrossentropyOptions& options = {});
// Label smoothing: y_true * (1 - s) + s / classes (classes = the last dimension, as Keras).
Variable categorical_crossentropy(const Tensor& y_true, const Variable& y_pred, const CrossentropyOptions& options = {});
// Element-wise, then the mean over `axis`. Label smoothing: y_true * (1 - s) + s / 2.
Variable binary_crossentropy(const Tensor& y_true, const Variable& y_pred, const CrossentropyOptions& options = {});
// Means over the last axis.
Variable mean_squared_error(const Tensor& y_true, const Variable& y_pred);
Variable mean_absolute_error(const Tensor& y_true, const Variable& y_pred);
// 0.5 e^2 where |e| <= delta, else delta * |e| - 0.5 delta^2 (e = y_pred - y_true).
Variable huber(const Tensor& y_true, const Variable& y_pred, float delta = 1.0f);

// A loss object: operator() is the mean of the per-sample losses (Keras's default
// reduction, sum_over_batch_size).
class Loss {
 public:
  virtual ~Loss() = default;
  Variable operator()(const Tensor& y_true, const Variable& y_pred) const;
  // Per-sample losses.
  virtual Variable call(const Tensor& y_true, const Variable& y_pred) const = 0;
  virtual std::string class_name() const = 0;  // "SparseCategoricalCrossentropy"
  // The snake-case function name Keras uses for this loss ("sparse_categorical_crossentropy").
  virtual std::string function_name() const = 0;
  const std::string& name() const { return name_; }
  // Keras's get_config: reduction, name, then the loss's own keys.
  virtual Json get_config() const = 0;

 protected:
  explicit Loss(std::string name) : name_(std::move(name)) {}
  // How many of the per-sample losses the mean divides by (all, unless some are masked).
  virtual std::size_t valid_count(const Tensor& y_true, const Variable& losses) const;

 private:
  std::string name_;
};

// Options as Keras's constructor arguments. Numbers are doubles so configs show what was
// written (label_smoothing=0.1 -> 0.1, as Python keeps the float).
struct CrossentropyLossOptions {
  bool from_logits = false;
  double label_smoothing = 0.0;
  int axis = -1;
  std::string name{};  // empty: Keras's default name
};
struct SparseCrossentropyLossOptions {
  bool from_logits = false;
  std::optional<int> ignore_class = std::nullopt;  // excluded from the loss and its mean
  std::string name{};
};
struct HuberOptions {
  double delta = 1.0;
  std::string name{};  // default "huber_loss", as Keras
};
struct LossOptions {
  std::string name{};
};

class SparseCategoricalCrossentropy final : public Loss {
 public:
  explicit SparseCategoricalCrossentropy(SparseCrossentropyLossOptions options = {});
  Variable call(const Tensor& y_true, const Variable& y_pred) const override;
  std::string class_name() const override { return "SparseCategoricalCrossentropy"; }
  std::string function_name() const override { return "sparse_categorical_crossentropy"; }
  Json get_config() const override;
  const SparseCrossentropyLossOptions& options() const { return options_; }

 protected:
  std::size_t valid_count(const Tensor& y_true, const Variable& losses) const override;

 private:
  SparseCrossentropyLossOptions options_;
};
class CategoricalCrossentropy final : public Loss {
 public:
  explicit CategoricalCrossentropy(CrossentropyLossOptions options = {});
  Variable call(const Tensor& y_true, const Variable& y_pred) const override;
  std::string class_name() const override { return "CategoricalCrossentropy"; }
  std::string function_name() const override { return "categorical_crossentropy"; }
  Json get_config() const override;
  const CrossentropyLossOptions& options() const { return options_; }

 private:
  CrossentropyLossOptions options_;
};
class BinaryCrossentropy final : public Loss {
 public:
  explicit BinaryCrossentropy(CrossentropyLossOptions options = {});
  Variable call(const Tensor& y_true, const Variable& y_pred) const override;
  std::string class_name() const override { return "BinaryCrossentropy"; }
  std::string function_name() const override { return "binary_crossentropy"; }
  Json get_config() const override;
  const CrossentropyLossOptions& options() const { return options_; }

 private:
  CrossentropyLossOptions options_;
};
class MeanSquaredError final : public Loss {
 public:
  explicit MeanSquaredError(LossOptions options = {});
  Variable call(const Tensor& y_true, const Variable& y_pred) const override;
  std::string class_name() const override { return "MeanSquaredError"; }
  std::string function_name() const override { return "mean_squared_error"; }
  Json get_config() const override;
};
class MeanAbsoluteError final : public Loss {
 public:
  explicit MeanAbsoluteError(LossOptions options = {});
  Variable call(const Tensor& y_true, const Variable& y_pred) const override;
  std::string class_name() const override { return "MeanAbsoluteError"; }
  std::string function_name() const override { return "mean_absolute_error"; }
  Json get_config() const override;
};
class Huber final : public Loss {
 public:
  explicit Huber(HuberOptions options = {});
  Variable call(const Tensor& y_true, const Variable& y_pred) const override;
  std::string class_name() const override { return "Huber"; }
  std::string function_name() const override { return "huber"; }
  Json get_config() const override;
  const HuberOptions& options() const { return options_; }

 private:
  HuberOptions options_;
};

// By Keras name: function names and aliases ("sparse_categorical_crossentropy", "mse",
// "MSE", "mae", "bce", "huber", "huber_loss", ...) give the loss named after the function
// (as compile wraps a function: "mse" -> "mean_squared_error"); class names
// ("SparseCategoricalCrossentropy") give the class with its defaults. An unknown name is
// a ValueError in keras 2.11's words (`Unknown loss function: 'foo'. Please ensure ...`)
// followed by the known names and the closest one.
std::shared_ptr<Loss> get(std::string_view identifier);
// {"class_name": ..., "config": {...}} (a "module" key, as Keras 3 writes, is accepted),
// or a name as for get(). Bad configs are ConfigErrors naming the JSON path.
std::shared_ptr<Loss> deserialize(const Json& config);
// Known names, sorted (for help texts).
std::vector<std::string> names();

}  // namespace strata::losses

namespace strata {

// The `loss=` argument of compile: a name or a Loss object.
class LossArg {
 public:
  LossArg() = default;
  LossArg(const char* name) : name_(name) {}            // NOLINT: Keras-style argument
  LossArg(std::string name) : name_(std::move(name)) {}  // NOLINT
  template <class L>
    requires std::derived_from<std::decay_t<L>, losses::Loss>
  LossArg(L&& loss)  // NOLINT
      : loss_(std::make_shared<std::decay_t<L>>(std::forward<L>(loss))) {}
  template <class L>
    requires std::derived_from<L, losses::Loss>
  LossArg(std::shared_ptr<L> loss) : loss_(std::move(loss)) {}  // NOLINT: shared, as given

  bool empty() const { return name_.empty() && !loss_; }
  // The name as given ("mse"), empty when an object was given; Keras reports it this way.
  const std::string& name() const { return name_; }
  std::shared_ptr<losses::Loss> build() const;

 private:
  std::string name_;
  std::shared_ptr<losses::Loss> loss_;
};

}  // namespace strata
