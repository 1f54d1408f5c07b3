// CSVLogger, as keras.callbacks.CSVLogger in tf.keras 2.11: a header "epoch,<sorted log
// keys>", one row per epoch. The whole file is rewritten atomically after each epoch, so
// a crash never leaves a half-written row.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "serialization/atomic_file.hpp"
#include "strata/callbacks.hpp"
#include "strata/error.hpp"

namespace strata::callbacks {

CSVLogger::CSVLogger(std::string filename, CSVLoggerOptions options)
    : filename_(std::move(filename)), options_(options) {
  if (filename_.empty()) throw ValueError("CSVLogger: filename is empty");
}

void CSVLogger::on_train_begin(const Logs&) {
  contents_.clear();
  keys_.clear();
  if (options_.append && std::filesystem::exists(filename_)) {
    std::ifstream in(filename_, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    contents_ = text.str();
  }
}

namespace {
// Python's repr of a float32 value widened to double, as Keras's logs hold.
std::string format_value(double value) { return fmt::format("{}", static_cast<double>(static_cast<float>(value))); }
}  // namespace

void CSVLogger::on_epoch_end(int epoch, Logs& logs) {
  const char sep = options_.separator;
  if (keys_.empty()) {
    for (const auto& item : logs.items()) keys_.push_back(item.first);
    std::sort(keys_.begin(), keys_.end());
    if (contents_.empty()) {
      contents_ += "epoch";
      for (const auto& key : keys_) contents_ += sep + key;
      contents_ += "\r\n";  // Python's csv writer ends rows with \r\n
    }
  }
  contents_ += std::to_string(epoch);
  for (const auto& key : keys_) {
    contents_ += sep;
    if (auto value = logs.get(key)) contents_ += format_value(*value);
    else contents_ += "NA";
  }
  contents_ += "\r\n";
  serialization::write_file_atomically(filename_, {contents_});
}

}  // namespace strata::callbacks
