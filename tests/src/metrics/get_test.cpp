// metrics::get as compile resolves `metrics=`: "accuracy"/"acc" decided from the shapes
// (keras 2.11 compile_utils), the name the user wrote kept, loss-function metrics, class
// names, and Keras's error for unknown names.
#include <catch2/catch.hpp>

#include <cmath>

#include <nlohmann/json.hpp>

#include "strata/error.hpp"
#include "strata/losses.hpp"
#include "strata/metrics.hpp"
#include "strata/sequential.hpp"

using namespace strata;

TEST_CASE("accuracy with sparse labels is sparse categorical accuracy named as written", "[metrics][get]") {
  losses::SparseCategoricalCrossentropy loss;
  for (const char* name : {"accuracy", "acc"}) {
    auto m = metrics::get(name, &loss);
    CHECK(m->name() == name);
    // Labels (n) against scores (n, 3): 2 of 3 right.
    m->update_state(Tensor({3}, {0, 1, 2}), Tensor({3, 3}, {0.9f, 0.1f, 0, 0.2f, 0.7f, 0.1f, 0.5f, 0.4f, 0.1f}));
    CHECK(m->result() == Approx(2.0 / 3.0));
  }
  // Labels (n, 1) against (n, 3) are sparse too.
  auto column = metrics::get("accuracy");
  column->update_state(Tensor({2, 1}, {1, 1}), Tensor({2, 3}, {0, 1, 0, 1, 0, 0}));
  CHECK(column->result() == Approx(0.5));
}

TEST_CASE("accuracy with one-hot labels is categorical accuracy", "[metrics][get]") {
  auto m = metrics::get("accuracy");
  // Exact equality (Accuracy) would give 0 of 6; categorical gives 1 of 2.
  m->update_state(Tensor({2, 3}, {0, 1, 0, 1, 0, 0}), Tensor({2, 3}, {0.2f, 0.7f, 0.1f, 0.1f, 0.8f, 0.1f}));
  CHECK(m->result() == Approx(0.5));
}

TEST_CASE("accuracy with one output unit is binary accuracy", "[metrics][get]") {
  auto m = metrics::get("Accuracy");  // compile lower-cases the string, as Keras does
  CHECK(m->name() == "Accuracy");
  m->update_state(Tensor({4, 1}, {1, 1, 0, 0}), Tensor({4, 1}, {0.98f, 1, 0, 0.6f}));
  CHECK(m->result() == Approx(0.75));
  m->update_state(Tensor({2, 1}, {1, 0}), Tensor({2, 1}, {0.9f, 0.1f}));
  CHECK(m->result() == Approx(5.0 / 6.0));
}

TEST_CASE("binary accuracy with labels of shape (n) counts each batch once, as Keras", "[metrics][get]") {
  // keras binary_accuracy averages over the last axis; with y_true (n) the (n, 1)
  // predictions are squeezed to (n) first, so each batch adds one value to the mean.
  auto m = metrics::get("accuracy");
  m->update_state(Tensor({2}, {1, 0}), Tensor({2, 1}, {0.9f, 0.9f}));           // 1 of 2
  m->update_state(Tensor({3}, {1, 1, 1}), Tensor({3, 1}, {0.9f, 0.9f, 0.9f}));  // 3 of 3
  CHECK(m->result() == Approx(0.75));
}

TEST_CASE("crossentropy and ce pick the crossentropy from the shapes", "[metrics][get]") {
  auto sparse = metrics::get("crossentropy");
  sparse->update_state(Tensor({1}, {1}), Tensor({1, 2}, {0.25f, 0.75f}));
  CHECK(sparse->result() == Approx(-std::log(0.75)).epsilon(1e-5));
  auto binary = metrics::get("ce");
  binary->update_state(Tensor({1, 1}, {1}), Tensor({1, 1}, {0.75f}));
  CHECK(binary->result() == Approx(-std::log(0.75 + 1e-7)).epsilon(1e-5));
  CHECK(binary->name() == "ce");
}

TEST_CASE("function-name metrics average the function and keep the name written", "[metrics][get]") {
  auto mse = metrics::get("mse");
  CHECK(mse->name() == "mse");
  CHECK(mse->class_name() == "MeanMetricWrapper");
  mse->update_state(Tensor({2, 2}, {0, 1, 0, 0}), Tensor({2, 2}, {1, 1, 1, 0}));
  CHECK(mse->result() == Approx(0.5));
  auto mae = metrics::get("mean_absolute_error");
  mae->update_state(Tensor({2, 1}, {1, 2}), Tensor({2, 1}, {2, 4}));
  CHECK(mae->result() == Approx(1.5));
  auto binary = metrics::get("binary_accuracy");
  binary->update_state(Tensor({2, 1}, {1, 0}), Tensor({2, 1}, {0.7f, 0.7f}));
  CHECK(binary->result() == Approx(0.5));
  CHECK(dump_python_json(mse->get_config()) == R"({"name": "mse", "dtype": "float32", "fn": "mean_squared_error"})");
}

TEST_CASE("metric class names give the class with its default name", "[metrics][get]") {
  CHECK(metrics::get("SparseCategoricalAccuracy")->name() == "sparse_categorical_accuracy");
  CHECK(metrics::get("SparseCategoricalAccuracy")->class_name() == "SparseCategoricalAccuracy");
  CHECK(metrics::get("BinaryAccuracy")->class_name() == "BinaryAccuracy");
  auto mse = metrics::get("MeanSquaredError");
  CHECK(mse->class_name() == "MeanSquaredError");
  CHECK(dump_python_json(mse->get_config()) == R"({"name": "mean_squared_error", "dtype": "float32"})");
}

TEST_CASE("an unknown metric name fails in Keras's words", "[metrics][get]") {
  CHECK_THROWS_AS(metrics::get("accuracyy"), ValueError);
  CHECK_THROWS_WITH(metrics::get("accuracyy"),
                    Catch::StartsWith("Unknown metric function: 'accuracyy'. Please ensure you are using a "
                                      "`keras.utils.custom_object_scope`") &&
                        Catch::EndsWith("Did you mean 'accuracy'?"));
}

TEST_CASE("MetricArg builds from a name or keeps the object given", "[metrics][get]") {
  losses::CategoricalCrossentropy loss;
  MetricArg by_name = "acc";
  CHECK(by_name.build(&loss)->name() == "acc");
  auto object = std::make_shared<metrics::BinaryAccuracy>(metrics::BinaryAccuracyOptions{.threshold = 0.9});
  MetricArg by_object = object;
  CHECK(by_object.build(&loss) == object);
  MetricArg by_value = metrics::CategoricalAccuracy({.name = "top1"});
  CHECK(by_value.build(nullptr)->name() == "top1");
}
