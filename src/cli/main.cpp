// The `strata` command-line tool.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "commands.hpp"
#include "strata/strata.hpp"

int main(int argc, char** argv) {
  CLI::App app{"strata: Keras-style deep learning in C++"};
  app.set_version_flag("--version", std::string(strata::version()));
  app.require_subcommand(1);
  // Bad arguments read like every other failure: `strata: error: ...`, exit code non-zero.
  app.failure_message(
      [](const CLI::App* a, const CLI::Error& e) { return "strata: error: " + CLI::FailureMessage::simple(a, e); });
  strata::cli::add_demo_command(app);
  strata::cli::add_summary_command(app);
  strata::cli::add_train_command(app);
  strata::cli::add_evaluate_command(app);
  strata::cli::add_predict_command(app);
  strata::cli::add_study_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "strata: error: " << e.what() << "\n";
    return 1;
  } catch (...) {  // a user layer may throw anything; still no abort
    std::cerr << "strata: error: unknown exception\n";
    return 1;
  }
  return 0;
}
