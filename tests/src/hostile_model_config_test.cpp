// model_from_json on hostile configs: sizes that would exhaust memory are refused before
// anything is allocated, deep nesting before parsing, and every error names the JSON path.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "strata/error.hpp"
#include "strata/layers/layer.hpp"
#include "strata/sequential.hpp"

using namespace strata;

namespace {

Json golden_seed_cnn() {
  std::ifstream in(std::string(STRATA_TEST_DATA_DIR) + "/keras/to_json_tf2.11-2.12.json");
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

// A one-Dense model on a given input width, as tf.keras writes it.
Json dense_model(Json units, Json input_width = 4) {
  return Json::parse(R"({"class_name": "Sequential", "config": {"name": "m", "layers": [
      {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "name": "in"}},
      {"class_name": "Dense", "config": {"name": "dense", "units": 1}}]}})")
      .patch(Json::array({{{"op", "replace"}, {"path", "/config/layers/1/config/units"}, {"value", units}},
                          {{"op", "replace"}, {"path", "/config/layers/0/config/batch_input_shape/1"},
                           {"value", input_width}}}));
}

// Restores the weight limit a test lowered.
struct WeightLimit {
  std::size_t saved = layers::max_weight_elements();
  explicit WeightLimit(std::size_t limit) { layers::set_max_weight_elements(limit); }
  ~WeightLimit() { layers::set_max_weight_elements(saved); }
};

}  // namespace

TEST_CASE("model_from_json refuses filters = 10^12 where it is read, naming the JSON path", "[json][hostile]") {
  Json doc = golden_seed_cnn();
  doc["config"]["layers"][4]["config"]["filters"] = 1000000000000;
  CHECK_THROWS_MATCHES(model_from_json(doc.dump()), ConfigError,
                       Catch::Message("config.layers[4].config.filters: 1000000000000 is larger than 2147483647, the "
                                      "largest size strata reads from a config"));
}

TEST_CASE("model_from_json refuses a kernel of 10^18 elements before allocating it", "[json][hostile]") {
  // Each side passes the per-value limit; the product does not fit in any memory.
  Json doc = golden_seed_cnn();
  doc["config"]["layers"][1]["config"]["kernel_size"] = {1000000000, 1000000000};
  doc["config"]["layers"][1]["config"]["padding"] = "same";
  CHECK_THROWS_MATCHES(
      model_from_json(doc.dump()), ConfigError,
      Catch::Message("config.layers[1]: Layer \"conv2d\": weight kernel of shape (1000000000, 1000000000, 3, 32) "
                     "would have more than 2147483648 elements, the most strata allocates for one weight "
                     "(strata::layers::set_max_weight_elements)"));
}

TEST_CASE("model_from_json refuses a kernel_size side above 2^31 - 1 and a kernel_size list of 10^6 entries",
          "[json][hostile]") {
  Json doc = golden_seed_cnn();
  doc["config"]["layers"][1]["config"]["kernel_size"] = {3000000000, 3};
  CHECK_THROWS_WITH(model_from_json(doc.dump()), "config.layers[1].config.kernel_size: 3000000000 is larger than "
                                                 "2147483647, the largest size strata reads from a config");
  doc["config"]["layers"][1]["config"]["kernel_size"] = Json(std::vector<int>(1000000, 3));
  CHECK_THROWS_WITH(model_from_json(doc.dump()),
                    Catch::StartsWith("config.layers[1].config.kernel_size: expected an integer or a list of 2 "
                                      "integers, got [3,3,3,"));
}

TEST_CASE("model_from_json refuses Dense units whose kernel would exceed the weight limit", "[json][hostile]") {
  CHECK_THROWS_MATCHES(model_from_json(dense_model(2147483647, 1600).dump()), ConfigError,
                       Catch::Message("config.layers[1]: Layer \"dense\": weight kernel of shape (1600, 2147483647) "
                                      "would have more than 2147483648 elements, the most strata allocates for one "
                                      "weight (strata::layers::set_max_weight_elements)"));
  CHECK_THROWS_WITH(model_from_json(dense_model(10000000000000).dump()),
                    "config.layers[1].config.units: 10000000000000 is larger than 2147483647, the largest size "
                    "strata reads from a config");
}

TEST_CASE("model_from_json refuses a huge batch_input_shape dimension, naming it", "[json][hostile]") {
  CHECK_THROWS_WITH(model_from_json(dense_model(1, 4294967296).dump()),
                    "config.layers[0].config.batch_input_shape: 4294967296 is larger than 2147483647, the largest "
                    "size strata reads from a config");
}

TEST_CASE("A lowered weight limit refuses a model that the default accepts", "[json][hostile]") {
  const std::string text = golden_seed_cnn().dump();
  CHECK_NOTHROW(model_from_json(text));
  WeightLimit limit(1000);
  // conv2d's kernel (3, 3, 3, 32) has 864 elements; conv2d_1's (3, 3, 32, 64) has 18432.
  CHECK_THROWS_WITH(model_from_json(text),
                    "config.layers[4]: Layer \"conv2d_1\": weight kernel of shape (3, 3, 32, 64) would have more "
                    "than 1000 elements, the most strata allocates for one weight "
                    "(strata::layers::set_max_weight_elements)");
}

TEST_CASE("model_from_json refuses JSON nested 100000 deep without overflowing the stack", "[json][hostile]") {
  const std::string deep = "{\"class_name\": \"Sequential\", \"config\": " + std::string(100000, '[') +
                           std::string(100000, ']') + "}";
  CHECK_THROWS_MATCHES(model_from_json(deep), ConfigError,
                       Catch::Message("model_from_json: invalid JSON: nested deeper than 100 levels at byte 138"));
}

TEST_CASE("A number beyond double's range is invalid JSON, not an escaping exception", "[json][hostile]") {
  // Found by model_json_fuzzer: nlohmann::json reports it as out_of_range, not parse_error.
  CHECK_THROWS_MATCHES(model_from_json("32e118058372474120104805837271"), ConfigError,
                       Catch::Message("model_from_json: invalid JSON: [json.exception.out_of_range.406] number "
                                      "overflow parsing '32e118058372474120104805837271'"));
  CHECK_THROWS_AS(model_from_json(R"({"class_name": "Sequential", "config": {"layers": [1e400]}})"), ConfigError);
}

TEST_CASE("A layer's own error from a config names its entry in the file and keeps its type", "[json][hostile]") {
  Json doc = golden_seed_cnn();
  doc["config"]["layers"][4]["config"]["filters"] = 0;
  CHECK_THROWS_MATCHES(model_from_json(doc.dump()), ValueError,
                       Catch::Message("config.layers[4]: Invalid value for argument `filters`. Expected a strictly "
                                      "positive value. Received filters=0."));
  // A kernel larger than its input: Keras's ShapeError, still a ShapeError.
  doc = golden_seed_cnn();
  doc["config"]["layers"][7]["config"]["kernel_size"] = {9, 9};
  CHECK_THROWS_AS(model_from_json(doc.dump()), ShapeError);
  CHECK_THROWS_WITH(model_from_json(doc.dump()), Catch::StartsWith("config.layers[7]: "));
}
