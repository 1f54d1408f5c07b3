// The accuracy metric classes: keras.metrics.Accuracy, BinaryAccuracy,
// CategoricalAccuracy and SparseCategoricalAccuracy (MeanMetricWrappers in Keras, so the
// labels are aligned first and every value counts once in the mean).
#include <nlohmann/json.hpp>

#include "src/metrics/metric_utils.hpp"

namespace strata::metrics {

namespace {
std::string name_or(const std::string& name, const char* fallback) { return name.empty() ? fallback : name; }
}  // namespace

// The constructor, update_state, get_config and clone of a class whose per-sample
// function is `values` (an expression of y_true, y_pred and options_).
#define STRATA_DEFINE_MEAN_METRIC(Class, default_name, values)                        \
  Class::Class(decltype(options_) options)                                           \
      : Metric(name_or(options.name, default_name)), options_(std::move(options)) {} \
  void Class::update_state(const Tensor& y_true_in, const Tensor& y_pred_in) {       \
    Tensor y_true = y_true_in, y_pred = y_pred_in;                                   \
    detail::align(y_true, y_pred);                                                   \
    detail::accumulate(values, total_, count_);                                      \
  }                                                                                  \
  std::shared_ptr<Metric> Class::clone() const { return std::make_shared<Class>(options_); }

STRATA_DEFINE_MEAN_METRIC(Accuracy, "accuracy", accuracy(y_true, y_pred))
STRATA_DEFINE_MEAN_METRIC(BinaryAccuracy, "binary_accuracy", binary_matches(y_true, y_pred, options_.threshold))
STRATA_DEFINE_MEAN_METRIC(CategoricalAccuracy, "categorical_accuracy", categorical_accuracy(y_true, y_pred))
STRATA_DEFINE_MEAN_METRIC(SparseCategoricalAccuracy, "sparse_categorical_accuracy",
                          sparse_categorical_accuracy(y_true, y_pred))
#undef STRATA_DEFINE_MEAN_METRIC

Json Accuracy::get_config() const { return Metric::get_config(); }
Json BinaryAccuracy::get_config() const {
  Json config = Metric::get_config();
  config["threshold"] = options_.threshold;
  return config;
}
Json CategoricalAccuracy::get_config() const { return Metric::get_config(); }
Json SparseCategoricalAccuracy::get_config() const { return Metric::get_config(); }

}  // namespace strata::metrics
