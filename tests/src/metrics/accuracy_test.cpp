// The accuracy metrics: Keras's documented examples, accumulation over batches (weighted
// by samples, in double), reset, clone, argmax ties and shape errors.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "strata/error.hpp"
#include "strata/metrics.hpp"
#include "strata/sequential.hpp"

using namespace strata;

TEST_CASE("Accuracy reproduces Keras's example", "[metrics][accuracy]") {
  metrics::Accuracy m;
  m.update_state(Tensor({4, 1}, {1, 2, 3, 4}), Tensor({4, 1}, {0, 2, 3, 4}));
  CHECK(m.result() == Approx(0.75));
  CHECK(m.name() == "accuracy");
}

TEST_CASE("BinaryAccuracy reproduces Keras's example with threshold 0.5", "[metrics][accuracy]") {
  metrics::BinaryAccuracy m;
  m.update_state(Tensor({4, 1}, {1, 1, 0, 0}), Tensor({4, 1}, {0.98f, 1, 0, 0.6f}));
  CHECK(m.result() == Approx(0.75));
  // Strictly greater: 0.5 counts as 0.
  metrics::BinaryAccuracy at_threshold;
  at_threshold.update_state(Tensor({2, 1}, {1, 0}), Tensor({2, 1}, {0.5f, 0.5f}));
  CHECK(at_threshold.result() == Approx(0.5));
  metrics::BinaryAccuracy high({.threshold = 0.7});
  high.update_state(Tensor({2, 1}, {1, 1}), Tensor({2, 1}, {0.6f, 0.8f}));
  CHECK(high.result() == Approx(0.5));
}

TEST_CASE("CategoricalAccuracy and SparseCategoricalAccuracy reproduce Keras's examples", "[metrics][accuracy]") {
  metrics::CategoricalAccuracy categorical;
  categorical.update_state(Tensor({2, 3}, {0, 0, 1, 0, 1, 0}), Tensor({2, 3}, {0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0}));
  CHECK(categorical.result() == Approx(0.5));
  metrics::SparseCategoricalAccuracy sparse;
  sparse.update_state(Tensor({2, 1}, {2, 1}), Tensor({2, 3}, {0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0}));
  CHECK(sparse.result() == Approx(0.5));
  metrics::SparseCategoricalAccuracy flat;
  flat.update_state(Tensor({2}, {2, 1}), Tensor({2, 3}, {0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0}));
  CHECK(flat.result() == Approx(0.5));
}

TEST_CASE("argmax ties go to the first index", "[metrics][accuracy]") {
  const Tensor tied({1, 3}, {0.4f, 0.4f, 0.2f});
  CHECK(metrics::sparse_categorical_accuracy(Tensor({1}, {0}), tied)[0] == 1.0f);
  CHECK(metrics::sparse_categorical_accuracy(Tensor({1}, {1}), tied)[0] == 0.0f);
  CHECK(metrics::categorical_accuracy(Tensor({1, 3}, {1, 0, 0}), tied)[0] == 1.0f);
  CHECK(metrics::categorical_accuracy(Tensor({1, 3}, {0, 1, 0}), tied)[0] == 0.0f);
  // A non-integral label never matches an argmax.
  CHECK(metrics::sparse_categorical_accuracy(Tensor({1}, {0.5f}), tied)[0] == 0.0f);
}

