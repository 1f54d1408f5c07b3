// EarlyStopping, as keras.callbacks.EarlyStopping in tf.keras 2.11.
#include <fmt/format.h>

#include <iostream>

#include "src/callbacks/monitor.hpp"
#include "strata/callbacks.hpp"
#include "strata/error.hpp"
#include "strata/sequential.hpp"

namespace strata::callbacks {

namespace {
std::vector<Tensor> weight_values(const Sequential& model) {
  std::vector<Tensor> values;
  for (const Variable& w : model.weights()) values.push_back(w.value());
  return values;
}
}  // namespace

EarlyStopping::EarlyStopping(EarlyStoppingOptions options) : options_(std::move(options)) {
  if (options_.patience < 0) throw ValueError(fmt::format("EarlyStopping: patience must be >= 0. Received: {}", options_.patience));
  maximize_ = maximizes(options_.mode, options_.monitor);
  // Keras stores min_delta with the sign of the improvement direction.
  options_.min_delta = std::abs(options_.min_delta);
}

void EarlyStopping::on_train_begin(const Logs&) {
  wait_ = 0;
  stopped_epoch_ = 0;
  best_epoch_ = 0;
  best_ = worst_value(maximize_);
  best_weights_.clear();
}

void EarlyStopping::on_epoch_end(int epoch, Logs& logs) {
  const auto current = logs.get(options_.monitor);
  if (!current) {
    warn_missing("Early stopping", options_.monitor, logs);
    return;
  }
  if (epoch < options_.start_from_epoch) return;
  const auto improves = [&](double value, double reference) {
    return maximize_ ? value - options_.min_delta > reference : value + options_.min_delta < reference;
  };
  // Without any improvement the weights after the first epoch are the ones restored.
  if (options_.restore_best_weights && best_weights_.empty()) best_weights_ = weight_values(model());
  ++wait_;
  if (improves(*current, best_)) {
    best_ = *current;
    best_epoch_ = epoch;
    if (options_.restore_best_weights) best_weights_ = weight_values(model());
    // Only restart the wait when the baseline is beaten too; otherwise the patience
    // check below still runs (as Keras).
    if (!options_.baseline || improves(*current, *options_.baseline)) {
      wait_ = 0;
      return;
    }
  }
  if (wait_ >= options_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    model().stop_training = true;
    if (options_.restore_best_weights && !best_weights_.empty()) {
      if (options_.verbose > 0)
        std::cout << fmt::format("Restoring model weights from the end of the best epoch: {}.\n", best_epoch_ + 1);
      const std::vector<Variable> weights = model().weights();
      for (std::size_t i = 0; i < weights.size() && i < best_weights_.size(); ++i) {
        Variable w = weights[i];
        w.assign(best_weights_[i]);
      }
    }
  }
}

void EarlyStopping::on_train_end(const Logs&) {
  if (stopped_epoch_ > 0 && options_.verbose > 0) std::cout << fmt::format("Epoch {}: early stopping\n", stopped_epoch_ + 1);
}

}  // namespace strata::callbacks
