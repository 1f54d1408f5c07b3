// Nothing lost when training blows up: with TerminateOnNaN and ModelCheckpoint, the epoch
// whose loss turns NaN is reported by epoch and batch, and the checkpoint file keeps the
// last good epoch's weights instead of being overwritten with broken ones.
#include <catch2/catch.hpp>

#include <cmath>
#include <iostream>
#include <limits>
#include <sstream>

#include "../training/training_test_support.hpp"
#include "strata/callbacks.hpp"
#include "strata/sequential.hpp"

using namespace strata;
using strata::testing::separable_points;
using strata::testing::small_classifier;
using strata::testing::TempDir;

namespace {

// Poisons one weight with NaN as `epoch` begins, and records the weights at each epoch end.
class Saboteur final : public callbacks::Callback {
 public:
  explicit Saboteur(int epoch) : epoch_(epoch) {}
  void on_epoch_begin(int epoch, const Logs&) override {
    if (epoch == epoch_) model().weights()[0].value()[0] = std::numeric_limits<float>::quiet_NaN();
  }
  void on_epoch_end(int, Logs&) override {
    std::vector<Tensor> snapshot;
    for (const Variable& w : model().weights()) snapshot.push_back(w.value());
    weights_by_epoch.push_back(std::move(snapshot));
  }
  std::vector<std::vector<Tensor>> weights_by_epoch;

 private:
  int epoch_;
};

std::vector<Tensor> snapshot(const Sequential& model) {
  std::vector<Tensor> values;
  for (const Variable& w : model.weights()) values.push_back(w.value());
  return values;
}

bool all_finite(const std::vector<Tensor>& tensors) {
  for (const Tensor& t : tensors)
    for (float v : t)
      if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace

TEST_CASE("TerminateOnNaN with ModelCheckpoint keeps the last good epoch's file and says where the loss broke",
          "[callbacks][nan]") {
  TempDir dir("nan-checkpoint");
  const std::string path = dir.file("checkpoint.h5");
  auto [x, y] = separable_points(40, 11);
  Sequential model = small_classifier(3);
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  auto saboteur = std::make_shared<Saboteur>(2);

  std::ostringstream out, err;
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  History history = model.fit(
      x, y,
      {.batch_size = 10, .epochs = 5, .verbose = 0,
       .callbacks = {saboteur, std::make_shared<callbacks::ModelCheckpoint>(path), std::make_shared<callbacks::TerminateOnNaN>()},
       .shuffle = false});
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);

  CHECK(out.str() == "Epoch 3, batch 0: Invalid loss, terminating training\n");
  CHECK(err.str() == "WARNING: Epoch 3: the loss is nan, not saving the model to " + path + "\n");
  CHECK(history.epoch == std::vector<int>{0, 1, 2});
  CHECK(std::isnan(history["loss"][2]));
  // The file holds epoch 2's weights (index 1), whole and finite.
  Sequential restored = load_model(path);
  REQUIRE(saboteur->weights_by_epoch.size() == 3);
  CHECK(snapshot(restored) == saboteur->weights_by_epoch[1]);
  CHECK(all_finite(snapshot(restored)));
  CHECK_FALSE(all_finite(snapshot(model)));
}
