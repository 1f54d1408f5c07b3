// Internal: the callbacks of one fit/evaluate/predict call, called in order, plus the
// built-in progress logger (first, as Keras's ProgbarLogger).
#pragma once

#include <memory>
#include <vector>

#include "strata/callbacks.hpp"

namespace strata::callbacks {

class CallbackList {
 public:
  CallbackList(std::vector<std::shared_ptr<Callback>> callbacks, Sequential& model, const Params& params);
  void on_train_begin(const Logs& logs);
  void on_train_end(const Logs& logs);
  void on_epoch_begin(int epoch, const Logs& logs);
  void on_epoch_end(int epoch, Logs& logs);
  void on_train_batch_begin(std::size_t batch, const Logs& logs);
  void on_train_batch_end(std::size_t batch, const Logs& logs);
  void on_test_begin(const Logs& logs);
  void on_test_end(const Logs& logs);
  void on_test_batch_end(std::size_t batch, const Logs& logs);
  void on_predict_batch_end(std::size_t batch, const Logs& logs);

 private:
  std::vector<std::shared_ptr<Callback>> callbacks_;
};

// Keras's ProgbarLogger: "Epoch 1/10" and a progress bar per epoch (verbose 1), or one
// line per epoch (verbose 2). `for_training` false: a bar for evaluate.
std::shared_ptr<Callback> make_progbar_logger(bool for_training);

}  // namespace strata::callbacks
