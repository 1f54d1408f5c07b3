// Internal: one forward (and for training, backward + update) pass on a batch, and the
// running loss/metric state of an epoch or an evaluation.
#pragma once

#include <memory>
#include <vector>

#include "strata/metrics.hpp"
#include "strata/sequential.hpp"

namespace strata::training {

// The loss tracker ("loss", weighted by batch size as Keras does) and the compiled metrics.
class RunningMetrics {
 public:
  explicit RunningMetrics(const Sequential& model);
  void reset();
  void update(double loss, const Tensor& y_true, const Tensor& y_pred);
  // {"loss": ..., "<metric>": ...} with `prefix` before each name ("val_").
  Logs logs(const std::string& prefix = "") const;

 private:
  metrics::Mean loss_{"loss"};
  std::vector<std::shared_ptr<metrics::Metric>> metrics_;
};

// Forward in training mode, gradients of loss + regularization losses, optimizer step,
// constraints. Returns the total loss; `y_pred` receives the outputs.
double train_step(Sequential& model, const Tensor& x, const Tensor& y, Tensor& y_pred);
// Forward in inference mode; returns the total loss.
double test_step(Sequential& model, const Tensor& x, const Tensor& y, Tensor& y_pred);

// The error Keras raises when fit/evaluate run on a model that was not compiled.
void check_compiled(const Sequential& model);

}  // namespace strata::training
