// The built-in callbacks, driven through fit with scripted monitored values.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

#include "../training/training_test_support.hpp"
#include "strata/callbacks.hpp"
#include "strata/error.hpp"
#include "strata/sequential.hpp"

using namespace strata;
using strata::testing::ScriptedValue;
using strata::testing::separable_points;
using strata::testing::small_classifier;
using strata::testing::TempDir;

namespace {
Sequential compiled_classifier() {
  Sequential model = small_classifier(7);
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  return model;
}
std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}
bool same_weights(const std::vector<Tensor>& a, const std::vector<Variable>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!std::equal(a[i].begin(), a[i].end(), b[i].value().begin())) return false;
  return true;
}
}  // namespace

TEST_CASE("EarlyStopping stops after patience epochs without improvement", "[callbacks]") {
  auto [x, y] = separable_points(40, 1);
  Sequential model = compiled_classifier();
  // Best at epoch 1 (0.5); epochs 2 and 3 do not improve by min_delta 0.01 → stop at 3.
  auto script = std::make_shared<ScriptedValue>("val_loss", std::vector<double>{0.9, 0.5, 0.495, 0.6, 0.1, 0.1});
  auto stopper = std::make_shared<callbacks::EarlyStopping>(
      callbacks::EarlyStoppingOptions{.min_delta = 0.01, .patience = 2, .restore_best_weights = true});
  History history = model.fit(x, y, {.batch_size = 10, .epochs = 6, .verbose = 0, .callbacks = {script, stopper}});
  CHECK(history.epoch == std::vector<int>{0, 1, 2, 3});
  CHECK(stopper->stopped_epoch() == 3);
  CHECK(stopper->best_epoch() == 1);
  CHECK(same_weights(script->weights_by_epoch[1], model.weights()));
  CHECK(history["val_loss"] == std::vector<double>{0.9, 0.5, 0.495, 0.6});
}

TEST_CASE("EarlyStopping maximizes accuracies and honours a baseline", "[callbacks]") {
  auto [x, y] = separable_points(40, 1);
  Sequential model = compiled_classifier();
  auto script = std::make_shared<ScriptedValue>("val_accuracy", std::vector<double>{0.5, 0.6, 0.7, 0.8, 0.9});
  auto stopper = std::make_shared<callbacks::EarlyStopping>(
      callbacks::EarlyStoppingOptions{.monitor = "val_accuracy", .patience = 1, .baseline = 0.95});
  // Improving but never beating the baseline: the wait grows every epoch.
  History history = model.fit(x, y, {.batch_size = 10, .epochs = 5, .verbose = 0, .callbacks = {script, stopper}});
  CHECK(history.epoch.size() == 2);
  CHECK(stopper->stopped_epoch() == 1);
  CHECK(stopper->best_epoch() == 1);
}

TEST_CASE("ModelCheckpoint saves only improvements with save_best_only", "[callbacks]") {
  TempDir dir("checkpoint");
  auto [x, y] = separable_points(40, 1);
  Sequential model = compiled_classifier();
  auto script = std::make_shared<ScriptedValue>("val_loss", std::vector<double>{0.9, 0.95, 0.5, 0.7});
  auto checkpoint = std::make_shared<callbacks::ModelCheckpoint>(
      dir.file("w-{epoch:02d}-{val_loss:.2f}.h5"),
      callbacks::ModelCheckpointOptions{.save_best_only = true, .save_weights_only = true});
  model.fit(x, y, {.batch_size = 10, .epochs = 4, .verbose = 0, .callbacks = {script, checkpoint}});
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) files.push_back(entry.path().filename());
  std::sort(files.begin(), files.end());
  CHECK(files == std::vector<std::string>{"w-01-0.90.h5", "w-03-0.50.h5"});
  // The epoch-3 file holds the weights at the end of epoch 3.
  Sequential loaded = small_classifier(99);
  loaded.load_weights(dir.file("w-03-0.50.h5"));
  CHECK(same_weights(script->weights_by_epoch[2], loaded.weights()));
}

TEST_CASE("ModelCheckpoint formats file names like Python's str.format", "[callbacks]") {
  callbacks::ModelCheckpoint checkpoint("m-{epoch:03d}-{loss:.3f}-{{x}}.h5");
  Logs logs;
  logs.set("loss", 0.12345);
  CHECK(checkpoint.format_filepath(4, logs) == "m-005-0.123-{x}.h5");
  callbacks::ModelCheckpoint missing("m-{val_acc}.h5");
  CHECK_THROWS_WITH(missing.format_filepath(0, logs),
                    "Failed to format this callback filepath: \"m-{val_acc}.h5\". Reason: 'val_acc' is not in the logs");
}

TEST_CASE("CSVLogger writes Keras's CSV: epoch, then the sorted keys", "[callbacks]") {
  TempDir dir("csv");
  const std::string path = dir.file("history.csv");
  callbacks::CSVLogger logger(path);
  logger.on_train_begin({});
  Logs logs;
  logs.set("loss", 0.5);
  logs.set("accuracy", 0.25);
  logger.on_epoch_end(0, logs);
  logs.set("loss", 0.1);  // a float32 value as Keras's logs hold it
  logger.on_epoch_end(1, logs);
  CHECK(read_text(path) == "epoch,accuracy,loss\r\n0,0.25,0.5\r\n1,0.25,0.10000000149011612\r\n");

  callbacks::CSVLogger appender(path, {.append = true});
  appender.on_train_begin({});
  appender.on_epoch_end(2, logs);
  CHECK(read_text(path) ==
        "epoch,accuracy,loss\r\n0,0.25,0.5\r\n1,0.25,0.10000000149011612\r\n2,0.25,0.10000000149011612\r\n");
}

