// keras.metrics.MeanMetricWrapper: the running mean of a per-sample function.
#include <nlohmann/json.hpp>

#include "src/metrics/metric_utils.hpp"

namespace strata::metrics {

MeanMetricWrapper::MeanMetricWrapper(std::string name, std::string fn_name, Function fn, std::string class_name)
    : Metric(std::move(name)), fn_name_(std::move(fn_name)), class_name_(std::move(class_name)), fn_(std::move(fn)) {}

void MeanMetricWrapper::update_state(const Tensor& y_true, const Tensor& y_pred) {
  detail::accumulate(fn_(y_true, y_pred), total_, count_);
}

Json MeanMetricWrapper::get_config() const {
  Json config = Metric::get_config();
  // Keras writes the function only for the wrapper itself, not its subclasses.
  if (class_name_ == "MeanMetricWrapper") config["fn"] = fn_name_;
  return config;
}

std::shared_ptr<Metric> MeanMetricWrapper::clone() const {
  return std::make_shared<MeanMetricWrapper>(name(), fn_name_, fn_, class_name_);
}

}  // namespace strata::metrics
