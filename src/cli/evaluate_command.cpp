// `strata evaluate MODEL.h5`: the loss and accuracy of a saved model on the Fashion-MNIST
// test set, or on --x/--y .npy files.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "fashion_mnist_inputs.hpp"
#include "strata/error.hpp"
#include "strata/npy.hpp"
#include "strata/sequential.hpp"

namespace strata::cli {
namespace {

struct EvaluateArgs {
  std::string model_path, x_path, y_path;
  std::size_t batch_size = 256;
  int verbose = 0;
};

void run_evaluate(const EvaluateArgs& args) {
  if (args.x_path.empty() != args.y_path.empty()) throw ValueError("give both --x and --y, or neither");
  Sequential model = load_model(args.model_path);
  // A weights-and-config file without a training config: evaluate as the CLI trains.
  if (!model.compiled()) model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  const bool own_data = !args.x_path.empty();
  Tensor x, y;
  if (own_data) {
    x = load_npy(args.x_path);
    y = load_npy(args.y_path);
  } else {
    auto data = load_fashion_mnist();
    x = std::move(data.test.x);
    y = std::move(data.test.y);
  }
  const Logs logs = model.evaluate(x, y, {.batch_size = args.batch_size, .verbose = args.verbose});
  std::string line;
  for (const auto& [key, value] : logs.items())
    line += fmt::format("{}{}{}: {:.4f}", line.empty() ? "" : " - ", own_data ? "" : "test_", key, value);
  std::cout << line << "\n";
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
  auto args = std::make_shared<EvaluateArgs>();
  auto* cmd = app.add_subcommand("evaluate", "Evaluate a saved model (.h5) on the Fashion-MNIST test set or on .npy files");
  cmd->add_option("model", args->model_path, "A model saved by `strata train` or Keras's model.save('x.h5')")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--x", args->x_path, "Inputs (.npy), samples first")->check(CLI::ExistingFile);
  cmd->add_option("--y", args->y_path, "Targets (.npy)")->check(CLI::ExistingFile);
  cmd->add_option("--batch-size", args->batch_size, "Batch size")->check(CLI::Range(1, 1 << 20))->capture_default_str();
  cmd->add_option("--verbose", args->verbose, "0 silent, 1 progress bar")->check(CLI::Range(0, 2))->capture_default_str();
  cmd->callback([args] { run_evaluate(*args); });
}

}  // namespace strata::cli
