// TerminateOnNaN: stops fit at the first batch whose loss is NaN or infinite.
#include <fmt/format.h>

#include <cmath>
#include <iostream>

#include "strata/callbacks.hpp"
#include "strata/sequential.hpp"

namespace strata::callbacks {

void TerminateOnNaN::on_train_batch_end(std::size_t batch, const Logs& logs) {
  const auto loss = logs.get("loss");
  if (!loss || std::isfinite(*loss)) return;
  // Keras says "Batch N: Invalid loss, terminating training"; the epoch helps find it.
  std::cout << fmt::format("Epoch {}, batch {}: Invalid loss, terminating training\n", epoch_ + 1, batch);
  model().stop_training = true;
}

}  // namespace strata::callbacks
