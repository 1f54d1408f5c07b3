// Keras's progress bar (keras/utils/generic_utils.py Progbar, tf.keras 2.11): the same
// text, the same averaging, the same timing estimates, on an injectable clock and stream.
#include "strata/progbar.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>

namespace strata {
namespace {

// Python's "%" formatting of one number; glibc rounds exactly like CPython (half to even
// on the exact binary value), so "%.0f" of 2.5 is "2" in both.
std::string printf_format(const char* format, ...) {
  char buffer[128];
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  return std::string(buffer, static_cast<std::size_t>(std::max(0, std::min<int>(n, sizeof buffer - 1))));
}

// Python's len() of a str: code points, not UTF-8 bytes (metric names may be non-ASCII).
std::size_t text_length(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// int(np.log10(target)) + 1: the number of decimal digits of the target.
int digit_count(std::size_t target) {
  int digits = 1;
  while (target >= 10) {
    target /= 10;
    ++digits;
  }
  return digits;
}

std::string count_text(std::size_t current, std::size_t target) {
  return printf_format("%*zu/%zu", digit_count(target), current, target);
}

// Keras prints a value with "%.4f" or "%.4e"; Python prints NaN as "nan" whatever its sign.
std::string format_value(double value, bool small) {
  if (std::isnan(value)) return "nan";
  return printf_format(small ? "%.4e" : "%.4f", value);
}

bool stream_is_terminal(const std::ostream& out) {
  if (&out == &std::cout) return ::isatty(STDOUT_FILENO) != 0;
  if (&out == &std::cerr || &out == &std::clog) return ::isatty(STDERR_FILENO) != 0;
  return false;
}

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string format_time_per_unit(double seconds, const std::string& unit_name) {
  if (seconds >= 1 || seconds == 0) return printf_format(" %.0fs/", seconds) + unit_name;
  if (seconds >= 1e-3) return printf_format(" %.0fms/", seconds * 1000.0) + unit_name;
  return printf_format(" %.0fus/", seconds * 1000000.0) + unit_name;
}

std::string format_eta(double eta) {
  // Python's "%d" truncates a float; "//" and "%" floor (all operands are positive here).
  if (eta > 3600) {
    return printf_format("%lld:%02lld:%02lld", static_cast<long long>(std::floor(eta / 3600)),
                         static_cast<long long>(std::floor(std::fmod(eta, 3600) / 60)),
                         static_cast<long long>(std::fmod(eta, 60)));
  }
  if (eta > 60) {
    return printf_format("%lld:%02lld", static_cast<long long>(std::floor(eta / 60)),
                         static_cast<long long>(std::fmod(eta, 60)));
  }
  return printf_format("%llds", static_cast<long long>(eta));
}

std::string format_metric_value(double value) { return format_value(value, !(std::fabs(value) > 1e-3)); }

Progbar::Progbar(std::optional<std::size_t> target, ProgbarOptions options, std::ostream& out)
    : target_(target), options_(std::move(options)), out_(out) {
  if (!options_.clock) options_.clock = steady_seconds;
  dynamic_display_ = options_.dynamic_display.value_or(stream_is_terminal(out_));
  start_ = now();
  time_at_epoch_start_ = start_;
}

double Progbar::now() const { return options_.clock(); }

bool Progbar::is_stateful(const std::string& name) const {
  return std::find(options_.stateful_metrics.begin(), options_.stateful_metrics.end(), name) !=
         options_.stateful_metrics.end();
}

void Progbar::add(std::size_t n, const Values& values) { update(seen_so_far_ + n, values); }

void Progbar::update(std::size_t current, const Values& values, std::optional<bool> finalize) {
  const bool final_update = finalize.value_or(target_.has_value() && current >= *target_);

  for (const auto& [name, value] : values) {
    // By the key's own reference: clang before 16 cannot capture a structured binding.
    auto it = std::find_if(values_.begin(), values_.end(),
                           [&key = name](const auto& entry) { return entry.first == key; });
    const bool is_new = it == values_.end();
    if (is_new) it = values_.insert(values_.end(), {name, Metric{}});
    Metric& metric = it->second;
    if (is_stateful(name)) {
      metric = {value, 1.0};
    } else {
      // At least 1: with an unknown target, Keras's logger updates twice with the same
      // count at the end of the first epoch, and a weight of 0 would blank the metric.
      const auto steps = std::max<std::int64_t>(
          static_cast<std::int64_t>(current) - static_cast<std::int64_t>(seen_so_far_), 1);
      metric.sum += value * static_cast<double>(steps);
      metric.count += static_cast<double>(steps);
    }
  }
  seen_so_far_ = current;

  const double time_now = now();
  std::string info = printf_format(" - %.0fs", time_now - start_);
  if (target_ && current == *target_) time_at_epoch_end_ = time_now;

  if (options_.verbose == 1) {
    if (last_update_ && time_now - *last_update_ < options_.interval && !final_update) return;

    const std::size_t prev_total_width = total_width_;
    std::string message = dynamic_display_ ? std::string(prev_total_width, '\b') + "\r" : "\n";
    const std::string bar = bar_text(current);
    total_width_ = text_length(bar);
    message += bar;

    const double time_per_unit = estimate_step_duration(current, time_now);
    if (!target_ || final_update) {
      info += format_time_per_unit(time_per_unit, options_.unit_name);
    } else {
      info = " - ETA: " + eta_text(time_per_unit, current);
    }
    info += metrics_text(false);

    total_width_ += text_length(info);
    // Blank out what is left of a longer previous line.
    if (prev_total_width > total_width_) info += std::string(prev_total_width - total_width_, ' ');
    if (final_update) info += "\n";
    out_ << message << info;
    out_.flush();
  } else if (options_.verbose == 2) {
    if (final_update) {
      // Keras fails here on an unknown target; its logger always sets one first.
      const std::string count = target_ ? count_text(current, *target_) : printf_format("%zu/Unknown", current);
      info = count + info + metrics_text(true);
      // Like Keras, the epoch and step times (and the newline) come only when the count
      // reached the target exactly.
      if (time_at_epoch_end_ && target_) {
        const double time_per_epoch = *time_at_epoch_end_ - time_at_epoch_start_;
        const double time_per_step = *target_ ? time_per_epoch / static_cast<double>(*target_) : 0.0;
        time_at_epoch_start_ = time_now;
        time_at_epoch_end_.reset();
        info += " -" + format_time_per_unit(time_per_epoch, "epoch");
        info += " -" + format_time_per_unit(time_per_step, options_.unit_name);
        info += "\n";
      }
      out_ << info;
      out_.flush();
    }
  }
  last_update_ = time_now;
}

std::string Progbar::bar_text(std::size_t current) const {
  if (!target_) return printf_format("%7zu/Unknown", current);
  const std::size_t target = *target_;
  std::string bar = count_text(current, target) + " [";
  // Keras divides by the target; an empty epoch (target 0) shows a full bar.
  const double progress = target ? static_cast<double>(current) / static_cast<double>(target) : 1.0;
  const auto prog_width = static_cast<long long>(options_.width * progress);
  if (prog_width > 0) {
    bar += std::string(static_cast<std::size_t>(prog_width - 1), '=');
    bar += current < target ? '>' : '=';
  }
  if (options_.width > prog_width) bar += std::string(static_cast<std::size_t>(options_.width - prog_width), '.');
  bar += ']';
  return bar;
}

std::string Progbar::eta_text(double time_per_unit, std::size_t current) const {
  const double remaining = static_cast<double>(*target_) - static_cast<double>(current);
  return format_eta(time_per_unit * remaining);
}

std::string Progbar::metrics_text(bool verbose2) const {
  std::string text;
  for (const auto& [name, metric] : values_) {
    const double average = metric.sum / std::max(1.0, metric.count);
    // Keras's verbose-2 line tests avg > 1e-3 without abs(): negatives print as "%.4e".
    const bool small = verbose2 ? !(average > 1e-3) : !(std::fabs(average) > 1e-3);
    text += " - " + name + ": " + format_value(average, small);
  }
  return text;
}

// Keras ignores the first step (graph tracing makes it slow) once later steps are known.
double Progbar::estimate_step_duration(std::size_t current, double time_now) {
  if (current == 0) return 0.0;
  double time_per_unit;
  if (time_after_first_step_ && current > 1) {
    time_per_unit = (time_now - *time_after_first_step_) / static_cast<double>(current - 1);
  } else {
    time_per_unit = (time_now - start_) / static_cast<double>(current);
  }
  if (current == 1) time_after_first_step_ = time_now;
  return time_per_unit;
}

}  // namespace strata
