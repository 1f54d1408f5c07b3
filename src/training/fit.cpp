// Sequential::fit: epochs of shuffled batches, validation, callbacks and History.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "src/callbacks/callback_list.hpp"
#include "src/training/batching.hpp"
#include "src/training/step.hpp"
#include "strata/error.hpp"
#include "strata/random.hpp"
#include "strata/sequential.hpp"

namespace strata {

namespace {

// Where fit's samples come from, without copying them: training rows [0, train_rows) of
// x and y, validation rows [validation_begin, validation_end) of validation_x/_y (the end
// of x and y for validation_split, validation_data's tensors otherwise).
struct Data {
  const Tensor& x;
  const Tensor& y;
  std::size_t train_rows = 0;
  const Tensor* validation_x = nullptr;
  const Tensor* validation_y = nullptr;
  std::size_t validation_begin = 0, validation_end = 0;
};

// Keras takes the validation split from the end of the data, before shuffling.
Data split_data(const Tensor& x, const Tensor& y, const FitOptions& options) {
  training::check_same_samples(x, y);
  const std::size_t n = x.shape()[0];
  if (options.validation_data) {
    const auto& [vx, vy] = *options.validation_data;
    training::check_same_samples(vx, vy);
    return {x, y, n, &vx, &vy, 0, vx.shape()[0]};
  }
  const double split = options.validation_split;
  if (!(split >= 0.0 && split < 1.0))
    throw ValueError(fmt::format("validation_split must be in [0, 1). Received: validation_split={}", split));
  if (split == 0.0) return {x, y, n};
  const auto at = static_cast<std::size_t>(static_cast<double>(n) * (1.0 - split));
  if (at == 0 || at == n)
    throw ValueError(fmt::format(
        "Training data contains {} samples, which is not sufficient to split it into a validation and training set as "
        "specified by `validation_split={}`. Either provide more data, or a different value for the "
        "`validation_split` argument.",
        n, split));
  return {x, y, at, &x, &y, at, n};
}

// Fisher-Yates with the generator's raw bits, so the order is the same on every platform
// (std::shuffle's is unspecified).
void shuffle(std::vector<std::size_t>& order, Generator& generator) {
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[generator.next_u64() % i]);
}

// Loss and metrics over rows [first, last) in inference mode, in batches.
Logs run_validation(Sequential& model, const Tensor& x, const Tensor& y, std::size_t first, std::size_t last,
                    std::size_t batch_size) {
  training::RunningMetrics running(model);
  Tensor y_pred;
  for (std::size_t begin = first; begin < last; begin += batch_size) {
    const std::size_t end = std::min(last, begin + batch_size);
    const Tensor y_batch = training::slice_rows(y, begin, end);
    const double loss = training::test_step(model, training::slice_rows(x, begin, end), y_batch, y_pred);
    running.update(loss, y_batch, y_pred);
  }
  return running.logs("val_");
}

}  // namespace

History Sequential::fit(const Tensor& x, const Tensor& y, FitOptions options) {
  training::check_compiled(*this);
  if (options.epochs < 0) throw ValueError(fmt::format("epochs must be >= 0. Received: epochs={}", options.epochs));
  const Data data = split_data(x, y, options);
  const std::size_t n = data.train_rows;
  const std::size_t steps = training::steps_for(n, options.batch_size);
  if (n == 0) throw ValueError("fit: the training data is empty");

  // One generator for the whole fit: the same seed gives the same batches and, because it
  // also reseeds the default generator, the same Dropout/RReLU draws.
  Generator shuffler(options.seed ? *options.seed : default_generator().next_u64());
  if (options.seed) set_random_seed(*options.seed);

  callbacks::CallbackList callbacks(options.callbacks, *this, {options.epochs, steps, options.verbose});
  History history;
  stop_training = false;
  training::RunningMetrics running(*this);
  std::vector<std::size_t> order(n);
  Tensor y_pred;
  Logs last_logs;

  callbacks.on_train_begin({});
  for (int epoch = options.initial_epoch; epoch < options.epochs; ++epoch) {
    callbacks.on_epoch_begin(epoch, {});
    running.reset();
    std::iota(order.begin(), order.end(), std::size_t{0});
    if (options.shuffle) shuffle(order, shuffler);
    Logs logs;
    for (std::size_t step = 0; step < steps; ++step) {
      const std::size_t begin = step * options.batch_size, end = std::min(n, begin + options.batch_size);
      const std::span<const std::size_t> rows(order.data() + begin, end - begin);
      const Tensor x_batch = training::gather_rows(data.x, rows);
      const Tensor y_batch = training::gather_rows(data.y, rows);
      callbacks.on_train_batch_begin(step, {});
      const double loss = training::train_step(*this, x_batch, y_batch, y_pred);
      running.update(loss, y_batch, y_pred);
      logs = running.logs();
      callbacks.on_train_batch_end(step, logs);
      if (stop_training) break;
    }
    if (data.validation_x) {
      const Logs val = run_validation(*this, *data.validation_x, *data.validation_y, data.validation_begin,
                                      data.validation_end, options.batch_size);
      for (const auto& [key, value] : val.items()) logs.set(key, value);
    }
    callbacks.on_epoch_end(epoch, logs);
    history.epoch.push_back(epoch);
    for (const auto& [key, value] : logs.items()) history.history[key].push_back(value);
    last_logs = logs;
    if (stop_training) break;
  }
  // With use_ema the moving averages replace the weights at the end, as in Keras.
  if (!history.epoch.empty()) optimizer_->finalize_variable_values(trainable_weights());
  callbacks.on_train_end(last_logs);
  return history;
}

}  // namespace strata
