// InitializerArg, RegularizerArg and ConstraintArg given a std::shared_ptr to a concrete
// class: accepted wherever a name or an object is (designated initializers included), and
// the object is shared rather than copied.
#include <catch2/catch.hpp>

#include <memory>

#include <nlohmann/json.hpp>

#include "strata/constraints.hpp"
#include "strata/error.hpp"
#include "strata/initializers.hpp"
#include "strata/layers/dense.hpp"
#include "strata/regularizers.hpp"

using namespace strata;
using namespace strata::layers;

TEST_CASE("InitializerArg shares a shared_ptr to a concrete initializer", "[initializers][args]") {
  const auto he = std::make_shared<initializers::HeNormal>(initializers::SeedOptions{.seed = 7});
  const InitializerArg arg = he;
  CHECK(arg.ptr().get() == he.get());
  const std::shared_ptr<const initializers::Ones> ones = std::make_shared<const initializers::Ones>();
  const InitializerArg const_arg = ones;
  CHECK(const_arg.ptr().get() == ones.get());
}

TEST_CASE("InitializerArg refuses a null shared_ptr of a concrete class", "[initializers][args]") {
  const std::shared_ptr<initializers::Zeros> none;
  CHECK_THROWS_AS(InitializerArg(none), ValueError);
  CHECK_THROWS_WITH(InitializerArg(none), "Could not interpret initializer identifier: a null initializer");
}

TEST_CASE("RegularizerArg and ConstraintArg share a shared_ptr and read null as none", "[regularizers][constraints][args]") {
  const auto l2 = std::make_shared<regularizers::L2>(regularizers::L2Options{.l2 = 0.5});
  const RegularizerArg regularizer = l2;
  CHECK(regularizer.ptr().get() == l2.get());
  const auto max_norm = std::make_shared<constraints::MaxNorm>(constraints::MaxNormOptions{.max_value = 3});
  const ConstraintArg constraint = max_norm;
  CHECK(constraint.ptr().get() == max_norm.get());
  CHECK_FALSE(RegularizerArg(std::shared_ptr<regularizers::L1>()));
  CHECK_FALSE(ConstraintArg(std::shared_ptr<constraints::NonNeg>()));
}

TEST_CASE("Dense takes shared_ptr initializer, regularizer and constraint options", "[initializers][args]") {
  backend::clear_session();
  Dense dense({.units = 2,
               .kernel_initializer = std::make_shared<initializers::Constant>(initializers::ConstantOptions{.value = 2}),
               .kernel_regularizer = std::make_shared<regularizers::L2>(regularizers::L2Options{.l2 = 0.5}),
               .kernel_constraint = std::make_shared<constraints::NonNeg>()});
  dense.build({std::nullopt, 3});
  CHECK(dense.kernel().value() == Tensor::full({3, 2}, 2.0f));
  // Six kernel entries of 2: 0.5 * 6 * 2^2 = 12; the bias has no regularizer.
  REQUIRE(dense.losses().size() == 1);
  CHECK(dense.losses()[0].value().item() == Approx(12.0f));
  const Json config = dense.get_config();
  CHECK(config["kernel_initializer"].dump() == R"({"class_name":"Constant","config":{"value":2}})");
  CHECK(config["kernel_regularizer"].dump() == R"({"class_name":"L2","config":{"l2":0.5}})");
  CHECK(config["kernel_constraint"].dump() == R"({"class_name":"NonNeg","config":{}})");
}
