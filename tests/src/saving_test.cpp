// Sequential's HDF5 saving against files laid out as tf.keras 2.11 writes them
// (tests/data/h5/make_fixtures.py, whose expected outputs are computed by plain loops in
// numpy): loading and predicting, the exact layout strata writes, bit-exact round trips,
// and every bad input leaving the model untouched.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "serialization/hdf5.hpp"
#include "strata/error.hpp"
#include "strata/layers/conv2d.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/layers/leaky_re_lu.hpp"
#include "strata/npy.hpp"
#include "strata/sequential.hpp"
#include "support/tensor_helpers.hpp"

using namespace strata;
using namespace strata::layers;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) { return std::string(STRATA_TEST_DATA_DIR) + "/h5/" + name; }

struct ScratchDir {
  fs::path path;
  ScratchDir() {
    static int counter = 0;
    path = fs::temp_directory_path() / fmt::format("strata_saving_test_{}_{}", ::getpid(), counter++);
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

struct FixtureModelOptions {
  std::size_t units = 3;
  bool conv_bias = true;
  bool extra_dense = false;
};

// Conv2D(2, 3) on (5, 5, 1) -> LeakyReLU() -> Flatten() -> Dense(3), the fixtures' model.
Sequential fixture_model(FixtureModelOptions o = {}) {
  backend::clear_session();
  Sequential model;
  model.add(Conv2D({.filters = 2, .kernel_size = 3, .use_bias = o.conv_bias, .input_shape = {5, 5, 1}}));
  model.add(LeakyReLU());
  model.add(Flatten());
  model.add(Dense({.units = o.units}));
  if (o.extra_dense) model.add(Dense({.units = 2}));
  return model;
}

Tensor run(Sequential& model, const Tensor& x) { return model(constant(x)).value(); }

std::vector<Tensor> snapshot(const Sequential& model) {
  std::vector<Tensor> values;
  for (const Variable& w : model.weights()) values.push_back(w.value());
  return values;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("load_weights reads a tf.keras 2.11 file and predicts what numpy computed", "[saving]") {
  Sequential model = fixture_model();
  model.load_weights(fixture("weights_keras211.h5"));
  CHECK_THAT(run(model, load_npy(fixture("input.npy"))), testing::near(load_npy(fixture("expected_output.npy"))));
}

TEST_CASE("load_weights reads h5py 2 files: fixed-length strings, chunked layer_names, float64 data", "[saving]") {
  Sequential model = fixture_model();
  model.load_weights(fixture("weights_h5py2.h5"));
  CHECK_THAT(run(model, load_npy(fixture("input.npy"))), testing::near(load_npy(fixture("expected_output.npy"))));
}

TEST_CASE("load_weights reads the weights of a whole-model file under model_weights", "[saving]") {
  Sequential model = fixture_model();
  model.load_weights(fixture("model_keras211.h5"));
  CHECK_THAT(run(model, load_npy(fixture("input.npy"))), testing::near(load_npy(fixture("expected_output.npy"))));
}

TEST_CASE("load_model builds the model from model_config and loads its weights", "[saving]") {
  backend::clear_session();
  Sequential model = load_model(fixture("model_keras211.h5"));
  CHECK(model.name() == "sequential");
  REQUIRE(model.layers().size() == 4);
  CHECK(model.layers()[0]->class_name() == "Conv2D");
  CHECK(model.layers()[3]->name() == "dense");
  CHECK_FALSE(model.compiled());
  CHECK_THAT(run(model, load_npy(fixture("input.npy"))), testing::near(load_npy(fixture("expected_output.npy"))));
}

TEST_CASE("save_weights writes tf.keras 2.11's layout exactly", "[saving]") {
  ScratchDir dir;
  const std::string path = dir.file("w.h5");
  Sequential model = fixture_model();
  model.save_weights(path);
  CHECK(dir.entries() == std::vector<std::string>{"w.h5"});  // no temp file left behind

  const hdf5::File f = hdf5::File::open(path);
  CHECK(f.attribute_names() == std::vector<std::string>{"backend", "keras_version", "layer_names"});
  CHECK(f.read_strings("layer_names") == std::vector<std::string>{"conv2d", "leaky_re_lu", "flatten", "dense"});
  CHECK(f.attribute_info("layer_names").variable_length);  // h5py 3's storage of a list of bytes
  CHECK_FALSE(f.attribute_info("layer_names").utf8);
  CHECK(f.attribute_info("backend").scalar);
  CHECK(f.read_string("backend") == "tensorflow");
  CHECK(f.read_string("keras_version") == "2.11.0");
  CHECK(f.children() == std::vector<std::string>{"conv2d", "dense", "flatten", "leaky_re_lu", "top_level_model_weights"});

  const hdf5::Group conv = f.open_group("conv2d");
  CHECK(conv.read_strings("weight_names") == std::vector<std::string>{"conv2d/kernel:0", "conv2d/bias:0"});
  CHECK(conv.children() == std::vector<std::string>{"conv2d"});
  CHECK(f.dataset_info("conv2d/conv2d/kernel:0").dtype == "float32");
  CHECK(f.dataset_info("conv2d/conv2d/kernel:0").shape == Shape{3, 3, 1, 2});
  CHECK(f.dataset_info("conv2d/conv2d/bias:0").shape == Shape{2});
  CHECK(f.dataset_info("dense/dense/kernel:0").shape == Shape{18, 3});
  CHECK(f.dataset_info("dense/dense/bias:0").shape == Shape{3});
  for (const char* empty : {"leaky_re_lu", "flatten", "top_level_model_weights"}) {
    INFO(empty);
    const hdf5::TypeInfo info = f.open_group(empty).attribute_info("weight_names");
    CHECK(info.dtype == "float64");
    CHECK(info.shape == Shape{0});
    CHECK(f.open_group(empty).children().empty());
  }
}

TEST_CASE("save_weights then load_weights into a fresh model gives identical tensors", "[saving]") {
  ScratchDir dir;
  const std::string path = dir.file("round.h5");
  Sequential original = fixture_model();
  original.save_weights(path);
  Sequential fresh = fixture_model();  // new random initial values
  REQUIRE_FALSE(snapshot(fresh) == snapshot(original));
  fresh.load_weights(path);
  CHECK(snapshot(fresh) == snapshot(original));
}

TEST_CASE("save_weights replaces an existing file", "[saving]") {
  ScratchDir dir;
  const std::string path = dir.file("w.h5");
  Sequential first = fixture_model();
  first.save_weights(path);
  Sequential second = fixture_model();
  second.save_weights(path);
  Sequential check = fixture_model();
  check.load_weights(path);
  CHECK(snapshot(check) == snapshot(second));
  CHECK(dir.entries() == std::vector<std::string>{"w.h5"});
}

TEST_CASE("a failed save_weights leaves the old file intact and no temp file", "[saving]") {
  ScratchDir dir;
  const std::string path = dir.file("w.h5");
  fixture_model().save_weights(path);
  const std::string before = read_bytes(path);
  // A layer named like Keras's own group cannot be written (h5py fails the same way).
  backend::clear_session();
  Sequential clash;
  clash.add(Dense({.units = 2, .input_shape = {3}, .name = "top_level_model_weights"}));
  CHECK_THROWS_AS(clash.save_weights(path), IOError);
  CHECK(read_bytes(path) == before);
  CHECK(dir.entries() == std::vector<std::string>{"w.h5"});
}

TEST_CASE("save_weights into a missing folder is an IOError naming it", "[saving]") {
  ScratchDir dir;
  const std::string path = dir.file("no/such/w.h5");
  CHECK_THROWS_WITH(fixture_model().save_weights(path),
                    fmt::format("Unable to create file {}: the folder {} does not exist", path, dir.file("no/such")));
}

TEST_CASE("load_weights checks everything first and leaves the model unchanged on any error", "[saving]") {
  ScratchDir dir;
  const std::string text = dir.file("text.h5");
  std::ofstream(text) << "not hdf5";
  const std::string truncated = dir.file("truncated.h5");
  fs::copy_file(fixture("weights_keras211.h5"), truncated);
  fs::resize_file(truncated, fs::file_size(truncated) - 200);

  struct Case {
    const char* what;
    FixtureModelOptions model;
    std::string path;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"missing file", {}, dir.file("missing.h5"),
       fmt::format("Unable to open file {}: No such file or directory", dir.file("missing.h5"))},
      {"not HDF5", {}, text, fmt::format("Unable to open file {}: not an HDF5 file (no HDF5 signature)", text)},
      {"truncated", {}, truncated, fmt::format("Unable to open file {}: the HDF5 file is truncated or damaged", truncated)},
      {"layer count", {.extra_dense = true}, fixture("weights_keras211.h5"),
       "Layer count mismatch when loading weights from file. Model expected 3 layers, found 2 saved layers."},
      {"weight count", {.conv_bias = false}, fixture("weights_keras211.h5"),
       "Weight count mismatch for layer #0 (named conv2d in the current model, conv2d in the save file). Layer "
       "expects 1 weight(s). Received 2 saved weight(s)"},
      {"shape", {.units = 4}, fixture("weights_keras211.h5"),
       "Shape mismatch in layer #1 (named dense) for weight dense/kernel:0. Weight expects shape (18, 4). Received "
       "saved weight with shape (18, 3)"},
      {"int dtype", {}, fixture("weights_int_kernel.h5"),
       fixture("weights_int_kernel.h5") +
           ": /conv2d/conv2d/kernel:0: dtype int32 is not supported; expected float32 or float64"},
      {"no layer_names", {}, fixture("weights_no_layer_names.h5"),
       fixture("weights_no_layer_names.h5") + ": attribute layer_names of /: missing"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    Sequential model = fixture_model(c.model);
    const std::vector<Tensor> before = snapshot(model);
    CHECK_THROWS_WITH(model.load_weights(c.path), c.message);
    CHECK(snapshot(model) == before);
  }
}

TEST_CASE("load_weights errors are Keras's exception kinds", "[saving]") {
  Sequential wider = fixture_model({.units = 4});
  CHECK_THROWS_AS(wider.load_weights(fixture("weights_keras211.h5")), ShapeError);
  Sequential longer = fixture_model({.extra_dense = true});
  CHECK_THROWS_AS(longer.load_weights(fixture("weights_keras211.h5")), ValueError);
  Sequential same = fixture_model();
  CHECK_THROWS_AS(same.load_weights(fixture("weights_int_kernel.h5")), IOError);
}

TEST_CASE("load_weights into a model that is not built says so in Keras's words", "[saving]") {
  backend::clear_session();
  Sequential model;
  model.add(Dense({.units = 3}));
  CHECK_THROWS_WITH(model.load_weights(fixture("weights_keras211.h5")),
                    "Unable to load weights saved in HDF5 format into a subclassed Model which has not created its "
                    "variables yet. Call the Model first, then load the weights.");
}

TEST_CASE("save and load_model round trip the config, the weights and the predictions", "[saving]") {
  ScratchDir dir;
  const std::string path = dir.file("sub/model.h5");  // save creates the folder, as Keras
  Sequential original = fixture_model();
  original.save(path);

  const hdf5::File f = hdf5::File::open(path);
  CHECK(f.attribute_names() == std::vector<std::string>{"backend", "keras_version", "model_config"});
  CHECK(f.attribute_info("keras_version").utf8);  // a Python str in model_metadata
  CHECK(f.read_string("keras_version") == "2.11.0");
  CHECK(f.read_string("backend") == "tensorflow");
  CHECK(f.read_string("model_config") ==
        dump_python_json(Json{{"class_name", "Sequential"}, {"config", original.get_config()}}));
  CHECK(f.children() == std::vector<std::string>{"model_weights"});
  CHECK(f.open_group("model_weights").read_strings("layer_names") ==
        std::vector<std::string>{"conv2d", "leaky_re_lu", "flatten", "dense"});

  backend::clear_session();
  Sequential loaded = load_model(path);
  CHECK(loaded.to_json() == original.to_json());
  CHECK(snapshot(loaded) == snapshot(original));
  const Tensor x = load_npy(fixture("input.npy"));
  CHECK(run(loaded, x) == run(original, x));
}

TEST_CASE("load_model on a weights-only file says there is no model config", "[saving]") {
  CHECK_THROWS_WITH(load_model(fixture("weights_keras211.h5")),
                    "No model config found in the file at " + fixture("weights_keras211.h5") + ".");
}

TEST_CASE("load_model compiles the model again from a tf.keras 2.11 training_config", "[saving]") {
  backend::clear_session();
  Sequential model = load_model(fixture("model_compiled_keras211.h5"));
  REQUIRE(model.compiled());
  CHECK(model.optimizer()->class_name() == "Adam");
  CHECK(model.optimizer()->learning_rate() == Approx(0.001f));
  CHECK(model.loss_name() == "mse");
  REQUIRE(model.metrics().size() == 1);
  CHECK(model.metrics()[0]->name() == "accuracy");
  CHECK_THAT(run(model, load_npy(fixture("input.npy"))), testing::near(load_npy(fixture("expected_output.npy"))));
}

TEST_CASE("save writes training_config with tf.keras 2.11's keys when compiled, and load_model restores it",
          "[saving]") {
  ScratchDir dir;
  const std::string path = dir.file("compiled.h5");
  Sequential original = fixture_model();
  original.compile({.optimizer = optimizers::SGD({.learning_rate = 0.05, .momentum = 0.5f}),
                    .loss = "sparse_categorical_crossentropy",
                    .metrics = {"accuracy"}});
  original.save(path);

  const hdf5::File f = hdf5::File::open(path);
  CHECK(f.attribute_names() == std::vector<std::string>{"backend", "keras_version", "model_config", "training_config"});
  CHECK(f.read_string("training_config") ==
        "{\"loss\": \"sparse_categorical_crossentropy\", \"metrics\": [\"accuracy\"], \"weighted_metrics\": null, "
        "\"loss_weights\": null, \"optimizer_config\": " +
            dump_python_json(optimizers::serialize(*original.optimizer())) + "}");

  backend::clear_session();
  Sequential loaded = load_model(path);
  REQUIRE(loaded.compiled());
  CHECK(loaded.optimizer()->class_name() == "SGD");
  CHECK(loaded.optimizer()->get_config() == original.optimizer()->get_config());
  CHECK(loaded.loss_name() == "sparse_categorical_crossentropy");
  REQUIRE(loaded.metrics().size() == 1);
  CHECK(loaded.metrics()[0]->name() == "accuracy");
  CHECK(snapshot(loaded) == snapshot(original));
}
