// The Metric base config, Mean, and the helpers every mean metric shares.
#include <nlohmann/json.hpp>

#include "src/metrics/metric_utils.hpp"

namespace strata::metrics {

Json Metric::get_config() const {
  Json config = Json::object();
  config["name"] = name_;
  config["dtype"] = "float32";
  return config;
}

void Mean::update_state(double value, double weight) {
  total_ += value * weight;
  weight_ += weight;
}

void Mean::update_state(const Tensor& values, const Tensor& /*unused*/) {
  for (float v : values) total_ += v;
  weight_ += static_cast<double>(values.size());
}

namespace detail {

void align(Tensor& y_true, Tensor& y_pred) {
  const Shape &t = y_true.shape(), &p = y_pred.shape();
  if (p.size() == t.size() + 1 && p.back() == 1) {
    y_pred = y_pred.reshape(Shape(p.begin(), p.end() - 1));
  } else if (t.size() == p.size() + 1 && t.back() == 1) {
    y_true = y_true.reshape(Shape(t.begin(), t.end() - 1));
  }
}

void accumulate(const Tensor& values, double& total, double& count) {
  for (float v : values) total += v;
  count += static_cast<double>(values.size());
}

}  // namespace detail
}  // namespace strata::metrics
