// Metrics by Keras name, as compile resolves `metrics=` (keras 2.11 compile_utils
// MetricsContainer._get_metric_object), and MetricArg.
#include <algorithm>
#include <cctype>
#include <map>

#include "src/losses/loss_utils.hpp"
#include "src/metrics/metric_utils.hpp"
#include "strata/error.hpp"
#include "strata/losses.hpp"
#include "strata/ops.hpp"

namespace strata::metrics {

namespace {

using Function = MeanMetricWrapper::Function;
using Values = Tensor (*)(const Tensor& y_true, const Tensor& y_pred);

// The function after Keras's alignment of the two tensors (MeanMetricWrapper.update_state).
Function aligned(Values fn) {
  return [fn](const Tensor& y_true_in, const Tensor& y_pred_in) {
    Tensor y_true = y_true_in, y_pred = y_pred_in;
    detail::align(y_true, y_pred);
    return fn(y_true, y_pred);
  };
}

Tensor binary_accuracy_default(const Tensor& y_true, const Tensor& y_pred) {
  return binary_accuracy(y_true, y_pred, 0.5);
}
Tensor mse(const Tensor& y_true, const Tensor& y_pred) {
  return losses::mean_squared_error(y_true, constant(y_pred)).value();
}
Tensor mae(const Tensor& y_true, const Tensor& y_pred) {
  return losses::mean_absolute_error(y_true, constant(y_pred)).value();
}
Tensor bce(const Tensor& y_true, const Tensor& y_pred) {
  return losses::binary_crossentropy(y_true, constant(y_pred)).value();
}
Tensor cce(const Tensor& y_true, const Tensor& y_pred) {
  return losses::categorical_crossentropy(y_true, constant(y_pred)).value();
}
Tensor scce(const Tensor& y_true, const Tensor& y_pred) {
  return losses::sparse_categorical_crossentropy(y_true, constant(y_pred)).value();
}

struct Named {
  const char* fn_name;
  Values fn;
};

// compile_utils: binary when y_pred's last dimension is 1; sparse when y_true has the lower
// rank, or ends in 1 while y_pred does not; categorical otherwise.
Named by_shapes(const Tensor& y_true, const Tensor& y_pred, Named binary, Named sparse, Named categorical) {
  const auto last = [](const Tensor& t) -> std::size_t { return t.rank() ? t.shape().back() : 1; };
  if (last(y_pred) == 1) return binary;
  if (y_true.rank() < y_pred.rank() || (last(y_true) == 1 && last(y_pred) > 1)) return sparse;
  return categorical;
}

std::shared_ptr<Metric> shape_resolved(const std::string& name, bool crossentropy) {
  Function fn = [crossentropy](const Tensor& y_true, const Tensor& y_pred) {
    const Named chosen = crossentropy ? by_shapes(y_true, y_pred, {"binary_crossentropy", bce},
                                                  {"sparse_categorical_crossentropy", scce},
                                                  {"categorical_crossentropy", cce})
                                      : by_shapes(y_true, y_pred, {"binary_accuracy", binary_accuracy_default},
                                                  {"sparse_categorical_accuracy", sparse_categorical_accuracy},
                                                  {"categorical_accuracy", categorical_accuracy});
    return aligned(chosen.fn)(y_true, y_pred);
  };
  return std::make_shared<MeanMetricWrapper>(name, crossentropy ? "crossentropy" : "accuracy", std::move(fn));
}

using Factory = std::shared_ptr<Metric> (*)(const std::string& name);

// Function names (a MeanMetricWrapper named as written) and class names (the class).
const std::map<std::string, Factory, std::less<>>& table() {
  static const std::map<std::string, Factory, std::less<>> t = [] {
    std::map<std::string, Factory, std::less<>> m;
    m["binary_accuracy"] = [](const std::string& n) -> std::shared_ptr<Metric> {
      return std::make_shared<MeanMetricWrapper>(n, "binary_accuracy", aligned(binary_accuracy_default));
    };
    m["categorical_accuracy"] = [](const std::string& n) -> std::shared_ptr<Metric> {
      return std::make_shared<MeanMetricWrapper>(n, "categorical_accuracy", aligned(categorical_accuracy));
    };
    m["sparse_categorical_accuracy"] = [](const std::string& n) -> std::shared_ptr<Metric> {
      return std::make_shared<MeanMetricWrapper>(n, "sparse_categorical_accuracy",
                                                 aligned(sparse_categorical_accuracy));
    };
    for (const char* alias : {"mean_squared_error", "mse", "MSE"})
      m[alias] = [](const std::string& n) -> std::shared_ptr<Metric> {
        return std::make_shared<MeanMetricWrapper>(n, "mean_squared_error", aligned(mse));
      };
    for (const char* alias : {"mean_absolute_error", "mae", "MAE"})
      m[alias] = [](const std::string& n) -> std::shared_ptr<Metric> {
        return std::make_shared<MeanMetricWrapper>(n, "mean_absolute_error", aligned(mae));
      };
    m["binary_crossentropy"] = [](const std::string& n) -> std::shared_ptr<Metric> {
      return std::make_shared<MeanMetricWrapper>(n, "binary_crossentropy", aligned(bce));
    };
    m["categorical_crossentropy"] = [](const std::string& n) -> std::shared_ptr<Metric> {
      return std::make_shared<MeanMetricWrapper>(n, "categorical_crossentropy", aligned(cce));
    };
    m["sparse_categorical_crossentropy"] = [](const std::string& n) -> std::shared_ptr<Metric> {
      return std::make_shared<MeanMetricWrapper>(n, "sparse_categorical_crossentropy", aligned(scce));
    };
    m["Accuracy"] = [](const std::string&) -> std::shared_ptr<Metric> { return std::make_shared<Accuracy>(); };
    m["BinaryAccuracy"] = [](const std::string&) -> std::shared_ptr<Metric> {
      return std::make_shared<BinaryAccuracy>();
    };
    m["CategoricalAccuracy"] = [](const std::string&) -> std::shared_ptr<Metric> {
      return std::make_shared<CategoricalAccuracy>();
    };
    m["SparseCategoricalAccuracy"] = [](const std::string&) -> std::shared_ptr<Metric> {
      return std::make_shared<SparseCategoricalAccuracy>();
    };
    m["MeanSquaredError"] = [](const std::string&) -> std::shared_ptr<Metric> {
      return std::make_shared<MeanMetricWrapper>("mean_squared_error", "mean_squared_error", aligned(mse),
                                                 "MeanSquaredError");
    };
    m["MeanAbsoluteError"] = [](const std::string&) -> std::shared_ptr<Metric> {
      return std::make_shared<MeanMetricWrapper>("mean_absolute_error", "mean_absolute_error", aligned(mae),
                                                 "MeanAbsoluteError");
    };
    return m;
  }();
  return t;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::vector<std::string> names() {
  std::vector<std::string> out{"accuracy", "acc", "crossentropy", "ce"};
  for (const auto& entry : table()) out.push_back(entry.first);
  std::sort(out.begin(), out.end());
  return out;
}

std::shared_ptr<Metric> get(std::string_view identifier, const losses::Loss* /*loss: see the header*/) {
  const std::string name(identifier);
  // compile_utils compares str(metric).lower(), so "Accuracy" as a string is resolved too.
  const std::string key = lower(identifier);
  if (key == "accuracy" || key == "acc") return shape_resolved(name, false);
  if (key == "crossentropy" || key == "ce") return shape_resolved(name, true);
  if (auto it = table().find(identifier); it != table().end()) return it->second(name);
  throw ValueError(losses::detail::unknown_name_message("metric function", identifier, names()));
}

}  // namespace strata::metrics

namespace strata {

std::shared_ptr<metrics::Metric> MetricArg::build(const losses::Loss* loss) const {
  // The object itself, as Keras keeps the user's metric (fit and evaluate clone it).
  if (metric_) return metric_;
  return metrics::get(name_, loss);
}

}  // namespace strata
