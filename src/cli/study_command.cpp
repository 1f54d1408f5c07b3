// `strata study activations`: trains the seed CNN once per activation and seed on
// Fashion-MNIST (same seeds, optimizer and epochs for every activation), then writes the
// results table, per-run histories and the plots into --out (see study.hpp). The reports
// are rewritten after every run, so an interrupted study keeps what it finished.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "commands.hpp"
#include "fashion_mnist_inputs.hpp"
#include "plot.hpp"
#include "strata/callbacks.hpp"
#include "strata/error.hpp"
#include "strata/random.hpp"
#include "strata/seed_cnn.hpp"
#include "strata/sequential.hpp"
#include "study.hpp"

namespace strata::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct StudyArgs {
  std::string activations = "all";
  std::string seeds = "3";
  int epochs = 12;
  std::size_t batch_size = 64;
  std::string optimizer = "adam";
  std::optional<double> learning_rate;
  double lr_decay = 0.85;
  double validation_split = 0.1;
  std::size_t subset = 0;
  std::size_t test_subset = 0;
  int verbose = 1;
  std::string out = "strata-study";
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) items.push_back(item);
  return items;
}

// "3" means three seeds, 1, 2 and 3; "7,11,13" (a comma anywhere: "42,") lists them.
std::vector<std::uint64_t> parse_seeds(const std::string& text) {
  const auto number = [&](const std::string& item) {
    std::size_t used = 0;
    unsigned long long value = 0;
    try {
      value = std::stoull(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || item.empty() || item[0] == '-')
      throw ValueError(fmt::format("--seeds: expected a count or a comma-separated list of seeds, got '{}'", text));
    return static_cast<std::uint64_t>(value);
  };
  std::vector<std::uint64_t> seeds;
  if (text.find(',') == std::string::npos) {
    const std::uint64_t count = number(text);
    if (count < 1 || count > 1000) throw ValueError(fmt::format("--seeds: the count must be 1..1000, got {}", count));
    for (std::uint64_t s = 1; s <= count; ++s) seeds.push_back(s);
    return seeds;
  }
  for (const auto& item : split_list(text)) {
    const std::uint64_t seed = number(item);
    if (std::find(seeds.begin(), seeds.end(), seed) != seeds.end())
      throw ValueError(fmt::format("--seeds: seed {} is listed twice", seed));
    seeds.push_back(seed);
  }
  if (seeds.empty()) throw ValueError(fmt::format("--seeds: no seed in '{}'", text));
  return seeds;
}

std::vector<std::string> parse_activations(const std::string& text) {
  std::vector<std::string> keys;
  if (text == "all") {
    for (const auto& spec : study::activation_specs()) keys.push_back(spec.key);
    return keys;
  }
  for (const auto& key : split_list(text)) {
    study::find_activation(key);  // throws for an unknown key
    if (std::find(keys.begin(), keys.end(), key) != keys.end())
      throw ValueError(fmt::format("--activations: '{}' is listed twice", key));
    keys.push_back(key);
  }
  if (keys.empty()) throw ValueError("--activations: no activation given");
  return keys;
}

Tensor rows(const Tensor& x, std::size_t begin, std::size_t end) {
  Shape shape = x.shape();
  const std::size_t row = x.size() / shape[0];
  shape[0] = end - begin;
  Tensor out = Tensor::empty(shape);
  if (out.size()) std::memcpy(out.data(), x.data() + begin * row, out.size() * sizeof(float));
  return out;
}

struct StudyData {
  datasets::Split train, validation, test;
};

// Keras's validation_split: the last fraction of the (subset of the) training set.
StudyData load_data(const StudyArgs& args) {
  auto data = load_fashion_mnist(args.subset);
  const std::size_t n = data.train.x.shape()[0];
  const auto split_at = static_cast<std::size_t>(static_cast<double>(n) * (1.0 - args.validation_split));
  if (split_at == 0 || split_at == n)
    throw ValueError(fmt::format("--validation-split {} of {} samples leaves no training or no validation sample",
                                 args.validation_split, n));
  StudyData out;
  out.train = {rows(data.train.x, 0, split_at), rows(data.train.y, 0, split_at)};
  out.validation = {rows(data.train.x, split_at, n), rows(data.train.y, split_at, n)};
  const std::size_t tests = data.test.x.shape()[0];
  const std::size_t keep = args.test_subset > 0 ? std::min(args.test_subset, tests) : tests;
  out.test = {rows(data.test.x, 0, keep), rows(data.test.y, 0, keep)};
  return out;
}

// Times each epoch and prints one short line per epoch when asked.
class EpochReporter final : public callbacks::Callback {
 public:
  EpochReporter(std::string prefix, bool print) : prefix_(std::move(prefix)), print_(print) {}
  void on_epoch_begin(int, const Logs&) override { start_ = Clock::now(); }
  void on_epoch_end(int epoch, Logs& logs) override {
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    total_ += seconds;
    ++epochs_;
    if (!print_) return;
    std::cout << fmt::format("{} epoch {}/{}: {:.1f}s - loss {:.4f} - accuracy {:.4f} - val_loss {:.4f} - "
                             "val_accuracy {:.4f}\n",
                             prefix_, epoch + 1, params().epochs, seconds, logs.get("loss").value_or(NAN),
                             logs.get("accuracy").value_or(NAN), logs.get("val_loss").value_or(NAN),
                             logs.get("val_accuracy").value_or(NAN))
              << std::flush;
  }
  double seconds_per_epoch() const { return epochs_ ? total_ / epochs_ : 0.0; }

 private:
  std::string prefix_;
  bool print_;
  Clock::time_point start_{};
  double total_ = 0;
  int epochs_ = 0;
};

study::RunResult run_one(const StudyArgs& args, const StudyData& data, const study::ActivationSpec& spec,
                         std::uint64_t seed, const std::string& prefix) {
  namespace fs = std::filesystem;
  const auto start = Clock::now();
  // Fresh default names (conv2d, p_re_lu, ...) for every run, and the same initial
  // weights for every activation of a seed: none of the activations draws at build.
  backend::clear_session();
  set_random_seed(seed);
  Sequential model = seed_cnn({.activation = [&spec, position = std::size_t{0}]() mutable {
    return spec.make(position++);
  }});

  auto optimizer = optimizers::get(args.optimizer);
  if (args.learning_rate) optimizer->set_learning_rate(static_cast<float>(*args.learning_rate));
  if (args.lr_decay != 1.0) {
    // The rate times lr_decay per epoch, applied per step, as `strata train --lr-decay`.
    const auto steps_per_epoch = static_cast<std::int64_t>(
        std::ceil(static_cast<double>(data.train.x.shape()[0]) / static_cast<double>(args.batch_size)));
    optimizer->set_learning_rate(optimizers::ExponentialDecay({.initial_learning_rate = optimizer->learning_rate(),
                                                               .decay_steps = steps_per_epoch,
                                                               .decay_rate = args.lr_decay}));
  }
  model.compile({.optimizer = optimizer, .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});

  const fs::path run_dir = fs::path(args.out) / "runs" / fmt::format("{}-seed{}", spec.key, seed);
  fs::create_directories(run_dir);
  auto reporter = std::make_shared<EpochReporter>(prefix, args.verbose >= 1);
  study::RunResult result;
  result.activation = spec.key;
  result.seed = seed;
  result.history = model.fit(data.train.x, data.train.y,
                             {.batch_size = args.batch_size,
                              .epochs = args.epochs,
                              .verbose = 0,
                              .callbacks = {std::make_shared<callbacks::CSVLogger>((run_dir / "history.csv").string()),
                                            reporter, std::make_shared<callbacks::TerminateOnNaN>()},
                              .validation_data = std::make_pair(data.validation.x, data.validation.y),
                              .seed = seed});
  result.seconds_per_epoch = reporter->seconds_per_epoch();
  result.fit_loss = result.history["loss"].back();
  result.fit_accuracy = result.history["accuracy"].back();

  const EvaluateOptions quiet{.batch_size = 256, .verbose = 0};
  const Logs train = model.evaluate(data.train.x, data.train.y, quiet);
  const Logs validation = model.evaluate(data.validation.x, data.validation.y, quiet);
  const Logs test = model.evaluate(data.test.x, data.test.y, quiet);
  result.train_loss = train.at("loss");
  result.train_accuracy = train.at("accuracy");
  result.val_loss = validation.at("loss");
  result.val_accuracy = validation.at("accuracy");
  result.test_loss = test.at("loss");
  result.test_accuracy = test.at("accuracy");
  result.slopes = study::prelu_slopes(model);
  plot_history(result.history, run_dir.string());
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

std::string effective_command(const StudyArgs& args, const std::vector<std::string>& activations,
                              const std::vector<std::uint64_t>& seeds) {
  std::string command = fmt::format("strata study activations --activations {} --seeds {}{} --epochs {}",
                                    fmt::join(activations, ","), fmt::join(seeds, ","), seeds.size() == 1 ? "," : "",
                                    args.epochs);
  command += fmt::format(" --batch-size {} --optimizer {}", args.batch_size, args.optimizer);
  if (args.learning_rate) command += fmt::format(" --lr {}", *args.learning_rate);
  command += fmt::format(" --lr-decay {} --validation-split {} --subset {}", args.lr_decay, args.validation_split,
                         args.subset);
  if (args.test_subset) command += fmt::format(" --test-subset {}", args.test_subset);
  return command + fmt::format(" --out {}", args.out);
}

void run_study(const StudyArgs& args) {
  const std::vector<std::string> keys = parse_activations(args.activations);
  const std::vector<std::uint64_t> seeds = parse_seeds(args.seeds);
  optimizers::get(args.optimizer);  // an unknown name fails before the data is read
  const StudyData data = load_data(args);
  std::filesystem::create_directories(args.out);

  study::StudySettings settings;
  settings.command = effective_command(args, keys, seeds);
  settings.activations = keys;
  settings.seeds = seeds;
  settings.epochs = args.epochs;
  settings.batch_size = args.batch_size;
  settings.optimizer = optimizers::get(args.optimizer)->class_name();
  settings.learning_rate = args.learning_rate ? *args.learning_rate : optimizers::get(args.optimizer)->learning_rate();
  settings.lr_decay = args.lr_decay;
  settings.train_samples = data.train.x.shape()[0];
  settings.validation_samples = data.validation.x.shape()[0];
  settings.test_samples = data.test.x.shape()[0];

  const std::size_t total = keys.size() * seeds.size();
  std::cout << fmt::format("study: {} activation{} x {} seed{}, {} epoch{} each; {} training, {} validation, {} "
                           "test samples; writing into {}\n",
                           keys.size(), keys.size() == 1 ? "" : "s", seeds.size(), seeds.size() == 1 ? "" : "s",
                           args.epochs, args.epochs == 1 ? "" : "s", settings.train_samples,
                           settings.validation_samples, settings.test_samples, args.out)
            << std::flush;
  // Seeds outer: an interrupted study has compared every activation on the first seeds.
  std::vector<study::RunResult> runs;
  const auto start = Clock::now();
  for (const std::uint64_t seed : seeds) {
    for (const auto& key : keys) {
      const std::string prefix = fmt::format("[{}/{}] {} seed {}", runs.size() + 1, total, key, seed);
      runs.push_back(run_one(args, data, study::find_activation(key), seed, prefix));
      const auto& r = runs.back();
      std::cout << fmt::format("{}: {} epoch{}, {:.1f} s/epoch - train_accuracy {:.4f} - val_accuracy {:.4f} - "
                               "test_accuracy {:.4f}\n",
                               prefix, r.history.epoch.size(), r.history.epoch.size() == 1 ? "" : "s", r.seconds_per_epoch, r.train_accuracy,
                               r.val_accuracy, r.test_accuracy)
                << std::flush;
      study::write_reports(settings, runs, args.out);
    }
  }
  const double minutes = std::chrono::duration<double>(Clock::now() - start).count() / 60.0;
  const auto files = study::write_reports(settings, runs, args.out);
  std::cout << fmt::format("study done in {:.1f} min; wrote {}\n", minutes, fmt::join(files, ", "));
}

}  // namespace

void add_study_command(CLI::App& app) {
  auto* study = app.add_subcommand("study", "Experiments that train many models and report on them");
  study->require_subcommand(1);
  auto args = std::make_shared<StudyArgs>();
  auto* cmd = study->add_subcommand(
      "activations",
      "Train the seed CNN on Fashion-MNIST with each activation (relu, leaky_0.01, leaky_0.3, prelu_shared, prelu, "
      "rrelu, elu, gelu, silu) over several seeds; write results.md, results.csv, runs.csv and plots");
  cmd->add_option("--activations", args->activations, "Comma-separated activation keys, or all")
      ->capture_default_str();
  cmd->add_option("--seeds", args->seeds, "A count N (seeds 1..N) or a comma-separated list of seeds")
      ->capture_default_str();
  cmd->add_option("--epochs", args->epochs, "Epochs per run")->check(CLI::Range(1, 100000))->capture_default_str();
  cmd->add_option("--batch-size", args->batch_size, "Batch size")->check(CLI::Range(1, 1 << 20))->capture_default_str();
  cmd->add_option("--optimizer", args->optimizer, "sgd, adam, adamw, rmsprop or adagrad (Keras defaults)")
      ->capture_default_str();
  cmd->add_option("--lr", args->learning_rate, "Learning rate (default: the optimizer's)");
  cmd->add_option("--lr-decay", args->lr_decay, "Multiply the learning rate by this per epoch (1: constant)")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  cmd->add_option("--validation-split", args->validation_split, "Fraction of the training set held out")
      ->check(CLI::Range(0.01, 0.9))
      ->capture_default_str();
  cmd->add_option("--subset", args->subset, "Use only the first N training samples (0: all)")->capture_default_str();
  cmd->add_option("--test-subset", args->test_subset, "Evaluate on the first N test samples only (0: all)")
      ->capture_default_str();
  cmd->add_option("--verbose", args->verbose, "0: one line per run, 1: also one line per epoch")
      ->check(CLI::Range(0, 1))
      ->capture_default_str();
  cmd->add_option("--out", args->out, "Output folder")->capture_default_str();
  cmd->callback([args] { run_study(*args); });
}

}  // namespace strata::cli
