// Internal: calling every callback in order.
#include "src/callbacks/callback_list.hpp"

#include "strata/error.hpp"
#include "strata/sequential.hpp"

namespace strata::callbacks {

Sequential& Callback::model() const {
  if (!model_) throw ValueError("This callback is not attached to a model (it is set by fit/evaluate/predict)");
  return *model_;
}

CallbackList::CallbackList(std::vector<std::shared_ptr<Callback>> callbacks, Sequential& model, const Params& params)
    : callbacks_(std::move(callbacks)) {
  if (params.verbose != 0) callbacks_.insert(callbacks_.begin(), make_progbar_logger(params.epochs > 0));
  for (auto& callback : callbacks_) {
    if (!callback) throw ValueError("callbacks: a callback is null");
    callback->set_model(&model);
    callback->set_params(params);
  }
}

void CallbackList::on_train_begin(const Logs& logs) {
  for (auto& c : callbacks_) c->on_train_begin(logs);
}
void CallbackList::on_train_end(const Logs& logs) {
  for (auto& c : callbacks_) c->on_train_end(logs);
}
void CallbackList::on_epoch_begin(int epoch, const Logs& logs) {
  for (auto& c : callbacks_) c->on_epoch_begin(epoch, logs);
}
void CallbackList::on_epoch_end(int epoch, Logs& logs) {
  for (auto& c : callbacks_) c->on_epoch_end(epoch, logs);
}
void CallbackList::on_train_batch_begin(std::size_t batch, const Logs& logs) {
  for (auto& c : callbacks_) c->on_train_batch_begin(batch, logs);
}
void CallbackList::on_train_batch_end(std::size_t batch, const Logs& logs) {
  for (auto& c : callbacks_) c->on_train_batch_end(batch, logs);
}
void CallbackList::on_test_begin(const Logs& logs) {
  for (auto& c : callbacks_) c->on_test_begin(logs);
}
void CallbackList::on_test_end(const Logs& logs) {
  for (auto& c : callbacks_) c->on_test_end(logs);
}
void CallbackList::on_test_batch_end(std::size_t batch, const Logs& logs) {
  for (auto& c : callbacks_) c->on_test_batch_end(batch, logs);
}
void CallbackList::on_predict_batch_end(std::size_t batch, const Logs& logs) {
  for (auto& c : callbacks_) c->on_predict_batch_end(batch, logs);
}

}  // namespace strata::callbacks
