// Sequential::compile, apply_constraints and train_on_batch.
#include <fmt/format.h>

#include "src/training/step.hpp"
#include "strata/error.hpp"
#include "strata/sequential.hpp"

namespace strata {

void Sequential::compile(CompileOptions options) {
  if (options.loss.empty())
    throw ValueError("compile: a loss is required, e.g. .loss = \"sparse_categorical_crossentropy\"");
  // Everything is resolved before the model changes, so a bad name leaves it as it was.
  auto optimizer = options.optimizer.build();
  auto loss = options.loss.build();
  std::vector<std::shared_ptr<metrics::Metric>> built;
  for (const MetricArg& metric : options.metrics) built.push_back(metric.build(loss.get()));
  optimizer_ = std::move(optimizer);
  loss_ = std::move(loss);
  loss_name_ = options.loss.name().empty() ? loss_->class_name() : options.loss.name();
  metric_args_ = std::move(options.metrics);
  metrics_ = std::move(built);
}

void Sequential::apply_constraints() {
  for (const auto& layer : layers_) layer->apply_constraints();
}

Logs Sequential::train_on_batch(const Tensor& x, const Tensor& y) {
  training::check_compiled(*this);
  training::RunningMetrics running(*this);
  Tensor y_pred;
  running.update(training::train_step(*this, x, y, y_pred), y, y_pred);
  return running.logs();
}

}  // namespace strata
