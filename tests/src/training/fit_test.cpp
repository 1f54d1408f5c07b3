// compile / fit / evaluate / predict / train_on_batch.
#include <catch2/catch.hpp>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "strata/datasets.hpp"
#include "strata/error.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/dropout.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/sequential.hpp"
#include "training_test_support.hpp"

using namespace strata;
using strata::testing::separable_points;
using strata::testing::small_classifier;

namespace {
// Captures std::cout for the scope.
class CoutCapture {
 public:
  CoutCapture() : old_(std::cout.rdbuf(buffer_.rdbuf())) {}
  ~CoutCapture() { std::cout.rdbuf(old_); }
  std::string text() const { return buffer_.str(); }

 private:
  std::ostringstream buffer_;
  std::streambuf* old_;
};
}  // namespace

TEST_CASE("fit learns a linearly separable problem to 100 percent", "[training]") {
  auto [x, y] = separable_points(200, 1);
  Sequential model = small_classifier(3);
  model.compile({.optimizer = optimizers::Adam({.learning_rate = 0.05}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"}});
  History history = model.fit(x, y, {.batch_size = 16, .epochs = 60, .verbose = 0, .seed = 5});
  REQUIRE(history.epoch.size() == 60);
  CHECK(history["loss"].back() < history["loss"].front());
  const Logs result = model.evaluate(x, y, {.verbose = 0});
  CHECK(result.items().size() == 2);
  CHECK(result.items()[0].first == "loss");
  CHECK(result.items()[1].first == "accuracy");
  CHECK(result.at("accuracy") == 1.0);
  // predict agrees with the accuracy: every argmax is the label.
  const Tensor p = model.predict(x, {.batch_size = 7});
  REQUIRE(p.shape() == Shape{200, 2});
  for (std::size_t i = 0; i < 200; ++i) CHECK((p.at({i, 1}) > p.at({i, 0})) == (y[i] == 1.0f));
}

TEST_CASE("fit keys, epochs and validation split follow Keras", "[training]") {
  auto [x, y] = separable_points(100, 2);
  Sequential model = small_classifier(4);
  model.compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy", .metrics = {"acc"}});
  History history = model.fit(x, y, {.batch_size = 10, .epochs = 3, .verbose = 0, .validation_split = 0.2});
  CHECK(history.epoch == std::vector<int>{0, 1, 2});
  std::vector<std::string> keys;
  for (const auto& item : history.history) keys.push_back(item.first);
  CHECK(keys == std::vector<std::string>{"acc", "loss", "val_acc", "val_loss"});
  // The validation loss is the loss of the last 20 samples after the last epoch.
  Tensor x_val({20, 2}), y_val({20});
  for (std::size_t i = 0; i < 20; ++i) {
    x_val.at({i, 0}) = x.at({80 + i, 0});
    x_val.at({i, 1}) = x.at({80 + i, 1});
    y_val[i] = y[80 + i];
  }
  const Logs val = model.evaluate(x_val, y_val, {.batch_size = 10, .verbose = 0});
  CHECK(history["val_loss"].back() == Approx(val.at("loss")).epsilon(1e-6));
  CHECK(history["val_acc"].back() == Approx(val.at("acc")).epsilon(1e-6));
  CHECK_THROWS_WITH(history["lr"], Catch::Contains("No 'lr' in the history"));
}

TEST_CASE("the same seeds give the same loss curve", "[training]") {
  const auto run = [] {
    auto [x, y] = separable_points(120, 9);
    set_random_seed(11);
    Sequential model;
    model.add(layers::Dense({.units = 16, .activation = "relu", .input_shape = {2}}));
    model.add(layers::Dropout({.rate = 0.3}));
    model.add(layers::Dense({.units = 2, .activation = "softmax"}));
    model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
    return model.fit(x, y, {.batch_size = 8, .epochs = 4, .verbose = 0, .seed = 123}).history;
  };
  const auto first = run(), second = run();
  CHECK(first == second);
  CHECK(first.at("loss").size() == 4);
}

TEST_CASE("fit and evaluate need compile, matching sample counts and a sane split", "[training]") {
  auto [x, y] = separable_points(10, 3);
  Sequential model = small_classifier(1);
  CHECK_THROWS_WITH(model.fit(x, y, {.verbose = 0}),
                    "You must compile your model before training/testing. Use `model.compile(optimizer, loss)`.");
  CHECK_THROWS_WITH(model.evaluate(x, y, {.verbose = 0}), Catch::StartsWith("You must compile your model"));
  model.compile({.loss = "sparse_categorical_crossentropy"});
  Tensor y_short({9});
  CHECK_THROWS_WITH(model.fit(x, y_short, {.verbose = 0}),
                    "Data cardinality is ambiguous:\n  x sizes: 10\n  y sizes: 9\nMake sure all arrays contain the "
                    "same number of samples.");
  Tensor one_x({1, 2}), one_y({1});
  CHECK_THROWS_WITH(model.fit(one_x, one_y, {.verbose = 0, .validation_split = 0.5}),
                    Catch::StartsWith("Training data contains 1 samples, which is not sufficient to split it"));
  CHECK_THROWS_WITH(model.fit(x, y, {.batch_size = 0, .verbose = 0}),
                    "batch_size must be a positive integer. Received: batch_size=0");
  CHECK_THROWS_AS(model.compile({.optimizer = "adamm", .loss = "mse"}), ValueError);
  CHECK(model.loss_name() == "sparse_categorical_crossentropy");  // a failed compile changes nothing
}

TEST_CASE("train_on_batch takes one optimizer step", "[training]") {
  auto [x, y] = separable_points(32, 4);
  Sequential model = small_classifier(2);
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = "sparse_categorical_crossentropy"});
  const Tensor before = model.weights()[0].value();
  const Logs logs = model.train_on_batch(x, y);
  CHECK(logs.items().size() == 1);
  CHECK(std::isfinite(logs.at("loss")));
  CHECK(model.optimizer()->iterations() == 1);
  CHECK_FALSE(std::equal(before.begin(), before.end(), model.weights()[0].value().begin()));
}

TEST_CASE("fit prints Keras's epoch lines (one line per epoch off a terminal)", "[training]") {
  auto [x, y] = separable_points(40, 5);
  Sequential model = small_classifier(2);
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  std::string text;
  {
    CoutCapture capture;
    model.fit(x, y, {.batch_size = 10, .epochs = 2, .verbose = 1, .validation_data = std::pair{x, y}});
    text = capture.text();
  }
  const std::string number = "[0-9]+\\.[0-9]{4}";
  const std::string line = "4/4 - [0-9]+s - loss: " + number + " - accuracy: " + number + " - val_loss: " + number +
                           " - val_accuracy: " + number + " - [0-9]+[mu]?s/epoch - [0-9]+[mu]?s/step\n";
  CHECK_THAT(text, Catch::Matches("Epoch 1/2\n" + line + "Epoch 2/2\n" + line));
  {
    CoutCapture capture;
    model.fit(x, y, {.batch_size = 10, .epochs = 1, .verbose = 0});
    CHECK(capture.text().empty());
  }
}

TEST_CASE("loss falls on a 2,000-sample Fashion-MNIST subset", "[training][fashion_mnist]") {
  if (!std::filesystem::exists(datasets::data_dir())) {
    WARN("Fashion-MNIST not installed at " << datasets::data_dir() << "; skipped");
    return;
  }
  auto data = datasets::fashion_mnist::load_data();
  Tensor x({2000, 28, 28}), y({2000});
  std::copy(data.train.x.begin(), data.train.x.begin() + 2000 * 784, x.begin());
  std::copy(data.train.y.begin(), data.train.y.begin() + 2000, y.begin());
  for (float& v : x) v /= 255.0f;
  set_random_seed(1);
  Sequential model;
  model.add(layers::Flatten({.input_shape = {28, 28}}));
  model.add(layers::Dense({.units = 64, .activation = "relu"}));
  model.add(layers::Dense({.units = 10, .activation = "softmax"}));
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  History history = model.fit(x, y, {.batch_size = 32, .epochs = 3, .verbose = 0, .seed = 1});
  CHECK(history["loss"][1] < history["loss"][0]);
  CHECK(history["loss"][2] < history["loss"][1]);
  CHECK(history["accuracy"][2] > 0.7);
}
