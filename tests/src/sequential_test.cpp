// Sequential: building, shape inference, naming, summaries (byte for byte against Keras's
// goldens) and JSON configs.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "strata/error.hpp"
#include "strata/layers/batch_normalization.hpp"
#include "strata/layers/conv2d.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/layers/input_layer.hpp"
#include "strata/layers/leaky_re_lu.hpp"
#include "strata/layers/max_pooling2d.hpp"
#include "strata/layers/p_re_lu.hpp"
#include "strata/sequential.hpp"

using namespace strata;
using namespace strata::layers;

namespace {
std::string read_golden(const std::string& name) {
  std::ifstream in(std::string(STRATA_TEST_DATA_DIR) + "/keras/" + name, std::ios::binary);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The TF CNN tutorial's conv stack with LeakyReLU(0.01) layers, on 28x28x3 as the goldens.
Sequential golden_cnn() {
  backend::clear_session();
  Sequential model;
  model.add(Conv2D({.filters = 32, .kernel_size = 3, .input_shape = {28, 28, 3}}));
  model.add(LeakyReLU({.alpha = 0.01f}));
  model.add(MaxPooling2D({.pool_size = 2}));
  model.add(Conv2D({.filters = 64, .kernel_size = 3}));
  model.add(LeakyReLU({.alpha = 0.01f}));
  model.add(MaxPooling2D({.pool_size = 2}));
  model.add(Conv2D({.filters = 64, .kernel_size = 3}));
  model.add(LeakyReLU({.alpha = 0.01f}));
  model.add(MaxPooling2D({.pool_size = 2}));
  return model;
}
}  // namespace

TEST_CASE("The seed CNN's summary matches tf.keras 2.0-2.6 byte for byte", "[sequential][summary]") {
  CHECK(golden_cnn().summary_string() == read_golden("summary_tf2.0-2.6.txt"));
}

TEST_CASE("The seed CNN's summary matches keras 2.7-2.12 byte for byte", "[sequential][summary]") {
  CHECK(golden_cnn().summary_string({.style = SummaryStyle::tf2_7}) == read_golden("summary_tf2.7-2.12.txt"));
}

TEST_CASE("The seed CNN's summary matches keras 2.13-2.15 byte for byte", "[sequential][summary]") {
  CHECK(golden_cnn().summary_string({.style = SummaryStyle::tf2_13}) == read_golden("summary_tf2.13-2.15.txt"));
}

TEST_CASE("The seed CNN's summary matches Keras 3 at widths 88 and 76", "[sequential][summary]") {
  Sequential model = golden_cnn();
  CHECK(model.summary_string({.style = SummaryStyle::keras3}) == read_golden("summary_keras3_width88.txt"));
  CHECK(model.summary_string({.style = SummaryStyle::keras3, .line_length = 76}) ==
        read_golden("summary_keras3_width76.txt"));
}

TEST_CASE("summary writes to a stream what summary_string returns", "[sequential][summary]") {
  Sequential model = golden_cnn();
  std::ostringstream out;
  model.summary(out);
  CHECK(out.str() == model.summary_string());
}

TEST_CASE("A LeakyReLU passed as activation= prints no row of its own", "[sequential][summary]") {
  backend::clear_session();
  Sequential model;
  model.add(Conv2D({.filters = 32, .kernel_size = 3, .activation = LeakyReLU({.alpha = 0.01f}), .input_shape = {28, 28, 1}}));
  model.add(MaxPooling2D({.pool_size = 2}));
  model.add(Conv2D({.filters = 64, .kernel_size = 3, .activation = LeakyReLU({.alpha = 0.01f})}));
  // Each activation object consumed a name, so the second Conv2D is conv2d_1 and the
  // model has no leaky_re_lu rows; 3*3*1*32+32 = 320, 3*3*32*64+64 = 18496.
  CHECK(model.summary_string() ==
        "Model: \"sequential\"\n"
        "_________________________________________________________________\n"
        "Layer (type)                 Output Shape              Param #   \n"
        "=================================================================\n"
        "conv2d (Conv2D)              (None, 26, 26, 32)        320       \n"
        "_________________________________________________________________\n"
        "max_pooling2d (MaxPooling2D) (None, 13, 13, 32)        0         \n"
        "_________________________________________________________________\n"
        "conv2d_1 (Conv2D)            (None, 11, 11, 64)        18496     \n"
        "=================================================================\n"
        "Total params: 18,816\n"
        "Trainable params: 18,816\n"
        "Non-trainable params: 0\n"
        "_________________________________________________________________\n");
}

TEST_CASE("BatchNormalization's moving statistics count as non-trainable", "[sequential][summary]") {
  backend::clear_session();
  Sequential model;
  model.add(Conv2D({.filters = 32, .kernel_size = 3, .input_shape = {28, 28, 1}}));
  model.add(BatchNormalization());
  model.add(Flatten());
  model.add(Dense({.units = 10, .activation = "softmax"}));
  // BN on 32 channels: gamma, beta trainable (64), moving mean/variance not (64);
  // Dense: 26*26*32 = 21632 inputs -> 216320 + 10.
  CHECK(model.summary_string() ==
        "Model: \"sequential\"\n"
        "_________________________________________________________________\n"
        "Layer (type)                 Output Shape              Param #   \n"
        "=================================================================\n"
        "conv2d (Conv2D)              (None, 26, 26, 32)        320       \n"
        "_________________________________________________________________\n"
        "batch_normalization (BatchNo (None, 26, 26, 32)        128       \n"
        "_________________________________________________________________\n"
        "flatten (Flatten)            (None, 21632)             0         \n"
        "_________________________________________________________________\n"
        "dense (Dense)                (None, 10)                216330    \n"
        "=================================================================\n"
        "Total params: 216,778\n"
        "Trainable params: 216,714\n"
        "Non-trainable params: 64\n"
        "_________________________________________________________________\n");
}

TEST_CASE("PReLU passed as activation= counts its slopes in the Conv2D row", "[sequential][summary]") {
  backend::clear_session();
  Sequential model;
  model.add(Conv2D({.filters = 8, .kernel_size = 3, .activation = PReLU({.shared_axes = {1, 2}}), .input_shape = {8, 8, 1}}));
  // 3*3*1*8 + 8 = 80, plus one slope per channel = 88
  CHECK(model.get_layer("conv2d")->count_params() == 88);
  CHECK(model.count_params() == 88);
}

TEST_CASE("line_length and positions change the table as in Keras's print_summary", "[sequential][summary]") {
  backend::clear_session();
  Sequential model;
  model.add(Dense({.units = 4, .input_shape = {3}}));
  CHECK(model.summary_string({.line_length = 40, .positions = {0.5, 0.8, 1.0}}) ==
        "Model: \"sequential\"\n"
        "________________________________________\n"
        "Layer (type)        Output Shap Param # \n"  // a cell filling its column loses its last char
        "========================================\n"
        "dense (Dense)       (None, 4)   16      \n"
        "========================================\n"
        "Total params: 16\n"
        "Trainable params: 16\n"
        "Non-trainable params: 0\n"
        "________________________________________\n");
}

TEST_CASE("An unbuilt model refuses a summary with Keras's message", "[sequential][summary]") {
  Sequential model;
  model.add(Dense({.units = 4}));
  CHECK_THROWS_WITH(model.summary_string(),
                    "This model has not yet been built. Build the model first by calling `build()` or by calling the "
                    "model on a batch of data.");
  model.build({std::nullopt, 3});
  CHECK(model.output_shape() == TensorShape{std::nullopt, 4});
}

TEST_CASE("Models are named sequential, sequential_1, ...", "[sequential]") {
  backend::clear_session();
  Sequential a, b;
  Sequential c({.name = "mine"});
  CHECK(a.name() == "sequential");
  CHECK(b.name() == "sequential_1");
  CHECK(c.name() == "mine");
}

TEST_CASE("An InputLayer first sets the input shape without a row", "[sequential]") {
  backend::clear_session();
  Sequential model;
  model.add(InputLayer({.input_shape = {4}}));
  model.add(Dense({.units = 2}));
  CHECK(model.layers().size() == 1);
  CHECK(model.input_shape() == TensorShape{std::nullopt, 4});
  CHECK(model.input_layer_name() == "input_1");
}

TEST_CASE("A layer whose input does not fit is refused and the model is unchanged", "[sequential]") {
  backend::clear_session();
  Sequential model;
  model.add(Dense({.units = 8, .input_shape = {4}}));
  CHECK_THROWS_AS(model.add(Conv2D({.filters = 4, .kernel_size = 3})), ShapeError);
  CHECK(model.layers().size() == 1);
  CHECK(model.output_shape() == TensorShape{std::nullopt, 8});
}

TEST_CASE("Duplicate layer names are refused with Keras's message", "[sequential]") {
  Sequential model;
  model.add(Dense({.units = 2, .input_shape = {3}, .name = "d"}));
  CHECK_THROWS_WITH(model.add(Dense({.units = 2, .name = "d"})),
                    "All layers added to a Sequential model should have unique names. Name \"d\" is already the name "
                    "of a layer in this model. Update the `name` argument to pass a unique name.");
}

TEST_CASE("pop removes the last layer and get_layer finds by name or index", "[sequential]") {
  backend::clear_session();
  Sequential model;
  model.add(Dense({.units = 2, .input_shape = {3}}));
  model.add(Dense({.units = 5}));
  CHECK(model.get_layer("dense_1")->name() == "dense_1");
  CHECK(model.get_layer(0)->name() == "dense");
  CHECK_THROWS_WITH(model.get_layer("nope"), "No such layer: nope. Existing layers are: [dense, dense_1].");
  model.pop();
  CHECK(model.layers().size() == 1);
  CHECK(model.output_shape() == TensorShape{std::nullopt, 2});
  model.pop();
  CHECK_THROWS_WITH(model.pop(), "There are no layers in the model.");
}

TEST_CASE("Calling the model runs the layers in order and checks the input shape", "[sequential]") {
  backend::clear_session();
  Sequential model;
  model.add(Dense({.units = 3, .kernel_initializer = "ones", .input_shape = {2}}));
  model.add(Dense({.units = 1, .kernel_initializer = "ones"}));
  Variable y = model(constant(Tensor({1, 2}, {1, 2})));
  CHECK(y.value() == Tensor({1, 1}, {9}));  // (1+2) * 3 units
  CHECK_THROWS_WITH(model(constant(Tensor({1, 3}))),
                    "Input 0 of layer \"sequential\" is incompatible with the layer: expected shape=(None, 2), found "
                    "shape=(1, 3)");
}

TEST_CASE("A model built by its first call infers every shape", "[sequential]") {
  Sequential model;
  model.add(Dense({.units = 3}));
  model(constant(Tensor({5, 7})));
  CHECK(model.built());
  CHECK(model.count_params() == 24);
  CHECK(model.get_config().contains("build_input_shape"));
}

TEST_CASE("to_json writes what tf.keras 2.11 writes for the seed CNN", "[sequential][json]") {
  CHECK(golden_cnn().to_json() == read_golden("to_json_tf2.11-2.12.json"));
}

TEST_CASE("model_from_json reads Keras's file and writes it back identically", "[sequential][json]") {
  backend::clear_session();
  const std::string golden = read_golden("to_json_tf2.11-2.12.json");
  Sequential model = model_from_json(golden);
  CHECK(model.to_json() == golden);
  CHECK(model.count_params() == 56320);
  CHECK(model.summary_string() == read_golden("summary_tf2.0-2.6.txt"));
}

TEST_CASE("model_from_json reads tf.keras 2.4-2.10 files too", "[sequential][json]") {
  Sequential model = model_from_json(read_golden("to_json_tf2.4-2.10.json"));
  CHECK(model.to_json() == read_golden("to_json_tf2.11-2.12.json"));
}

TEST_CASE("Bad model JSON names the JSON path", "[sequential][json]") {
  std::string text = read_golden("to_json_tf2.11-2.12.json");
  Json doc = Json::parse(text);
  doc["config"]["layers"][4]["config"]["filters"] = "64";
  CHECK_THROWS_WITH(model_from_json(doc.dump()), "config.layers[4].config.filters: expected an integer, got \"64\"");
  CHECK_THROWS_WITH(model_from_json("{\"class_name\": \"Functional\", \"config\": {}}"),
                    "class_name: only Sequential models are supported, got 'Functional'");
  CHECK_THROWS_AS(model_from_json("{not json"), ConfigError);
  CHECK_THROWS_WITH(model_from_json("[]"), "JSON document: expected an object, got []");
}

TEST_CASE("model_from_json reads a Keras 3 file: same model, same tf.keras JSON and summaries", "[sequential][json]") {
  backend::clear_session();
  Sequential model = model_from_json(read_golden("seed_cnn_keras3.json"));
  CHECK(model.name() == "sequential");
  CHECK(model.layers().size() == 9);
  CHECK(model.get_layer("leaky_re_lu_2")->get_config()["alpha"].get<double>() == Approx(0.01));
  CHECK(model.count_params() == 56320);
  CHECK(model.summary_string() == read_golden("summary_tf2.0-2.6.txt"));
  CHECK(model.summary_string({.style = SummaryStyle::keras3}) == read_golden("summary_keras3_width88.txt"));
  // Written back in tf.keras 2.11's form, it is Keras's own file of the same model, except
  // that the input layer is the file's own (named input_layer), so, as in tf.keras, the
  // first Conv2D carries no batch_input_shape.
  Json expected = Json::parse(read_golden("to_json_tf2.11-2.12.json"));
  expected["config"]["layers"][0]["config"]["name"] = "input_layer";
  expected["config"]["layers"][1]["config"].erase("batch_input_shape");
  CHECK(Json::parse(model.to_json()) == expected);
}

TEST_CASE("A Keras 3 file with a wrong type names the JSON path", "[sequential][json]") {
  Json doc = Json::parse(read_golden("seed_cnn_keras3.json"));
  doc["config"]["layers"][2]["config"]["negative_slope"] = "0.01";
  CHECK_THROWS_AS(model_from_json(doc.dump()), ConfigError);
  CHECK_THROWS_WITH(model_from_json(doc.dump()), Catch::Matchers::StartsWith("config.layers[2].config.negative_slope"));
}