TEST_CASE("CSVLogger through fit matches the History", "[callbacks]") {
  TempDir dir("csv-fit");
  auto [x, y] = separable_points(40, 2);
  Sequential model = compiled_classifier();
  History history = model.fit(
      x, y, {.batch_size = 10, .epochs = 2, .verbose = 0, .callbacks = {std::make_shared<callbacks::CSVLogger>(dir.file("h.csv"))}});
  std::istringstream lines(read_text(dir.file("h.csv")));
  std::string header, row0, row1;
  std::getline(lines, header);
  std::getline(lines, row0);
  std::getline(lines, row1);
  CHECK(header == "epoch,accuracy,loss\r");
  const auto format = [](double v) { return fmt::format("{}", static_cast<double>(static_cast<float>(v))); };
  CHECK(row1 == fmt::format("1,{},{}\r", format(history["accuracy"][1]), format(history["loss"][1])));
}

TEST_CASE("TerminateOnNaN stops at the first NaN batch and says where", "[callbacks]") {
  auto [x, y] = separable_points(40, 3);
  x.at({25, 0}) = std::numeric_limits<float>::quiet_NaN();
  Sequential model = compiled_classifier();
  std::ostringstream out;
  auto* old = std::cout.rdbuf(out.rdbuf());
  History history = model.fit(x, y, {.batch_size = 10, .epochs = 3, .verbose = 0, .callbacks = {std::make_shared<callbacks::TerminateOnNaN>()}, .shuffle = false});
  std::cout.rdbuf(old);
  CHECK(out.str() == "Epoch 1, batch 2: Invalid loss, terminating training\n");
  CHECK(history.epoch.size() == 1);
  CHECK(model.stop_training);
}

TEST_CASE("LearningRateScheduler sets the rate per epoch and logs it", "[callbacks]") {
  auto [x, y] = separable_points(20, 4);
  Sequential model = compiled_classifier();
  auto scheduler = std::make_shared<callbacks::LearningRateScheduler>(
      [](int epoch, float lr) { return epoch == 0 ? 0.5f : lr / 2; });
  History history = model.fit(x, y, {.batch_size = 10, .epochs = 3, .verbose = 0, .callbacks = {scheduler}});
  CHECK(history["lr"] == std::vector<double>{0.5, 0.25, 0.125});
  CHECK(model.optimizer()->learning_rate() == 0.125f);
}

TEST_CASE("ReduceLROnPlateau divides the rate after patience epochs, then cools down", "[callbacks]") {
  auto [x, y] = separable_points(20, 4);
  Sequential model = small_classifier(7);
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 1.0}), .loss = "sparse_categorical_crossentropy"});
  auto script = std::make_shared<ScriptedValue>("val_loss", std::vector<double>{1, 1, 1, 1, 1, 1});
  auto reducer = std::make_shared<callbacks::ReduceLROnPlateau>(
      callbacks::ReduceLROnPlateauOptions{.factor = 0.5, .patience = 2, .cooldown = 1});
  History history = model.fit(x, y, {.batch_size = 10, .epochs = 6, .verbose = 0, .callbacks = {script, reducer}});
  // "lr" is logged before that epoch's reduction. Epoch 0 sets the best; 1 and 2 wait →
  // reduce at 2 and start a cooldown of 1. Epoch 3 ends the cooldown and, as in Keras,
  // already counts a wait in the same epoch; 4 waits → reduce at 4; 5 ends that cooldown.
  CHECK(history["lr"] == std::vector<double>{1.0, 1.0, 1.0, 0.5, 0.5, 0.25});
  CHECK(model.optimizer()->learning_rate() == 0.25f);
  CHECK_THROWS_WITH(callbacks::ReduceLROnPlateau({.factor = 1.0}),
                    "ReduceLROnPlateau does not support a factor >= 1.0. Got 1");
}

TEST_CASE("a user callback sees every hook in Keras's order", "[callbacks]") {
  struct Recorder final : callbacks::Callback {
    std::vector<std::string> events;
    void on_train_begin(const Logs&) override { events.push_back("train_begin"); }
    void on_epoch_begin(int e, const Logs&) override { events.push_back("epoch_begin " + std::to_string(e)); }
    void on_train_batch_end(std::size_t b, const Logs& logs) override {
      events.push_back("batch_end " + std::to_string(b) + (logs.contains("loss") ? " loss" : ""));
    }
    void on_epoch_end(int e, Logs& logs) override {
      events.push_back("epoch_end " + std::to_string(e) + (logs.contains("val_loss") ? " val_loss" : ""));
    }
    void on_train_end(const Logs&) override { events.push_back("train_end"); }
  };
  auto [x, y] = separable_points(20, 5);
  Sequential model = compiled_classifier();
  auto recorder = std::make_shared<Recorder>();
  model.fit(x, y, {.batch_size = 10, .epochs = 2, .verbose = 0, .callbacks = {recorder}, .validation_data = std::pair{x, y}});
  CHECK(recorder->events == std::vector<std::string>{"train_begin", "epoch_begin 0", "batch_end 0 loss", "batch_end 1 loss",
                                                     "epoch_end 0 val_loss", "epoch_begin 1", "batch_end 0 loss",
                                                     "batch_end 1 loss", "epoch_end 1 val_loss", "train_end"});
  CHECK(&recorder->model() == &model);
  CHECK(recorder->params().steps == 2);
  CHECK_THROWS_WITH(callbacks::TerminateOnNaN().model(), Catch::StartsWith("This callback is not attached to a model"));
}
