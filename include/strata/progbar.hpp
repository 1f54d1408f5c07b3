// strata::Progbar: Keras's progress bar (keras.utils.Progbar, tf.keras 2.11), byte for byte:
//   469/469 [==============================] - 3s 6ms/step - loss: 0.3521 - accuracy: 0.8712
// while running "ETA: 1:02", and with verbose 2 one line per epoch:
//   469/469 - 3s - loss: 0.3521 - accuracy: 0.8712 - 3s/epoch - 6ms/step
#pragma once

#include <cstddef>
#include <functional>
#include <iostream>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace strata {

struct ProgbarOptions {
  int width = 30;         // width of the bar in characters
  int verbose = 1;        // 0 silent, 1 a bar redrawn in place, 2 one line when finished
  double interval = 0.05; // minimum seconds between two redraws (verbose 1)
  // Metrics shown as last given instead of averaged over the steps (e.g. a running mean
  // the caller already computes).
  std::vector<std::string> stateful_metrics = {};
  std::string unit_name = "step";  // "ms/step", "us/sample"
  // Redraw in place ('\b' and '\r') instead of starting a new line per update. Unset: when
  // the stream is std::cout/std::cerr/std::clog and that descriptor is a terminal.
  // (Keras also redraws on any POSIX system; we keep logs that are piped to a file clean.)
  std::optional<bool> dynamic_display = std::nullopt;
  // Seconds on any fixed origin; unset: std::chrono::steady_clock. Tests inject a fake.
  std::function<double()> clock = nullptr;
};

class Progbar {
 public:
  using Values = std::vector<std::pair<std::string, double>>;

  // target: the number of steps expected, or std::nullopt when unknown ("  1234/Unknown").
  explicit Progbar(std::optional<std::size_t> target, ProgbarOptions options = {},
                   std::ostream& out = std::cout);

  // current: the index of the current step (steps done so far). values: (name, value of the
  // last step); non-stateful ones are averaged, weighted by the steps since the last update.
  // finalize: whether this is the last update; unset means current >= target.
  void update(std::size_t current, const Values& values = {}, std::optional<bool> finalize = std::nullopt);
  // update(seen so far + n, values).
  void add(std::size_t n, const Values& values = {});

  std::optional<std::size_t> target() const { return target_; }
  // Keras's ProgbarLogger sets the target after a first epoch of unknown length.
  void set_target(std::optional<std::size_t> target) { target_ = target; }
  std::size_t seen_so_far() const { return seen_so_far_; }
  bool dynamic_display() const { return dynamic_display_; }

 private:
  struct Metric {
    double sum = 0.0;    // value x steps, summed (stateful: the last value)
    double count = 0.0;  // steps summed (stateful: 1)
  };

  double now() const;
  std::string bar_text(std::size_t current) const;
  std::string eta_text(double time_per_unit, std::size_t current) const;
  std::string metrics_text(bool verbose2) const;
  double estimate_step_duration(std::size_t current, double now);
  bool is_stateful(const std::string& name) const;

  std::optional<std::size_t> target_;
  ProgbarOptions options_;
  std::ostream& out_;
  bool dynamic_display_ = false;
  std::size_t total_width_ = 0;
  std::size_t seen_so_far_ = 0;
  std::vector<std::pair<std::string, Metric>> values_;  // in first-seen order, as Keras shows them
  double start_ = 0.0;
  std::optional<double> last_update_;  // unset: nothing drawn yet, so the first update draws
  double time_at_epoch_start_ = 0.0;
  std::optional<double> time_at_epoch_end_;
  std::optional<double> time_after_first_step_;
};

// Keras's duration of one unit: " 3s/epoch", " 6ms/step", " 250us/step" (0 shows as "0s").
std::string format_time_per_unit(double seconds, const std::string& unit_name);
// Keras's ETA text for a number of seconds: "1:02:03", "1:02", "5s".
std::string format_eta(double seconds);
// Keras's metric value: "%.4f" when |value| > 1e-3, else "%.4e"; NaN shows as "nan".
std::string format_metric_value(double value);

}  // namespace strata
