// The arguments and results of Sequential's compile / fit / evaluate / predict.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "strata/losses.hpp"
#include "strata/metrics.hpp"
#include "strata/optimizers.hpp"
#include "strata/tensor.hpp"

namespace strata {

namespace callbacks {
class Callback;
}

// Named values in insertion order, as Keras's logs dict ("loss", "accuracy",
// "val_loss", ...).
class Logs {
 public:
  void set(const std::string& key, double value);
  std::optional<double> get(const std::string& key) const;
  bool contains(const std::string& key) const { return get(key).has_value(); }
  double at(const std::string& key) const;  // ValueError naming the key and the known ones
  const std::vector<std::pair<std::string, double>>& items() const { return items_; }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<std::pair<std::string, double>> items_;
};

struct CompileOptions {
  OptimizerArg optimizer = "rmsprop";  // Keras's default
  LossArg loss{};
  std::vector<MetricArg> metrics{};
};

struct FitOptions {
  std::size_t batch_size = 32;
  int epochs = 1;
  int verbose = 1;  // 0 silent, 1 progress bar, 2 one line per epoch
  std::vector<std::shared_ptr<callbacks::Callback>> callbacks{};
  double validation_split = 0.0;  // the last fraction of x/y, taken before shuffling
  std::optional<std::pair<Tensor, Tensor>> validation_data = std::nullopt;
  bool shuffle = true;
  std::optional<std::uint64_t> seed = std::nullopt;  // shuffling; none: strata's default generator
  int initial_epoch = 0;
};

struct EvaluateOptions {
  std::size_t batch_size = 32;
  int verbose = 1;
  std::vector<std::shared_ptr<callbacks::Callback>> callbacks{};
};

struct PredictOptions {
  std::size_t batch_size = 32;
  int verbose = 0;
};

// What fit returns: history["loss"][epoch], in the order Keras logs them.
class History {
 public:
  std::vector<int> epoch;
  std::map<std::string, std::vector<double>> history;
  const std::vector<double>& operator[](const std::string& key) const;  // ValueError if absent
};

}  // namespace strata
