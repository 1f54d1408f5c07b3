// Callbacks as keras.callbacks: hooks that fit/evaluate/predict call at the start and end
// of training, epochs and batches.
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/training.hpp"

namespace strata {
class Sequential;
}

namespace strata::callbacks {

// fit's parameters, as Keras's callback.params.
struct Params {
  int epochs = 0;
  std::size_t steps = 0;  // batches per epoch
  int verbose = 0;
};

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(const Logs& /*logs*/) {}
  virtual void on_train_end(const Logs& /*logs*/) {}
  virtual void on_epoch_begin(int /*epoch*/, const Logs& /*logs*/) {}
  // Callbacks may add entries (ReduceLROnPlateau adds "lr").
  virtual void on_epoch_end(int /*epoch*/, Logs& /*logs*/) {}
  virtual void on_train_batch_begin(std::size_t /*batch*/, const Logs& /*logs*/) {}
  virtual void on_train_batch_end(std::size_t /*batch*/, const Logs& /*logs*/) {}
  virtual void on_test_begin(const Logs& /*logs*/) {}
  virtual void on_test_end(const Logs& /*logs*/) {}
  virtual void on_test_batch_end(std::size_t /*batch*/, const Logs& /*logs*/) {}
  virtual void on_predict_batch_end(std::size_t /*batch*/, const Logs& /*logs*/) {}

  void set_model(Sequential* model) { model_ = model; }
  void set_params(const Params& params) { params_ = params; }
  Sequential& model() const;  // ValueError before set_model
  const Params& params() const { return params_; }

 private:
  Sequential* model_ = nullptr;
  Params params_{};
};

// "auto" picks "max" for metrics whose name contains "acc", else "min" (as Keras).
enum class Mode { automatic, min, max };

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  double min_delta = 0.0;
  int patience = 0;
  int verbose = 0;
  Mode mode = Mode::automatic;
  std::optional<double> baseline = std::nullopt;
  bool restore_best_weights = false;
  int start_from_epoch = 0;
};
class EarlyStopping final : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});
  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  int stopped_epoch() const { return stopped_epoch_; }  // 0 when it did not stop
  int best_epoch() const { return best_epoch_; }

 private:
  EarlyStoppingOptions options_;
  bool maximize_ = false;
  int wait_ = 0, stopped_epoch_ = 0, best_epoch_ = 0;
  double best_ = 0.0;
  std::vector<Tensor> best_weights_;
};

// `filepath` may hold {epoch:02d}, {val_loss:.4f} style fields (Keras's format names).
// Saves weights only (filepath .h5) or the whole model; every write is atomic.
struct ModelCheckpointOptions {
  std::string monitor = "val_loss";
  int verbose = 0;
  bool save_best_only = false;
  bool save_weights_only = false;
  Mode mode = Mode::automatic;
};
class ModelCheckpoint final : public Callback {
 public:
  explicit ModelCheckpoint(std::string filepath, ModelCheckpointOptions options = {});
  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  // The file name for this epoch and logs (public for tests).
  std::string format_filepath(int epoch, const Logs& logs) const;

 private:
  std::string filepath_;
  ModelCheckpointOptions options_;
  bool maximize_ = false;
  std::optional<double> best_;
};

// One CSV row per epoch: "epoch,loss,accuracy,..." (rewritten atomically each epoch).
struct CSVLoggerOptions {
  char separator = ',';
  bool append = false;
};
class CSVLogger final : public Callback {
 public:
  explicit CSVLogger(std::string filename, CSVLoggerOptions options = {});
  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;

 private:
  std::string filename_;
  CSVLoggerOptions options_;
  std::string contents_;
  std::vector<std::string> keys_;
};

// Stops training at the first NaN or infinite batch loss, reporting epoch and batch.
class TerminateOnNaN final : public Callback {
 public:
  void on_epoch_begin(int epoch, const Logs& /*logs*/) override { epoch_ = epoch; }
  void on_train_batch_end(std::size_t batch, const Logs& logs) override;

 private:
  int epoch_ = 0;
};

// Sets the learning rate at each epoch's start from schedule(epoch, current_lr).
class LearningRateScheduler final : public Callback {
 public:
  explicit LearningRateScheduler(std::function<float(int epoch, float lr)> schedule, int verbose = 0);
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;  // adds "lr"

 private:
  std::function<float(int, float)> schedule_;
  int verbose_;
};

struct ReduceLROnPlateauOptions {
  std::string monitor = "val_loss";
  double factor = 0.1;
  int patience = 10;
  int verbose = 0;
  Mode mode = Mode::automatic;
  double min_delta = 1e-4;
  int cooldown = 0;
  double min_lr = 0.0;
};
class ReduceLROnPlateau final : public Callback {
 public:
  explicit ReduceLROnPlateau(ReduceLROnPlateauOptions options = {});
  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;  // adds "lr"

 private:
  ReduceLROnPlateauOptions options_;
  bool maximize_ = false;
  std::optional<double> best_;
  int wait_ = 0, cooldown_counter_ = 0;
};

}  // namespace strata::callbacks
