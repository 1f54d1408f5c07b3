// The reports of `strata study activations`: the results table (markdown and CSV, mean ±
// sample standard deviation over seeds), one CSV row per run, the learning curves and a
// plot of every activation with its derivative.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <numeric>
#include <optional>

#include "plot.hpp"
#include "serialization/atomic_file.hpp"
#include "strata/layers/leaky_re_lu.hpp"
#include "strata/layers/p_re_lu.hpp"
#include "strata/layers/r_re_lu.hpp"
#include "strata/strata.hpp"
#include "study.hpp"

namespace strata::cli::study {
namespace {

namespace fs = std::filesystem;

struct Stat {
  double mean = NAN, std = NAN;  // std: the sample standard deviation, NaN for one value
  std::size_t count = 0;
};

Stat stat(const std::vector<double>& values) {
  Stat s;
  s.count = values.size();
  if (values.empty()) return s;
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  if (values.size() < 2) return s;
  double squares = 0;
  for (double v : values) squares += (v - s.mean) * (v - s.mean);
  s.std = std::sqrt(squares / static_cast<double>(values.size() - 1));
  return s;
}

// One column of the tables: a name and how to read it from a run.
struct Column {
  const char* key;  // CSV stem: <key>_mean, <key>_std
  const char* title;
  double (*get)(const RunResult&);
  int decimals;
};

const std::vector<Column>& columns() {
  static const std::vector<Column> cols = {
      {"train_loss", "train loss", [](const RunResult& r) { return r.train_loss; }, 4},
      {"train_accuracy", "train accuracy", [](const RunResult& r) { return r.train_accuracy; }, 4},
      {"val_accuracy", "val accuracy", [](const RunResult& r) { return r.val_accuracy; }, 4},
      {"test_accuracy", "test accuracy", [](const RunResult& r) { return r.test_accuracy; }, 4},
      {"gap", "train–test gap", [](const RunResult& r) { return r.train_accuracy - r.test_accuracy; }, 4},
      {"seconds_per_epoch", "s/epoch", [](const RunResult& r) { return r.seconds_per_epoch; }, 1},
      // CSV only (after the markdown columns).
      {"val_loss", "val loss", [](const RunResult& r) { return r.val_loss; }, 4},
      {"test_loss", "test loss", [](const RunResult& r) { return r.test_loss; }, 4},
      {"fit_loss", "fit loss", [](const RunResult& r) { return r.fit_loss; }, 4},
      {"fit_accuracy", "fit accuracy", [](const RunResult& r) { return r.fit_accuracy; }, 4},
  };
  return cols;
}
constexpr std::size_t kMarkdownColumns = 6;

std::vector<const RunResult*> runs_of(const std::vector<RunResult>& runs, const std::string& key) {
  std::vector<const RunResult*> out;
  for (const auto& r : runs)
    if (r.activation == key) out.push_back(&r);
  return out;
}

Stat column_stat(const std::vector<const RunResult*>& runs, const Column& column) {
  std::vector<double> values;
  for (const RunResult* r : runs) values.push_back(column.get(*r));
  return stat(values);
}

std::string csv_number(double v) { return std::isnan(v) ? "" : fmt::format("{:.6f}", v); }

std::string format_stat(const Stat& s, int decimals) {
  if (std::isnan(s.std)) return fmt::format("{:.{}f}", s.mean, decimals);
  return fmt::format("{:.{}f} ± {:.{}f}", s.mean, decimals, s.std, decimals);
}

std::string runs_csv(const std::vector<RunResult>& runs) {
  std::string text = "activation,seed,epochs,train_loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,"
                     "gap,fit_loss,fit_accuracy,seconds_per_epoch,seconds\n";
  for (const auto& r : runs)
    text += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{:.3f},{:.3f}\n", r.activation, r.seed,
                        r.history.epoch.size(), csv_number(r.train_loss), csv_number(r.train_accuracy),
                        csv_number(r.val_loss), csv_number(r.val_accuracy), csv_number(r.test_loss),
                        csv_number(r.test_accuracy), csv_number(r.train_accuracy - r.test_accuracy),
                        csv_number(r.fit_loss), csv_number(r.fit_accuracy), r.seconds_per_epoch, r.seconds);
  return text;
}

std::string results_csv(const StudySettings& settings, const std::vector<RunResult>& runs) {
  std::string text = "activation,label,runs";
  for (const auto& c : columns()) text += fmt::format(",{0}_mean,{0}_std", c.key);
  text += "\n";
  for (const auto& key : settings.activations) {
    const auto mine = runs_of(runs, key);
    if (mine.empty()) continue;
    text += fmt::format("{},\"{}\",{}", key, find_activation(key).label, mine.size());
    for (const auto& c : columns()) {
      const Stat s = column_stat(mine, c);
      text += fmt::format(",{},{}", csv_number(s.mean), csv_number(s.std));
    }
    text += "\n";
  }
  return text;
}

// Slopes of one PReLU position pooled over seeds: the seeds' means, and every slope.
struct SlopeSummary {
  std::string layer;
  Shape shape;
  std::vector<double> seed_means;
  float min = std::numeric_limits<float>::infinity(), max = -std::numeric_limits<float>::infinity();
  std::size_t negative = 0, count = 0;
};

std::vector<SlopeSummary> summarize_slopes(const std::vector<const RunResult*>& runs) {
  std::vector<SlopeSummary> out;
  for (const RunResult* r : runs) {
    for (std::size_t i = 0; i < r->slopes.size(); ++i) {
      const auto& s = r->slopes[i];
      if (out.size() <= i) {
        out.emplace_back();
        out.back().layer = s.layer;
        out.back().shape = s.shape;
      }
      auto& sum = out[i];
      double total = 0;
      for (float a : s.alpha) {
        total += a;
        sum.min = std::min(sum.min, a);
        sum.max = std::max(sum.max, a);
        sum.negative += a < 0 ? 1 : 0;
      }
      sum.count += s.alpha.size();
      sum.seed_means.push_back(s.alpha.empty() ? 0.0 : total / static_cast<double>(s.alpha.size()));
    }
  }
  return out;
}

// The slope range a PReLU activation ended with over every layer and seed.
struct SlopeRange {
  float low = 0, high = 0, mean = 0;
  bool trained = false;
};
SlopeRange prelu_range(const std::vector<const RunResult*>& runs) {
  SlopeRange range;
  double total = 0;
  std::size_t count = 0;
  for (const RunResult* r : runs)
    for (const auto& s : r->slopes)
      for (float a : s.alpha) {
        if (count == 0) range.low = range.high = a;
        range.low = std::min(range.low, a);
        range.high = std::max(range.high, a);
        total += a;
        ++count;
      }
  if (count) range.mean = static_cast<float>(total / static_cast<double>(count)), range.trained = true;
  return range;
}

std::string results_md(const StudySettings& settings, const std::vector<RunResult>& runs) {
  std::string md = "# Activation study: the seed CNN on Fashion-MNIST\n\n";
  md += fmt::format("Made by strata {} with:\n\n```sh\n{}\n```\n\n", version(), settings.command);
  std::size_t done = 0;
  for (const auto& key : settings.activations) done += runs_of(runs, key).size();
  const std::size_t planned = settings.activations.size() * settings.seeds.size();
  if (done < planned) md += fmt::format("**Partial: {} of {} runs finished.**\n\n", done, planned);
  md += fmt::format(
      "{} epoch{} of {} (learning rate {:g}{}), batch size {}; {} training samples, {} held out for validation "
      "(the end of the training set), {} test samples; seeds {} (each seed gives every activation the same initial "
      "weights and the same batches).\n\n",
      settings.epochs, settings.epochs == 1 ? "" : "s", settings.optimizer, settings.learning_rate,
      settings.lr_decay != 1.0 ? fmt::format(", x{:g} per epoch", settings.lr_decay) : std::string(),
      settings.batch_size, settings.train_samples, settings.validation_samples, settings.test_samples,
      fmt::join(settings.seeds, ", "));

  md += "| activation | runs |";
  for (std::size_t i = 0; i < kMarkdownColumns; ++i) md += fmt::format(" {} |", columns()[i].title);
  md += "\n| --- | ---: |";
  for (std::size_t i = 0; i < kMarkdownColumns; ++i) md += " ---: |";
  md += "\n";
  for (const auto& key : settings.activations) {
    const auto mine = runs_of(runs, key);
    if (mine.empty()) continue;
    md += fmt::format("| {} (`{}`) | {} |", find_activation(key).label, key, mine.size());
    for (std::size_t i = 0; i < kMarkdownColumns; ++i)
      md += fmt::format(" {} |", format_stat(column_stat(mine, columns()[i]), columns()[i].decimals));
    md += "\n";
  }
  md +=
      "\nMean ± sample standard deviation over the seeds. Train loss and accuracy: the final model in inference mode "
      "on the samples it trained on (RReLU at its fixed inference slope), so the gap (train accuracy − test "
      "accuracy) compares like with like; fit's running training loss and accuracy of the last epoch (training "
      "mode) are `fit_loss` and `fit_accuracy` in results.csv. Validation and test: the final model. s/epoch: "
      "wall time of fit per epoch, validation included.\n";

  md += "\n## The activations\n\n| key | strata |\n| --- | --- |\n";
  for (const auto& key : settings.activations) md += fmt::format("| `{}` | `{}` |\n", key, find_activation(key).code);
  if (std::find(settings.activations.begin(), settings.activations.end(), "prelu_shared") != settings.activations.end())
    md += "\n`prelu_shared` shares each convolution's slopes over the spatial axes (one per channel); after the "
          "Dense layer, which has no spatial axes, it is `PReLU()` (one per unit). PReLU's slopes start at 0 "
          "(Keras's `alpha_initializer=\"zeros\"`).\n";

  bool prelu_header = false;
  for (const auto& key : settings.activations) {
    const auto summaries = summarize_slopes(runs_of(runs, key));
    if (summaries.empty()) continue;
    if (!prelu_header) {
      md += "\n## Learned PReLU slopes\n\nPer layer: the mean slope (mean ± std over seeds of each model's mean), "
            "and the range and share of negative slopes over every slope of every seed.\n\n"
            "| activation | layer | alpha shape | mean | min | max | negative |\n"
            "| --- | --- | --- | ---: | ---: | ---: | ---: |\n";
      prelu_header = true;
    }
    for (const auto& s : summaries)
      md += fmt::format("| `{}` | {} | {} | {} | {:.4f} | {:.4f} | {:.1f}% |\n", key, s.layer, shape_to_string(s.shape),
                        format_stat(stat(s.seed_means), 4), s.min, s.max,
                        s.count ? 100.0 * static_cast<double>(s.negative) / static_cast<double>(s.count) : 0.0);
  }
  if (std::find(settings.activations.begin(), settings.activations.end(), "rrelu") != settings.activations.end()) {
    const auto layer = find_activation("rrelu").make(0);
    const auto& options = dynamic_cast<const layers::RReLU&>(*layer).options();
    md += fmt::format(
        "\n## RReLU\n\nIn training every negative input gets its own slope drawn from U({:.4f}, {:.4f}), anew on "
        "each step; in inference the slope is fixed at their mean, {:.4f}.\n",
        options.lower, options.upper, (options.lower + options.upper) / 2.0);
  }
  md += "\n## Plots\n\n"
        "- `curves.svg`: training and validation loss and accuracy per epoch, the mean over seeds.\n"
        "- `activations.svg`: each activation (solid) and its derivative (dashed); the bands show PReLU's learned "
        "slopes (lowest to highest over all layers and seeds) and RReLU's training-time range.\n"
        "- `runs/<key>-seed<N>/`: each run's `history.csv` (Keras's CSVLogger) and `curves.svg`.\n\n"
        "![learning curves](curves.svg)\n\n![activations](activations.svg)\n";
  return md;
}

// tab10, then two more: one colour per activation line.
constexpr const char* kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                                    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#aec7e8"};
constexpr std::size_t kColourCount = sizeof kColours / sizeof kColours[0];

// The mean over runs of history[metric] at each epoch (runs stopped early count where they ran).
std::vector<double> mean_curve(const std::vector<const RunResult*>& runs, const std::string& metric) {
  std::vector<double> sum, count;
  for (const RunResult* r : runs) {
    const auto it = r->history.history.find(metric);
    if (it == r->history.history.end()) continue;
    for (std::size_t e = 0; e < it->second.size(); ++e) {
      if (sum.size() <= e) sum.push_back(0), count.push_back(0);
      sum[e] += it->second[e];
      count[e] += 1;
    }
  }
  for (std::size_t e = 0; e < sum.size(); ++e) sum[e] /= count[e];
  return sum;
}

std::string curves_script(const StudySettings& settings, const std::vector<RunResult>& runs) {
  static const char* const metrics[][2] = {{"loss", "training loss (fit, training mode)"},
                                           {"val_loss", "validation loss"},
                                           {"accuracy", "training accuracy (fit, training mode)"},
                                           {"val_accuracy", "validation accuracy"}};
  std::string script;
  std::vector<std::string> keys;
  for (const auto& key : settings.activations)
    if (!runs_of(runs, key).empty()) keys.push_back(key);
  for (std::size_t k = 0; k < keys.size(); ++k) {
    const auto mine = runs_of(runs, keys[k]);
    script += fmt::format("$c{} << EOD\n", k);
    std::vector<std::vector<double>> curves;
    for (const auto& m : metrics) curves.push_back(mean_curve(mine, m[0]));
    for (std::size_t e = 0; e < curves[0].size(); ++e) {
      script += fmt::format("{}", e + 1);
      for (const auto& c : curves) script += e < c.size() ? fmt::format(" {}", c[e]) : " NaN";
      script += "\n";
    }
    script += "EOD\n";
  }
  script += "set terminal svg size 1100,800 dynamic noenhanced font 'sans,11'\nset output ARG1\n";
  script += fmt::format("set multiplot layout 2,2 title 'Seed CNN on Fashion-MNIST: mean over {} seed(s)'\n",
                        settings.seeds.size());
  script += "set xlabel 'epoch'\nset grid\n";
  if (settings.epochs <= 20) script += "set xtics 1\n";
  for (std::size_t m = 0; m < 4; ++m) {
    script += fmt::format("set title '{}'\n", metrics[m][1]);
    script += m == 3 ? "set key right bottom\n" : "unset key\n";
    script += "plot ";
    for (std::size_t k = 0; k < keys.size(); ++k)
      script += fmt::format("{}$c{} using 1:{} with linespoints lw 1.5 pt 7 ps 0.4 lc rgb '{}' title '{}'", k ? ", " : "",
                            k, m + 2, kColours[k % kColourCount], find_activation(keys[k]).label);
    script += "\n";
  }
  return script + "unset multiplot\n";
}

std::string activations_script(const StudySettings& settings, const std::vector<RunResult>& runs) {
  std::vector<float> xs;
  for (int i = -120; i <= 120; ++i) xs.push_back(static_cast<float>(i) / 40.0f);  // [-3, 3]
  const auto leaky = [&](float slope) {
    layers::LeakyReLU layer({.alpha = slope});
    return sample_activation(layer, xs);
  };
  std::string script, plots;
  for (std::size_t k = 0; k < settings.activations.size(); ++k) {
    const ActivationSpec& spec = find_activation(settings.activations[k]);
    const auto layer = spec.make(0);
    std::string title = spec.label;
    std::optional<ActivationCurve> low, high;
    ActivationCurve line;
    std::string band_title;
    if (dynamic_cast<const layers::PReLU*>(layer.get())) {
      const SlopeRange range = prelu_range(runs_of(runs, spec.key));
      line = leaky(range.mean);
      if (range.trained) {
        low = leaky(range.low), high = leaky(range.high);
        band_title = "learned slopes";
        title += fmt::format(": alpha {:.3f}..{:.3f}, mean {:.3f}", range.low, range.high, range.mean);
      } else {
        title += ": alpha 0 (not trained yet)";
      }
    } else if (const auto* rrelu = dynamic_cast<const layers::RReLU*>(layer.get())) {
      const auto& o = rrelu->options();
      line = sample_activation(*layer, xs);  // inference: the mean slope
      low = leaky(static_cast<float>(o.lower)), high = leaky(static_cast<float>(o.upper));
      band_title = "training slopes";
      title += fmt::format(": training U({:.3f}, {:.3f}), inference {:.3f}", o.lower, o.upper, (o.lower + o.upper) / 2);
    } else {
      line = sample_activation(*layer, xs);
    }
    script += fmt::format("$a{} << EOD\n", k);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      script += fmt::format("{} {} {}", xs[i], line.f[i], line.df[i]);
      if (low) script += fmt::format(" {} {} {} {}", low->f[i], high->f[i], low->df[i], high->df[i]);
      script += "\n";
    }
    script += "EOD\n";
    plots += fmt::format("set title '{}'\nplot ", title);
    if (low)
      plots += fmt::format(
          "$a{0} using 1:4:5 with filledcurves fc rgb '#1f77b4' fs transparent solid 0.25 noborder title '{1}', "
          "$a{0} using 1:6:7 with filledcurves fc rgb '#ff7f0e' fs transparent solid 0.25 noborder notitle, ",
          k, band_title);
    plots += fmt::format(
        "$a{0} using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'f(x)', "
        "$a{0} using 1:3 with lines lw 2 dt 2 lc rgb '#ff7f0e' title \"f'(x)\"\n",
        k);
  }
  const std::size_t columns = std::min<std::size_t>(3, settings.activations.size());
  const std::size_t rows = (settings.activations.size() + columns - 1) / columns;
  script += fmt::format("set terminal svg size {},{} dynamic noenhanced font 'sans,10'\nset output ARG1\n",
                        400 * columns, 300 * rows + 40);
  script += fmt::format("set multiplot layout {},{} title 'Activations (solid) and their derivatives (dashed)'\n",
                        rows, columns);
  script += "set grid\nset xrange [-3:3]\nset yrange [-1.2:3]\nset key left top\nset xzeroaxis\nset yzeroaxis\n";
  return script + plots + "unset multiplot\n";
}

}  // namespace

std::vector<std::string> write_reports(const StudySettings& settings, const std::vector<RunResult>& runs,
                                       const std::string& dir) {
  const auto path = [&](const char* name) { return (fs::path(dir) / name).string(); };
  std::vector<std::string> written = {path("results.md"), path("results.csv"), path("runs.csv")};
  serialization::write_file_atomically(written[0], {results_md(settings, runs)});
  serialization::write_file_atomically(written[1], {results_csv(settings, runs)});
  serialization::write_file_atomically(written[2], {runs_csv(runs)});
  serialization::write_file_atomically(path("curves.gp"), {curves_script(settings, runs)});
  written.push_back(run_gnuplot(path("curves.gp"), path("curves.svg")));
  serialization::write_file_atomically(path("activations.gp"), {activations_script(settings, runs)});
  written.push_back(run_gnuplot(path("activations.gp"), path("activations.svg")));
  return written;
}

}  // namespace strata::cli::study
