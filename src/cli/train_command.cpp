// `strata train [MODEL.json]`: trains a Keras model config (or the built-in seed CNN) on
// Fashion-MNIST, then writes the model, history.csv and a plot of the curves into --out.
// The last line printed is `test_loss: 0.2567 - test_accuracy: 0.9123` for scripts.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "fashion_mnist_inputs.hpp"
#include "plot.hpp"
#include "strata/callbacks.hpp"
#include "strata/error.hpp"
#include "strata/seed_cnn.hpp"
#include "strata/sequential.hpp"
#include "strata/random.hpp"

namespace strata::cli {
namespace {

struct TrainArgs {
  std::string model_path;
  std::string builtin = "seed-cnn";
  double dropout = 0.0;
  int epochs = 10;
  std::size_t batch_size = 64;
  std::string optimizer = "adam";
  std::optional<float> learning_rate;
  std::optional<double> lr_decay;
  std::uint64_t seed = 42;
  double validation_split = 0.1;
  std::size_t subset = 0;
  int verbose = -1;
  std::string out = "strata-run";
};

Sequential load_or_build(const TrainArgs& args) {
  if (!args.model_path.empty()) {
    if (args.dropout > 0.0)
      throw ValueError("--dropout: only for the built-in models; add Dropout layers to MODEL.json instead");
    std::ifstream in(args.model_path, std::ios::binary);
    if (!in) throw IOError(fmt::format("cannot open '{}'", args.model_path));
    std::ostringstream text;
    text << in.rdbuf();
    return model_from_json(text.str());
  }
  if (args.builtin == "seed-cnn") return seed_cnn({.dropout = args.dropout});
  if (args.builtin == "seed-cnn-bn") return seed_cnn({.batch_normalization = true, .dropout = args.dropout});
  throw ValueError(fmt::format("--builtin: unknown model '{}' (known: seed-cnn, seed-cnn-bn)", args.builtin));
}

void run_train(const TrainArgs& args) {
  set_random_seed(args.seed);  // weights, dropout and shuffling all follow the seed
  Sequential model = load_or_build(args);  // before the data: a bad model fails fast
  const auto data = load_fashion_mnist(args.subset);
  model.summary();

  auto optimizer = optimizers::get(args.optimizer);
  if (args.learning_rate) optimizer->set_learning_rate(*args.learning_rate);
  if (args.lr_decay) {
    // The rate times lr_decay per epoch, applied per step (ExponentialDecay, not staircase).
    const double train_samples = static_cast<double>(data.train.x.shape()[0]) * (1.0 - args.validation_split);
    const auto steps_per_epoch = static_cast<std::int64_t>(std::ceil(train_samples / static_cast<double>(args.batch_size)));
    optimizer->set_learning_rate(optimizers::ExponentialDecay({.initial_learning_rate = optimizer->learning_rate(),
                                                               .decay_steps = steps_per_epoch,
                                                               .decay_rate = *args.lr_decay}));
  }
  model.compile({.optimizer = optimizer, .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});

  std::filesystem::create_directories(args.out);
  const std::string history_csv = (std::filesystem::path(args.out) / "history.csv").string();
  const auto start = std::chrono::steady_clock::now();
  History history = model.fit(data.train.x, data.train.y,
                              {.batch_size = args.batch_size,
                               .epochs = args.epochs,
                               .verbose = args.verbose >= 0 ? args.verbose : 1,
                               .callbacks = {std::make_shared<callbacks::CSVLogger>(history_csv),
                                             std::make_shared<callbacks::TerminateOnNaN>()},
                               .validation_split = args.validation_split,
                               .seed = args.seed});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const std::string model_path = (std::filesystem::path(args.out) / "model.h5").string();
  model.save(model_path);
  const std::string plot_path = plot_history(history, args.out);
  const Logs test = model.evaluate(data.test.x, data.test.y, {.batch_size = 256, .verbose = 0});
  std::cout << fmt::format("trained {} epochs in {:.1f}s; wrote {}, {}, {}\n", history.epoch.size(), seconds,
                           model_path, history_csv, plot_path);
  std::cout << fmt::format("test_loss: {:.4f} - test_accuracy: {:.4f}\n", test.at("loss"), test.at("accuracy"));
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand("train", "Train a model on Fashion-MNIST (the seed CNN unless MODEL.json is given)");
  cmd->add_option("model", args->model_path, "A Keras model config (tf.keras 2.x or Keras 3 JSON)")->check(CLI::ExistingFile);
  cmd->add_option("--builtin", args->builtin, "Built-in model when no MODEL.json: seed-cnn or seed-cnn-bn")
      ->check(CLI::IsMember({"seed-cnn", "seed-cnn-bn"}))
      ->capture_default_str();
  cmd->add_option("--dropout", args->dropout,
                  "Built-in model: Dropout with this rate after each pooling, Flatten and the hidden Dense (0: none)")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  cmd->add_option("--epochs", args->epochs, "Epochs")->check(CLI::Range(1, 100000))->capture_default_str();
  cmd->add_option("--batch-size", args->batch_size, "Batch size")->check(CLI::Range(1, 1 << 20))->capture_default_str();
  cmd->add_option("--optimizer", args->optimizer, "sgd, adam, adamw, rmsprop or adagrad (Keras defaults)")
      ->capture_default_str();
  cmd->add_option("--lr", args->learning_rate, "Learning rate (default: the optimizer's)");
  cmd->add_option("--lr-decay", args->lr_decay, "Multiply the learning rate by this per epoch (ExponentialDecay)")
      ->check(CLI::Range(0.01, 1.0));
  cmd->add_option("--seed", args->seed, "Seed for weights, shuffling and dropout")->capture_default_str();
  cmd->add_option("--validation-split", args->validation_split, "Fraction of the training set held out")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  cmd->add_option("--subset", args->subset, "Use only the first N training samples (0: all)")->capture_default_str();
  cmd->add_option("--verbose", args->verbose, "0 silent, 1 progress bar, 2 one line per epoch")->check(CLI::Range(0, 2));
  cmd->add_option("--out", args->out, "Output folder")->capture_default_str();
  cmd->callback([args] { run_train(*args); });
}

}  // namespace strata::cli
