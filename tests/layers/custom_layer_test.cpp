// A user-written layer, defined here as a user would: it registers itself, extends its
// config either the Keras way (overriding get_config) or through add_config, and
// round-trips through Sequential::to_json and model_from_json.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "strata/config_reader.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/layer.hpp"
#include "strata/layers/registry.hpp"
#include "strata/ops.hpp"
#include "strata/sequential.hpp"

using namespace strata;
using namespace strata::layers;

namespace {

// y = x + offset. Extends its config as a Keras user writes it:
// `config = super().get_config(); config.update({"offset": ...}); return config`.
struct UserOffsetOptions {
  double offset = 0.0;
  STRATA_LAYER_COMMON_OPTIONS
};
class UserOffset : public Layer {
 public:
  explicit UserOffset(UserOffsetOptions o = {}) : Layer("user_offset", common_options(o)), offset_(o.offset) {}
  std::string class_name() const override { return "UserOffset"; }
  double offset() const { return offset_; }
  Json get_config() const override {
    Json config = Layer::get_config();
    config["offset"] = offset_;
    return config;
  }
  static std::shared_ptr<UserOffset> from_config(const ConfigReader& c) {
    UserOffsetOptions o;
    read_common_options(c, o);
    o.offset = c.number("offset");
    return std::make_shared<UserOffset>(o);
  }

 protected:
  Variable call(const Variable& x, bool) override { return x + static_cast<float>(offset_); }

 private:
  double offset_;
};

// y = x * factor, its key added through the add_config hook instead.
struct UserFactorOptions {
  double factor = 1.0;
  STRATA_LAYER_COMMON_OPTIONS
};
class UserFactor : public Layer {
 public:
  explicit UserFactor(UserFactorOptions o = {}) : Layer("user_factor", common_options(o)), factor_(o.factor) {}
  std::string class_name() const override { return "UserFactor"; }
  double factor() const { return factor_; }
  static std::shared_ptr<UserFactor> from_config(const ConfigReader& c) {
    UserFactorOptions o;
    read_common_options(c, o);
    o.factor = c.number("factor");
    return std::make_shared<UserFactor>(o);
  }

 protected:
  Variable call(const Variable& x, bool) override { return x * static_cast<float>(factor_); }
  void add_config(Json& config) const override { config["factor"] = factor_; }

 private:
  double factor_;
};

}  // namespace

STRATA_REGISTER_LAYER(UserOffset)
STRATA_REGISTER_LAYER(UserFactor)

TEST_CASE("A user layer overriding get_config is serialized through a Layer reference", "[layer][registry][custom]") {
  backend::clear_session();
  const UserOffset layer({.offset = 1.5});
  const Layer& base = layer;
  CHECK(serialize(base).dump() ==
        R"({"class_name":"UserOffset","config":{"name":"user_offset","trainable":true,"dtype":"float32","offset":1.5}})");
}

TEST_CASE("User layers round-trip through to_json and model_from_json", "[layer][registry][custom][sequential]") {
  backend::clear_session();
  Sequential model;
  model.add(Dense({.units = 2, .input_shape = {3}}));
  model.add(UserOffset({.offset = 1.5}));
  model.add(UserFactor({.factor = -2.0}));
  const std::string json = model.to_json();
  CHECK_THAT(json, Catch::Contains(R"({"class_name": "UserOffset", "config": {"name": "user_offset", "trainable": )"
                                   R"(true, "dtype": "float32", "offset": 1.5}})"));
  CHECK_THAT(json, Catch::Contains(R"({"class_name": "UserFactor", "config": {"name": "user_factor", "trainable": )"
                                   R"(true, "dtype": "float32", "factor": -2.0}})"));

  Sequential loaded = model_from_json(json);
  CHECK(loaded.to_json() == json);
  const auto offset = std::dynamic_pointer_cast<UserOffset>(loaded.get_layer("user_offset"));
  const auto factor = std::dynamic_pointer_cast<UserFactor>(loaded.get_layer("user_factor"));
  REQUIRE(offset);
  REQUIRE(factor);
  CHECK(offset->offset() == 1.5);
  CHECK(factor->factor() == -2.0);
  // The loaded stack computes what the original does: (x . W + b + 1.5) * -2.
  loaded.get_layer("dense")->weights()[0].assign(model.get_layer("dense")->weights()[0].value());
  const Variable x = constant(Tensor({1, 3}, {1.0f, 2.0f, 3.0f}));
  CHECK(loaded(x).value() == model(x).value());
}
