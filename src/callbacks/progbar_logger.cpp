// Keras's ProgbarLogger: "Epoch 1/10" (when there is more than one epoch) and a progress
// bar per epoch, or for evaluate. The logs already hold running means, so every value is
// shown as given (stateful).
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <memory>

#include "src/callbacks/callback_list.hpp"
#include "strata/progbar.hpp"
#include "strata/sequential.hpp"

namespace strata::callbacks {
namespace {

class ProgbarLogger final : public Callback {
 public:
  explicit ProgbarLogger(bool for_training) : for_training_(for_training) {}

  void on_epoch_begin(int epoch, const Logs&) override {
    if (params().epochs > 1) std::cout << fmt::format("Epoch {}/{}\n", epoch + 1, params().epochs) << std::flush;
    reset();
  }
  void on_train_batch_end(std::size_t batch, const Logs& logs) override { update(batch + 1, logs, false); }
  void on_epoch_end(int, Logs& logs) override { update(params().steps, logs, true); }

  void on_test_begin(const Logs&) override {
    if (!for_training_) reset();
  }
  void on_test_batch_end(std::size_t batch, const Logs& logs) override {
    if (!for_training_) update(batch + 1, logs, false);
  }
  void on_test_end(const Logs& logs) override {
    if (!for_training_) update(params().steps, logs, true);
  }

 private:
  void reset() {
    // A bar redrawn per batch only makes sense on a terminal: piped or logged output gets
    // one line per epoch (verbose 2) instead of a line per batch.
    const int verbose = params().verbose == 1 && !::isatty(STDOUT_FILENO) ? 2 : params().verbose;
    ProgbarOptions options{.verbose = verbose, .stateful_metrics = {"loss"}};
    for (const auto& metric : model().metrics()) options.stateful_metrics.push_back(metric->name());
    progbar_ = std::make_unique<Progbar>(params().steps, std::move(options));
  }
  void update(std::size_t current, const Logs& logs, bool finalize) {
    if (!progbar_) return;
    Progbar::Values values(logs.items().begin(), logs.items().end());
    progbar_->update(current, values, finalize);
  }

  bool for_training_;
  std::unique_ptr<Progbar> progbar_;
};

}  // namespace

std::shared_ptr<Callback> make_progbar_logger(bool for_training) {
  return std::make_shared<ProgbarLogger>(for_training);
}

}  // namespace strata::callbacks
