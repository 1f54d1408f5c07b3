// ReduceLROnPlateau, as keras.callbacks.ReduceLROnPlateau in tf.keras 2.11.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "src/callbacks/monitor.hpp"
#include "strata/callbacks.hpp"
#include "strata/error.hpp"
#include "strata/sequential.hpp"

namespace strata::callbacks {

ReduceLROnPlateau::ReduceLROnPlateau(ReduceLROnPlateauOptions options) : options_(std::move(options)) {
  if (options_.factor >= 1.0)
    throw ValueError(fmt::format("ReduceLROnPlateau does not support a factor >= 1.0. Got {}", options_.factor));
  // Unlike the other callbacks, "auto" here looks only for "acc" (as Keras).
  maximize_ = options_.mode == Mode::max ||
              (options_.mode == Mode::automatic && options_.monitor.find("acc") != std::string::npos);
}

void ReduceLROnPlateau::on_train_begin(const Logs&) {
  best_.reset();
  wait_ = 0;
  cooldown_counter_ = 0;
}

void ReduceLROnPlateau::on_epoch_end(int epoch, Logs& logs) {
  auto& optimizer = *model().optimizer();
  logs.set("lr", optimizer.learning_rate());
  const auto current = logs.get(options_.monitor);
  if (!current) {
    warn_missing("Learning rate reduction", options_.monitor, logs);
    return;
  }
  const bool in_cooldown = cooldown_counter_ > 0;
  if (in_cooldown) {
    --cooldown_counter_;
    wait_ = 0;
  }
  const double best = best_ ? *best_ : worst_value(maximize_);
  const bool improved = maximize_ ? *current > best + options_.min_delta : *current < best - options_.min_delta;
  if (improved) {
    best_ = *current;
    wait_ = 0;
  } else if (cooldown_counter_ <= 0 && ++wait_ >= options_.patience) {
    const float old_lr = optimizer.learning_rate();
    const auto min_lr = static_cast<float>(options_.min_lr);
    if (old_lr > min_lr) {
      const float new_lr = std::max(static_cast<float>(old_lr * options_.factor), min_lr);
      optimizer.set_learning_rate(new_lr);
      if (options_.verbose > 0)
        std::cout << fmt::format("\nEpoch {:05d}: ReduceLROnPlateau reducing learning rate to {}.\n", epoch + 1, new_lr);
      cooldown_counter_ = options_.cooldown;
      wait_ = 0;
    }
  }
}

}  // namespace strata::callbacks
