// Metrics as keras.metrics: stateful objects that accumulate over batches (update_state,
// result, reset_state). Sums are kept in double so the result does not depend on the
// batch size.
#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/json.hpp"
#include "strata/tensor.hpp"

namespace strata::losses {
class Loss;
}

namespace strata::metrics {

class Metric {
 public:
  virtual ~Metric() = default;
  // Accumulates one batch.
  virtual void update_state(const Tensor& y_true, const Tensor& y_pred) = 0;
  virtual double result() const = 0;
  virtual void reset_state() = 0;
  virtual std::string class_name() const = 0;
  virtual Json get_config() const;  // {"name": ..., "dtype": "float32"} plus own keys
  // A fresh metric with the same configuration and no state.
  virtual std::shared_ptr<Metric> clone() const = 0;
  const std::string& name() const { return name_; }

 protected:
  explicit Metric(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
};

// The weighted mean of values (fit reports the loss through one).
class Mean final : public Metric {
 public:
  explicit Mean(std::string name = "mean") : Metric(std::move(name)) {}
  void update_state(double value, double weight = 1.0);
  void update_state(const Tensor& values, const Tensor& /*unused*/) override;
  double result() const override { return weight_ > 0 ? total_ / weight_ : 0.0; }
  void reset_state() override { total_ = weight_ = 0.0; }
  std::string class_name() const override { return "Mean"; }
  std::shared_ptr<Metric> clone() const override { return std::make_shared<Mean>(name()); }

 private:
  double total_ = 0.0, weight_ = 0.0;
};

// The per-sample functions of keras.metrics (2.11), on plain tensors (y_true first, class
// indices as floats for the sparse form). Shapes that cannot be matched are ShapeErrors.
// accuracy: 1 where y_pred == y_true exactly, element-wise.
Tensor accuracy(const Tensor& y_true, const Tensor& y_pred);
// binary_matches: 1 where (y_pred > threshold) == y_true, element-wise.
Tensor binary_matches(const Tensor& y_true, const Tensor& y_pred, double threshold = 0.5);
// binary_accuracy: binary_matches averaged over the last axis (one value per sample).
Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold = 0.5);
// 1 where argmax(y_true) == argmax(y_pred) over the last axis (ties: the first index).
Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);
// 1 where y_true == argmax(y_pred) over the last axis; y_true (n) or (n, 1) for y_pred (n, c).
Tensor sparse_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);

// Keras's MeanMetricWrapper: the mean over all samples seen of a per-sample function.
// This is what compile makes of names such as "mse", "binary_accuracy" and "accuracy".
class MeanMetricWrapper final : public Metric {
 public:
  using Function = std::function<Tensor(const Tensor& y_true, const Tensor& y_pred)>;
  // fn_name is the function's Keras name, written as "fn" in the config.
  MeanMetricWrapper(std::string name, std::string fn_name, Function fn, std::string class_name = "MeanMetricWrapper");
  // Adds fn(y_true, y_pred)'s values to the running mean. fn sees the tensors as given;
  // the functions get() wraps first align them as Keras does (a trailing axis of size 1
  // on the longer of the two is dropped).
  void update_state(const Tensor& y_true, const Tensor& y_pred) override;
  double result() const override { return count_ > 0 ? total_ / count_ : 0.0; }
  void reset_state() override { total_ = count_ = 0.0; }
  std::string class_name() const override { return class_name_; }
  Json get_config() const override;
  std::shared_ptr<Metric> clone() const override;

 private:
  std::string fn_name_, class_name_;
  Function fn_;
  double total_ = 0.0, count_ = 0.0;
};

struct MetricOptions {
  std::string name{};  // empty: Keras's default name
};
struct BinaryAccuracyOptions {
  double threshold = 0.5;  // a double so the config shows what was written (0.7, not 0.699999988)
  std::string name{};
};

// The accuracies: the mean over samples of a per-sample match.
#define STRATA_DECLARE_MEAN_METRIC(Class, Options)                                      \
  class Class final : public Metric {                                                   \
   public:                                                                              \
    explicit Class(Options options = {});                                               \
    void update_state(const Tensor& y_true, const Tensor& y_pred) override;             \
    double result() const override { return count_ > 0 ? total_ / count_ : 0.0; }       \
    void reset_state() override { total_ = count_ = 0.0; }                              \
    std::string class_name() const override { return #Class; }                         \
    Json get_config() const override;                                                   \
    std::shared_ptr<Metric> clone() const override;                                     \
                                                                                        \
   private:                                                                             \
    Options options_;                                                                   \
    double total_ = 0.0, count_ = 0.0;                                                  \
  }

STRATA_DECLARE_MEAN_METRIC(Accuracy, MetricOptions);                  // accuracy(), element-wise
STRATA_DECLARE_MEAN_METRIC(BinaryAccuracy, BinaryAccuracyOptions);    // binary_matches(), element-wise
STRATA_DECLARE_MEAN_METRIC(CategoricalAccuracy, MetricOptions);       // argmax == argmax, per sample
STRATA_DECLARE_MEAN_METRIC(SparseCategoricalAccuracy, MetricOptions); // argmax == label, per sample
#undef STRATA_DECLARE_MEAN_METRIC

// By Keras name, as compile resolves `metrics=` (keras 2.11 compile_utils), keeping the
// name the user wrote so the logs show it ("accuracy", "acc", "mse").
// - "accuracy" / "acc" (any case) and "crossentropy" / "ce": decided from the shapes of
//   each batch as Keras does from the first: y_pred's last dimension 1 → binary_accuracy
//   (binary_crossentropy); y_true of lower rank, or y_true ending in 1 while y_pred does
//   not → sparse_categorical_accuracy (…crossentropy); otherwise categorical. Keras 2.11
//   looks at the shapes, not the loss: `loss` is accepted for callers that have one and
//   does not change the choice.
// - function names ("binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
//   "mse"/"MSE"/"mean_squared_error", "mae"/"MAE"/"mean_absolute_error", and the three
//   crossentropies) → a MeanMetricWrapper of that function.
// - class names ("Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
//   "SparseCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError") → the class with
//   its default name.
// Unknown names are a ValueError in keras 2.11's words (`Unknown metric function: 'foo'. ...`).
std::shared_ptr<Metric> get(std::string_view identifier, const losses::Loss* loss = nullptr);
// Known names, sorted (for help texts).
std::vector<std::string> names();

}  // namespace strata::metrics

namespace strata {

// One entry of compile's `metrics=`: a name or a Metric object.
class MetricArg {
 public:
  MetricArg(const char* name) : name_(name) {}            // NOLINT: Keras-style argument
  MetricArg(std::string name) : name_(std::move(name)) {}  // NOLINT
  template <class M>
    requires std::derived_from<std::decay_t<M>, metrics::Metric>
  MetricArg(M&& metric)  // NOLINT
      : metric_(std::make_shared<std::decay_t<M>>(std::forward<M>(metric))) {}
  template <class M>
    requires std::derived_from<M, metrics::Metric>
  MetricArg(std::shared_ptr<M> metric) : metric_(std::move(metric)) {}  // NOLINT: shared, as given

  const std::string& name() const { return name_; }
  std::shared_ptr<metrics::Metric> build(const losses::Loss* loss) const;

 private:
  std::string name_;
  std::shared_ptr<metrics::Metric> metric_;
};

}  // namespace strata
