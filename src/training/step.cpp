// Internal: the train and test steps and the running metrics.
#include "src/training/step.hpp"

#include "strata/error.hpp"
#include "strata/gradient_tape.hpp"
#include "strata/ops.hpp"

namespace strata::training {

RunningMetrics::RunningMetrics(const Sequential& model) {
  // Fresh copies: the compiled metrics keep no state across fit / evaluate calls.
  for (const auto& metric : model.metrics()) metrics_.push_back(metric->clone());
}

void RunningMetrics::reset() {
  loss_.reset_state();
  for (auto& metric : metrics_) metric->reset_state();
}

void RunningMetrics::update(double loss, const Tensor& y_true, const Tensor& y_pred) {
  loss_.update_state(loss, static_cast<double>(y_pred.rank() > 0 ? y_pred.shape()[0] : 1));
  for (auto& metric : metrics_) metric->update_state(y_true, y_pred);
}

Logs RunningMetrics::logs(const std::string& prefix) const {
  Logs logs;
  logs.set(prefix + "loss", loss_.result());
  for (const auto& metric : metrics_) logs.set(prefix + metric->name(), metric->result());
  return logs;
}

namespace {
// The compiled loss plus every regularization and activity penalty of the last call.
Variable total_loss(Sequential& model, const Tensor& y, const Variable& y_pred) {
  Variable loss = (*model.loss())(y, y_pred);
  for (const Variable& penalty : model.losses()) loss = loss + penalty;
  return loss;
}
}  // namespace

double train_step(Sequential& model, const Tensor& x, const Tensor& y, Tensor& y_pred) {
  const std::vector<Variable> weights = model.trainable_weights();
  std::vector<Tensor> gradients;
  double loss_value = 0.0;
  {
    GradientTape tape;
    Variable out = model(constant(x), /*training=*/true);
    Variable loss = total_loss(model, y, out);
    loss_value = loss.value().item();
    gradients = tape.gradient(loss, weights);
    y_pred = out.value();
  }
  model.optimizer()->apply_gradients(gradients, weights);
  model.apply_constraints();
  return loss_value;
}

double test_step(Sequential& model, const Tensor& x, const Tensor& y, Tensor& y_pred) {
  Variable out = model(constant(x), /*training=*/false);
  const double loss = total_loss(model, y, out).value().item();
  y_pred = out.value();
  return loss;
}

void check_compiled(const Sequential& model) {
  if (!model.compiled())
    throw Error("You must compile your model before training/testing. Use `model.compile(optimizer, loss)`.");
}

}  // namespace strata::training
