// predict on one built model from several threads at once gives, bit for bit, what one
// thread gets, and leaves no per-call state behind (docs/reliability.md records the
// ThreadSanitizer run of this file).
#include <catch2/catch.hpp>

#include <cstring>
#include <thread>
#include <vector>

#include "strata/layers/batch_normalization.hpp"
#include "strata/layers/conv2d.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/dropout.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/layers/max_pooling2d.hpp"
#include "strata/layers/p_re_lu.hpp"
#include "strata/random.hpp"
#include "strata/regularizers.hpp"
#include "strata/sequential.hpp"
#include "support/tensor_helpers.hpp"

using namespace strata;
using namespace strata::layers;

namespace {

constexpr int kThreads = 4;
constexpr int kCallsPerThread = 20;

// A small CNN with every kind of per-call behaviour: Dropout (inactive in predict), batch
// statistics, trainable slopes and an activity regularizer (a per-call loss).
Sequential model_with_state() {
  set_random_seed(5);
  Sequential model;
  model.add(Conv2D({.filters = 4, .kernel_size = 3, .padding = "same", .input_shape = {8, 8, 1}}));
  model.add(BatchNormalization());
  model.add(PReLU({.shared_axes = {1, 2}}));
  model.add(MaxPooling2D({.pool_size = {2, 2}}));
  model.add(Dropout({.rate = 0.5}));
  model.add(Flatten());
  model.add(Dense({.units = 6, .activation = "relu", .activity_regularizer = regularizers::L2({.l2 = 0.01})}));
  model.add(Dense({.units = 3, .activation = "softmax"}));
  return model;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("predict from 4 threads at once matches the single-thread result bit for bit", "[training][threads]") {
  Sequential model = model_with_state();
  const Tensor x = testing::random_tensor({37, 8, 8, 1}, 9);
  const Tensor expected = model.predict(x, {.batch_size = 8});

  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int call = 0; call < kCallsPerThread; ++call)
        if (!same_bits(model.predict(x, {.batch_size = 8}), expected)) ++mismatches[t];
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(mismatches == std::vector<int>(kThreads, 0));
}

TEST_CASE("predict keeps no per-call layer state: the last call's activity losses stay as they were",
          "[training][threads]") {
  Sequential model = model_with_state();
  const Tensor x = testing::random_tensor({4, 8, 8, 1}, 10);
  (void)model(constant(x));  // a plain call records the activity penalty, as in Keras
  const std::vector<Variable> before = model.losses();
  REQUIRE(before.size() == 1);
  const float penalty = before[0].value().item();

  (void)model.predict(testing::random_tensor({6, 8, 8, 1}, 11));
  const std::vector<Variable> after = model.losses();
  REQUIRE(after.size() == 1);
  CHECK(after[0].value().item() == penalty);
}
