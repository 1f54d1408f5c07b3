// LearningRateScheduler: sets the optimizer's rate from schedule(epoch, lr) at each epoch.
#include <fmt/format.h>

#include <cmath>
#include <iostream>

#include "strata/callbacks.hpp"
#include "strata/error.hpp"
#include "strata/sequential.hpp"

namespace strata::callbacks {

LearningRateScheduler::LearningRateScheduler(std::function<float(int, float)> schedule, int verbose)
    : schedule_(std::move(schedule)), verbose_(verbose) {
  if (!schedule_) throw ValueError("LearningRateScheduler: the schedule is empty");
}

void LearningRateScheduler::on_epoch_begin(int epoch, const Logs&) {
  auto& optimizer = *model().optimizer();
  const float lr = schedule_(epoch, optimizer.learning_rate());
  if (!std::isfinite(lr))
    throw ValueError(fmt::format("The output of the \"schedule\" function should be a finite float. Got: {}", lr));
  optimizer.set_learning_rate(lr);
  if (verbose_ > 0)
    std::cout << fmt::format("\nEpoch {:05d}: LearningRateScheduler setting learning rate to {}.\n", epoch + 1, lr);
}

void LearningRateScheduler::on_epoch_end(int, Logs& logs) { logs.set("lr", model().optimizer()->learning_rate()); }

}  // namespace strata::callbacks
