// `strata summary MODEL.json|MODEL.h5`: prints Keras's model.summary() table for a model
// config (tf.keras 2.x or Keras 3 JSON, or the model_config of a whole-model .h5 file).
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "../saving/model_file.hpp"
#include "commands.hpp"
#include "strata/error.hpp"
#include "strata/sequential.hpp"

namespace strata::cli {
namespace {

struct SummaryArgs {
  std::string model_path;
  std::string style = "tf2.0";
  std::size_t line_length = 0;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IOError("Unable to open file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void run_summary(const SummaryArgs& args) {
  const SummaryOptions options{.style = parse_summary_style(args.style), .line_length = args.line_length};
  // Decided by content, so a .json name on an HDF5 file (or the reverse) still works.
  const std::string json = saving::is_hdf5_file(args.model_path) ? saving::read_model_config_text(args.model_path)
                                                                 : read_text(args.model_path);
  Sequential model = [&] {
    try {
      return model_from_json(json);
    } catch (const ConfigError& e) {
      throw ConfigError(args.model_path + ": " + e.what());  // say which file
    }
  }();
  std::cout << model.summary_string(options);
}

}  // namespace

void add_summary_command(CLI::App& app) {
  auto args = std::make_shared<SummaryArgs>();
  auto* command = app.add_subcommand("summary", "Print a model's summary table, as Keras's model.summary()");
  command->add_option("model", args->model_path, "Model config: Keras JSON (model.to_json()) or a whole-model .h5")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--style", args->style, "Keras version whose table to print: tf2.0, tf2.7, tf2.13 or keras3")
      ->check(CLI::IsMember({"tf2.0", "tf2.7", "tf2.13", "keras3"}))
      ->capture_default_str();
  command->add_option("--line-length", args->line_length, "Total table width (0: the style's default)")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  command->callback([args] { run_summary(*args); });
}

}  // namespace strata::cli
