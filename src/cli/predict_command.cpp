// `strata predict MODEL.h5 INPUT.npy OUTPUT.npy`: the model's outputs for the inputs.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "strata/npy.hpp"
#include "strata/sequential.hpp"

namespace strata::cli {
namespace {

struct PredictArgs {
  std::string model_path, input_path, output_path;
  std::size_t batch_size = 256;
};

void run_predict(const PredictArgs& args) {
  Sequential model = load_model(args.model_path);
  const Tensor x = load_npy(args.input_path);
  const Tensor y = model.predict(x, {.batch_size = args.batch_size});
  save_npy(args.output_path, y);
  std::string shape;
  for (std::size_t d : y.shape()) shape += fmt::format("{}{}", shape.empty() ? "" : ", ", d);
  std::cout << fmt::format("wrote {} ({})\n", args.output_path, shape);
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto args = std::make_shared<PredictArgs>();
  auto* cmd = app.add_subcommand("predict", "Run a saved model (.h5) on inputs from a .npy file");
  cmd->add_option("model", args->model_path, "A model saved by `strata train` or Keras's model.save('x.h5')")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("input", args->input_path, "Inputs (.npy), samples first")->required()->check(CLI::ExistingFile);
  cmd->add_option("output", args->output_path, "Where to write the outputs (.npy)")->required();
  cmd->add_option("--batch-size", args->batch_size, "Batch size")->check(CLI::Range(1, 1 << 20))->capture_default_str();
  cmd->callback([args] { run_predict(*args); });
}

}  // namespace strata::cli