TEST_CASE("accuracies accumulate over batches by sample and reset to zero", "[metrics][accuracy]") {
  metrics::SparseCategoricalAccuracy m;
  m.update_state(Tensor({2}, {0, 2}), Tensor({2, 3}, {1, 0, 0, 0, 1, 0}));  // 1 of 2
  CHECK(m.result() == Approx(0.5));
  m.update_state(Tensor({3}, {2, 2, 1}), Tensor({3, 3}, {0, 0, 1, 0, 0, 1, 0, 1, 0}));  // 3 of 3
  CHECK(m.result() == Approx(0.8));  // 4 of 5, not the mean of 0.5 and 1
  m.reset_state();
  CHECK(m.result() == 0.0);
  m.update_state(Tensor({1}, {0}), Tensor({1, 3}, {1, 0, 0}));
  CHECK(m.result() == 1.0);

  metrics::BinaryAccuracy b;
  b.update_state(Tensor({2, 2}, {1, 0, 1, 1}), Tensor({2, 2}, {0.9f, 0.1f, 0.2f, 0.7f}));  // 3 of 4
  b.update_state(Tensor({1, 2}, {0, 0}), Tensor({1, 2}, {0.9f, 0.8f}));                  // 0 of 2
  CHECK(b.result() == Approx(0.5));
  b.reset_state();
  CHECK(b.result() == 0.0);

  metrics::CategoricalAccuracy c;
  c.update_state(Tensor({1, 2}, {1, 0}), Tensor({1, 2}, {0.6f, 0.4f}));                // 1 of 1
  c.update_state(Tensor({2, 2}, {1, 0, 0, 1}), Tensor({2, 2}, {0.4f, 0.6f, 0.6f, 0.4f}));  // 0 of 2
  CHECK(c.result() == Approx(1.0 / 3.0));
}

TEST_CASE("a cloned metric keeps its configuration and starts empty", "[metrics][accuracy]") {
  metrics::BinaryAccuracy m({.threshold = 0.3, .name = "acc_30"});
  m.update_state(Tensor({1, 1}, {1}), Tensor({1, 1}, {0.4f}));
  auto copy = m.clone();
  CHECK(copy->name() == "acc_30");
  CHECK(copy->result() == 0.0);
  copy->update_state(Tensor({1, 1}, {0}), Tensor({1, 1}, {0.4f}));
  CHECK(copy->result() == 0.0);
  CHECK(m.result() == 1.0);
  CHECK(dump_python_json(copy->get_config()) == dump_python_json(m.get_config()));
}

TEST_CASE("metric get_config matches Keras byte for byte", "[metrics][accuracy]") {
  CHECK(dump_python_json(metrics::Accuracy().get_config()) == R"({"name": "accuracy", "dtype": "float32"})");
  CHECK(dump_python_json(metrics::BinaryAccuracy().get_config()) ==
        R"({"name": "binary_accuracy", "dtype": "float32", "threshold": 0.5})");
  CHECK(dump_python_json(metrics::BinaryAccuracy({.threshold = 0.7}).get_config()) ==
        R"({"name": "binary_accuracy", "dtype": "float32", "threshold": 0.7})");
  CHECK(dump_python_json(metrics::CategoricalAccuracy().get_config()) ==
        R"({"name": "categorical_accuracy", "dtype": "float32"})");
  CHECK(dump_python_json(metrics::SparseCategoricalAccuracy({.name = "acc"}).get_config()) ==
        R"({"name": "acc", "dtype": "float32"})");
  CHECK(dump_python_json(metrics::Mean("loss").get_config()) == R"({"name": "loss", "dtype": "float32"})");
}

TEST_CASE("accuracies reject shapes that cannot match", "[metrics][accuracy]") {
  metrics::CategoricalAccuracy categorical;
  CHECK_THROWS_AS(categorical.update_state(Tensor({3, 3}), Tensor({2, 3})), ShapeError);
  metrics::SparseCategoricalAccuracy sparse;
  CHECK_THROWS_WITH(sparse.update_state(Tensor({3}), Tensor({2, 3})),
                    "sparse_categorical_accuracy: y_true of shape (3,) does not match y_pred of shape (2, 3); expected "
                    "class indices of shape (2,) or (2, 1)");
  metrics::Accuracy accuracy;
  CHECK_THROWS_AS(accuracy.update_state(Tensor({2, 2}), Tensor({2, 3})), ShapeError);
}

TEST_CASE("Mean weights values, the way fit tracks the loss", "[metrics][accuracy]") {
  metrics::Mean m("loss");
  m.update_state(2.0, 3.0);
  m.update_state(4.0, 1.0);
  CHECK(m.result() == Approx(2.5));
  m.update_state(Tensor({2}, {1, 3}), Tensor());
  CHECK(m.result() == Approx(14.0 / 6.0));
  m.reset_state();
  CHECK(m.result() == 0.0);
}
