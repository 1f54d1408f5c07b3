// Sequential::evaluate and Sequential::predict.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "src/callbacks/callback_list.hpp"
#include "src/training/batching.hpp"
#include "src/training/step.hpp"
#include "strata/error.hpp"
#include "strata/sequential.hpp"

namespace strata {

Logs Sequential::evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options) {
  training::check_compiled(*this);
  training::check_same_samples(x, y);
  const std::size_t n = x.shape()[0];
  const std::size_t steps = training::steps_for(n, options.batch_size);
  callbacks::CallbackList callbacks(options.callbacks, *this, {0, steps, options.verbose});
  training::RunningMetrics running(*this);
  Tensor y_pred;
  Logs logs;
  callbacks.on_test_begin({});
  for (std::size_t step = 0; step < steps; ++step) {
    const std::size_t begin = step * options.batch_size, end = std::min(n, begin + options.batch_size);
    const Tensor y_batch = training::slice_rows(y, begin, end);
    const double loss = training::test_step(*this, training::slice_rows(x, begin, end), y_batch, y_pred);
    running.update(loss, y_batch, y_pred);
    logs = running.logs();
    callbacks.on_test_batch_end(step, logs);
  }
  callbacks.on_test_end(logs);
  return logs;
}

Tensor Sequential::predict(const Tensor& x, const PredictOptions& options) {
  const std::size_t n = training::sample_count(x, "x");
  const std::size_t steps = training::steps_for(n, options.batch_size);
  if (n == 0) throw ValueError("predict: x holds no samples");
  // No per-call layer state: several threads may predict with one built model at once.
  const layers::InferenceScope inference;
  Tensor out;
  for (std::size_t step = 0; step < steps; ++step) {
    const std::size_t begin = step * options.batch_size, end = std::min(n, begin + options.batch_size);
    const Tensor batch = (*this)(constant(training::slice_rows(x, begin, end)), /*training=*/false).value();
    if (step == 0) {
      Shape shape = batch.shape();
      shape[0] = n;
      out = Tensor::empty(shape);
    }
    std::memcpy(out.data() + begin * (batch.size() / (end - begin)), batch.data(), batch.size() * sizeof(float));
  }
  return out;
}

}  // namespace strata
