// ModelCheckpoint, as keras.callbacks.ModelCheckpoint in tf.keras 2.11 (save_freq="epoch").
#include <fmt/format.h>

#include <cmath>
#include <iostream>

#include "src/callbacks/monitor.hpp"
#include "strata/callbacks.hpp"
#include "strata/error.hpp"
#include "strata/sequential.hpp"

namespace strata::callbacks {

ModelCheckpoint::ModelCheckpoint(std::string filepath, ModelCheckpointOptions options)
    : filepath_(std::move(filepath)), options_(std::move(options)) {
  if (filepath_.empty()) throw ValueError("ModelCheckpoint: filepath is empty");
  maximize_ = maximizes(options_.mode, options_.monitor);
}

void ModelCheckpoint::on_train_begin(const Logs&) { best_.reset(); }

// Python's str.format over {epoch} (1-based) and the logs: "{epoch:02d}-{val_loss:.2f}".
std::string ModelCheckpoint::format_filepath(int epoch, const Logs& logs) const {
  std::string out;
  for (std::size_t i = 0; i < filepath_.size(); ++i) {
    const char c = filepath_[i];
    if ((c == '{' || c == '}') && i + 1 < filepath_.size() && filepath_[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    const std::size_t close = filepath_.find('}', i);
    if (close == std::string::npos) throw ValueError(fmt::format("ModelCheckpoint: unbalanced '{{' in filepath '{}'", filepath_));
    const std::string field = filepath_.substr(i + 1, close - i - 1);
    const std::size_t colon = field.find(':');
    const std::string key = field.substr(0, colon);
    const std::string spec = colon == std::string::npos ? "" : field.substr(colon);
    try {
      if (key == "epoch") {
        out += fmt::format(fmt::runtime("{" + spec + "}"), epoch + 1);
      } else if (auto value = logs.get(key)) {
        out += fmt::format(fmt::runtime("{" + spec + "}"), *value);
      } else {
        throw ValueError(fmt::format("Failed to format this callback filepath: \"{}\". Reason: '{}' is not in the logs",
                                     filepath_, key));
      }
    } catch (const fmt::format_error& e) {
      throw ValueError(fmt::format("Failed to format this callback filepath: \"{}\". Reason: {}", filepath_, e.what()));
    }
    i = close;
  }
  return out;
}

void ModelCheckpoint::on_epoch_end(int epoch, Logs& logs) {
  const std::string path = format_filepath(epoch, logs);
  // A NaN or infinite loss means the weights are broken: keep the last good file.
  if (auto loss = logs.get("loss"); loss && !std::isfinite(*loss)) {
    std::cerr << fmt::format("WARNING: Epoch {}: the loss is {}, not saving the model to {}\n", epoch + 1, *loss, path);
    return;
  }
  if (options_.save_best_only) {
    const auto current = logs.get(options_.monitor);
    if (!current) {
      std::cerr << fmt::format("WARNING: Can save best model only with {} available, skipping.\n", options_.monitor);
      return;
    }
    const double best = best_ ? *best_ : worst_value(maximize_);
    const bool improved = maximize_ ? *current > best : *current < best;
    if (!improved) {
      if (options_.verbose > 0)
        std::cout << fmt::format("\nEpoch {:05d}: {} did not improve from {:.5f}\n", epoch + 1, options_.monitor, best);
      return;
    }
    if (options_.verbose > 0)
      std::cout << fmt::format("\nEpoch {:05d}: {} improved from {:.5f} to {:.5f}, saving model to {}\n", epoch + 1,
                               options_.monitor, best, *current, path);
    best_ = *current;
  } else if (options_.verbose > 0) {
    std::cout << fmt::format("\nEpoch {:05d}: saving model to {}\n", epoch + 1, path);
  }
  if (options_.save_weights_only)
    model().save_weights(path);
  else
    model().save(path);
}

}  // namespace strata::callbacks
