// Small models and data sets for the training and callback tests.
#pragma once

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "strata/callbacks.hpp"
#include "strata/layers/dense.hpp"
#include "strata/random.hpp"
#include "strata/sequential.hpp"

namespace strata::testing {

// n points in the plane, class 1 when x0 + x1 > 0, none closer than 0.1 to the boundary.
inline std::pair<Tensor, Tensor> separable_points(std::size_t n, std::uint64_t seed) {
  Generator generator(seed);
  Tensor x({n, 2}), y({n});
  for (std::size_t i = 0; i < n;) {
    const float a = generator.uniform(-1.0f, 1.0f), b = generator.uniform(-1.0f, 1.0f);
    if (std::abs(a + b) < 0.1f) continue;
    x.at({i, 0}) = a;
    x.at({i, 1}) = b;
    y[i] = a + b > 0 ? 1.0f : 0.0f;
    ++i;
  }
  return {x, y};
}

// Dense(8, relu) → Dense(2, softmax) on 2 inputs, weights from `seed`.
inline Sequential small_classifier(std::uint64_t seed) {
  set_random_seed(seed);
  Sequential model;
  model.add(layers::Dense({.units = 8, .activation = "relu", .input_shape = {2}}));
  model.add(layers::Dense({.units = 2, .activation = "softmax"}));
  return model;
}

// Replaces logs[key] at each epoch end with the next scripted value (to drive callbacks
// that monitor a value through a known sequence).
class ScriptedValue final : public callbacks::Callback {
 public:
  ScriptedValue(std::string key, std::vector<double> values) : key_(std::move(key)), values_(std::move(values)) {}
  void on_epoch_end(int epoch, Logs& logs) override {
    logs.set(key_, values_.at(static_cast<std::size_t>(epoch)));
    std::vector<Tensor> snapshot;
    for (const Variable& w : model().weights()) snapshot.push_back(w.value());
    weights_by_epoch.push_back(std::move(snapshot));
  }
  std::vector<std::vector<Tensor>> weights_by_epoch;

 private:
  std::string key_;
  std::vector<double> values_;
};

// A fresh empty folder under the system temp dir, removed at scope exit.
class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / ("strata-test-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace strata::testing
