// The `strata` subcommands: each file adds one to the app and runs it from its callback.
// A callback reports failure by throwing; main prints `strata: error: ...` and exits 1.
#pragma once

namespace CLI {
class App;
}

namespace strata::cli {

void add_demo_command(CLI::App& app);
void add_summary_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_study_command(CLI::App& app);

}  // namespace strata::cli
