// Reshape: Keras's _fix_unknown_dimension (a port of numpy's) resolves the -1 entry.
#include "strata/layers/reshape.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "layers/keras_args.hpp"
#include "strata/config_reader.hpp"
#include "strata/error.hpp"
#include "strata/layers/registry.hpp"
#include "strata/ops.hpp"

namespace strata::layers {

namespace {
void check_target_shape(const std::vector<std::int64_t>& target) {
  std::size_t unknown = 0;
  for (std::int64_t d : target) {
    if (d == -1) ++unknown;
    else if (d < 0)
      throw ValueError(fmt::format("Reshape: every entry of `target_shape` must be a non-negative integer or -1 "
                                   "(inferred). Received: target_shape={}",
                                   detail::py_tuple(target)));
  }
  // Keras raises this from compute_output_shape; strata checks at construction.
  if (unknown > 1)
    throw ValueError(fmt::format(
        "There must be at most one unknown dimension in output_shape. Received: output_shape={}.",
        detail::py_list(target)));
}
}  // namespace

Reshape::Reshape(ReshapeOptions options) : Layer("reshape", common_options(options)), options_(std::move(options)) {
  check_target_shape(options_.target_shape);
}

TensorShape Reshape::compute_output_shape(const TensorShape& input_shape) const {
  if (auto message = detail::check_min_ndim(input_shape, 1)) incompatible_input(*message);
  TensorShape out{input_shape[0]};
  bool known_input = true;
  std::int64_t original = 1;
  bool overflow = false;  // sizes past 2^63 cannot be reshaped into anything real
  std::vector<std::int64_t> sample;
  for (std::size_t i = 1; i < input_shape.size(); ++i) {
    if (!input_shape[i]) {
      known_input = false;
      break;
    }
    overflow |= __builtin_mul_overflow(original, static_cast<std::int64_t>(*input_shape[i]), &original);
    sample.push_back(static_cast<std::int64_t>(*input_shape[i]));
  }
  if (!known_input) {
    // Part of the input shape unknown: -1 stays unknown.
    for (std::int64_t d : options_.target_shape)
      out.push_back(d < 0 ? Dim{} : Dim{static_cast<std::size_t>(d)});
    return out;
  }
  std::int64_t known = 1;
  std::optional<std::size_t> unknown;
  for (std::size_t i = 0; i < options_.target_shape.size(); ++i) {
    if (options_.target_shape[i] < 0) unknown = i;
    else overflow |= __builtin_mul_overflow(known, options_.target_shape[i], &known);
  }
  std::vector<std::int64_t> resolved = options_.target_shape;
  const bool fits = !overflow && (unknown ? known != 0 && original % known == 0 : original == known);
  if (!fits)
    // Keras's message, with the first line its Layer.__call__ adds to name the layer.
    throw ShapeError(fmt::format(
        "Exception encountered when calling layer \"{}\" (type Reshape).\n\ntotal size of new array must be "
        "unchanged, input_shape = {}, output_shape = {}",
        name(), detail::py_list(sample), detail::py_list(options_.target_shape)));
  if (unknown) resolved[*unknown] = original / known;
  for (std::int64_t d : resolved) out.push_back(static_cast<std::size_t>(d));
  return out;
}

void Reshape::build_weights(const TensorShape& input_shape) {
  if (auto message = detail::check_min_ndim(input_shape, 1)) incompatible_input(*message);
}

Variable Reshape::call(const Variable& x, bool) {
  const TensorShape out = compute_output_shape(to_tensor_shape(x.shape()));
  std::vector<std::int64_t> shape;
  for (const Dim& d : out) shape.push_back(static_cast<std::int64_t>(*d));
  return ops::reshape(x, shape);
}

void Reshape::add_config(Json& config) const { config["target_shape"] = options_.target_shape; }

std::shared_ptr<Reshape> Reshape::from_config(const ConfigReader& config) {
  ReshapeOptions options;
  options.target_shape = config.integers("target_shape");
  for (std::int64_t d : options.target_shape)
    if (d > 0) config.check_size("target_shape", static_cast<std::uint64_t>(d));
  read_common_options(config, options);
  return std::make_shared<Reshape>(std::move(options));
}

STRATA_REGISTER_LAYER(Reshape)

}  // namespace strata::layers
