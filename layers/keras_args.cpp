// Keras's argument normalisation and InputSpec messages shared by the layers.
#include <nlohmann/json.hpp>

#include "layers/keras_args.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "strata/error.hpp"

namespace strata::layers::detail {

std::string py_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::string text = fmt::format("{}", value);
  // fmt prints 2.0 as "2"; Python's repr keeps the ".0".
  if (text.find_first_of(".en") == std::string::npos) text += ".0";
  return text;
}

std::string py_tuple(const std::vector<std::int64_t>& values) {
  if (values.size() == 1) return fmt::format("({},)", values[0]);
  return fmt::format("({})", fmt::join(values, ", "));
}

std::string py_list(const std::vector<std::int64_t>& values) { return fmt::format("[{}]", fmt::join(values, ", ")); }

std::string py_shape_list(const TensorShape& shape) {
  std::vector<std::string> dims;
  for (const Dim& d : shape) dims.push_back(d ? std::to_string(*d) : "None");
  return fmt::format("[{}]", fmt::join(dims, ", "));
}

std::vector<std::int64_t> to_ints(Size2 size) {
  return {static_cast<std::int64_t>(size.h), static_cast<std::int64_t>(size.w)};
}

std::array<std::size_t, 2> to_array(Size2 size) { return {size.h, size.w}; }

Json to_json(Size2 size) { return Json::array({size.h, size.w}); }

namespace {
// The offending values of a tuple as Python prints the set, e.g. {0} or {-1, 0}.
std::string bad_values(const std::vector<std::int64_t>& values, bool allow_zero) {
  std::set<std::int64_t> bad;
  for (std::int64_t v : values)
    if (allow_zero ? v < 0 : v <= 0) bad.insert(v);
  if (bad.empty()) return {};
  return fmt::format("{{{}}}", fmt::join(bad, ", "));
}

[[noreturn]] void tuple_error(std::string_view name, const std::string& received, const std::string& bad,
                              bool allow_zero) {
  throw ValueError(fmt::format("The `{}` argument must be a tuple of 2 integers. Received: {} including {} that does "
                               "not satisfy the requirement `{}`.",
                               name, received, bad, allow_zero ? ">= 0" : "> 0"));
}
}  // namespace

void check_size2(std::string_view name, Size2 value, bool allow_zero) {
  const std::vector<std::int64_t> values = to_ints(value);
  if (std::string bad = bad_values(values, allow_zero); !bad.empty())
    tuple_error(name, py_tuple(values), bad, allow_zero);
}

Size2 read_size2(const ConfigReader& config, std::string_view key, bool allow_zero) {
  const std::vector<std::int64_t> values = config.integers(key, 2);
  for (std::int64_t v : values)
    if (v > 0) config.check_size(key, static_cast<std::uint64_t>(v));
  if (std::string bad = bad_values(values, allow_zero); !bad.empty()) {
    const Json& raw = *config.find(key);
    tuple_error(key, raw.is_array() ? py_list(values) : std::to_string(values[0]), bad, allow_zero);
  }
  return Size2(static_cast<std::size_t>(values[0]), static_cast<std::size_t>(values[1]));
}

namespace {
std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}
}  // namespace

std::string normalize_padding(const std::string& padding) {
  std::string value = lower(padding);
  if (value == "causal")
    throw ValueError("Causal padding is only supported for `Conv1D`and `SeparableConv1D`.");
  if (value != "valid" && value != "same")
    throw ValueError(fmt::format("The `padding` argument must be a list/tuple or one of \"valid\", \"same\" (or "
                                 "\"causal\", only for `Conv1D). Received: {}",
                                 value));
  return value;
}

ops::Padding to_op_padding(const std::string& normalized_padding) {
  return normalized_padding == "same" ? ops::Padding::same : ops::Padding::valid;
}

std::string normalize_data_format(const std::string& data_format) {
  std::string value = lower(data_format);
  if (value != "channels_first" && value != "channels_last")
    throw ValueError(fmt::format(
        "The `data_format` argument must be one of \"channels_first\", \"channels_last\". Received: {}", data_format));
  return value;
}

void check_conv_args(const char* class_name, const std::string& layer_name, std::size_t filters, Size2 kernel_size,
                     Size2 strides, std::string& padding, std::string& data_format, Size2 dilation_rate,
                     std::size_t& groups) {
  if (filters == 0)
    throw ValueError(
        "Invalid value for argument `filters`. Expected a strictly positive value. Received filters=0.");
  if (groups == 0) groups = 1;
  // Python's TypeError for the missing positional argument.
  if (kernel_size == Size2(0, 0))
    throw ValueError(fmt::format("{}.__init__() missing 1 required positional argument: 'kernel_size'", class_name));
  check_size2("kernel_size", kernel_size, /*allow_zero=*/false);
  check_size2("strides", strides, /*allow_zero=*/true);
  padding = normalize_padding(padding);
  data_format = normalize_data_format(data_format);
  check_size2("dilation_rate", dilation_rate, /*allow_zero=*/false);
  if (filters % groups != 0)
    throw ValueError(fmt::format(
        "The number of filters must be evenly divisible by the number of groups. Received: groups={}, filters={}",
        groups, filters));
  if (strides.h == 0 || strides.w == 0)
    throw ValueError(
        fmt::format("The argument `strides` cannot contains 0(s). Received: {}", py_tuple(to_ints(strides))));
  if (data_format == "channels_first")
    throw ValueError(fmt::format("Layer \"{}\": data_format=\"channels_first\" is not supported; strata's "
                                 "convolutions work on channels_last (NHWC) images. Transpose the input to NHWC and "
                                 "use data_format=\"channels_last\".",
                                 layer_name));
}

void throw_output_too_small(const std::string& layer_name, const TensorShape& input_shape) {
  throw ShapeError(fmt::format("One of the dimensions in the output is <= 0 due to downsampling in {}. Consider "
                               "increasing the input size. Received input shape {} which would produce output shape "
                               "with a zero or negative value in a dimension.",
                               layer_name, py_shape_list(input_shape)));
}

std::size_t input_channels(const TensorShape& input_shape) {
  const Dim& channels = input_shape.back();
  if (!channels)
    throw ValueError(fmt::format("The channel dimension of the inputs should be defined. The input_shape received is "
                                 "{}, where axis -1 (0-based) is the channel dimension, which found to be `None`.",
                                 to_string(input_shape)));
  return *channels;
}

Size2 check_pool_args(Size2 pool_size, Size2 strides, std::string& padding, std::string& data_format) {
  const Size2 resolved = strides == Size2(0, 0) ? pool_size : strides;
  check_size2("pool_size", pool_size, /*allow_zero=*/false);
  check_size2("strides", resolved, /*allow_zero=*/true);
  padding = normalize_padding(padding);
  data_format = normalize_data_format(data_format);
  // Keras lets a zero stride through to TensorFlow, which fails at call time.
  if (resolved.h == 0 || resolved.w == 0)
    throw ValueError(
        fmt::format("The argument `strides` cannot contains 0(s). Received: {}", py_tuple(to_ints(resolved))));
  return resolved;
}

TensorShape pool2d_output_shape(const std::string& layer_name, const TensorShape& input_shape, Size2 pool_size,
                                Size2 strides, const std::string& padding, const std::string& data_format) {
  const bool first = data_format == "channels_first";
  const std::size_t h_axis = first ? 2 : 1;
  auto extent = [&](std::size_t axis, std::size_t pool, std::size_t stride) -> Dim {
    auto length = conv_output_length(input_shape[axis], pool, padding, stride);
    if (!length) return std::nullopt;
    if (*length <= 0) throw_output_too_small(layer_name, input_shape);
    return static_cast<std::size_t>(*length);
  };
  const Dim rows = extent(h_axis, pool_size.h, strides.h);
  const Dim cols = extent(h_axis + 1, pool_size.w, strides.w);
  if (first) return {input_shape[0], input_shape[1], rows, cols};
  return {input_shape[0], rows, cols, input_shape[3]};
}

Variable nchw_to_nhwc(const Variable& x) { return ops::transpose(x, {0, 2, 3, 1}); }
Variable nhwc_to_nchw(const Variable& x) { return ops::transpose(x, {0, 3, 1, 2}); }

InitializerArg read_initializer(const ConfigReader& config, std::string_view key, const char* fallback) {
  if (!config.has_value(key)) return InitializerArg(fallback);
  return InitializerArg(initializers::deserialize(config, std::string(key)));
}

RegularizerArg read_regularizer(const ConfigReader& config, std::string_view key) {
  if (!config.has_value(key)) return {};
  return RegularizerArg(regularizers::deserialize(config, std::string(key)));
}

ConstraintArg read_constraint(const ConfigReader& config, std::string_view key) {
  if (!config.has_value(key)) return {};
  return ConstraintArg(constraints::deserialize(config, std::string(key)));
}

Json to_json(const TensorShape& shape) {
  Json out = Json::array();
  for (const Dim& d : shape) out.push_back(d ? Json(*d) : Json(nullptr));
  return out;
}

TensorShape read_shape(const ConfigReader& config, std::string_view key) {
  const Json& value = *config.find(key);
  if (!value.is_array()) config.expected(key, "a list of non-negative integers or nulls", value);
  TensorShape shape;
  for (const Json& d : value) {
    if (d.is_null()) shape.push_back(std::nullopt);
    else if (d.is_number_unsigned()) shape.push_back(d.get<std::size_t>());
    else config.expected(key, "a list of non-negative integers or nulls", value);
    if (shape.back()) config.check_size(key, *shape.back());
  }
  return shape;
}

std::optional<std::string> check_ndim(const TensorShape& shape, std::size_t ndim) {
  if (shape.size() == ndim) return std::nullopt;
  return fmt::format("expected ndim={}, found ndim={}. Full shape received: {}", ndim, shape.size(), to_string(shape));
}

std::optional<std::string> check_min_ndim(const TensorShape& shape, std::size_t min_ndim) {
  if (shape.size() >= min_ndim) return std::nullopt;
  return fmt::format("expected min_ndim={}, found ndim={}. Full shape received: {}", min_ndim, shape.size(),
                     to_string(shape));
}

std::optional<std::string> check_axis(const TensorShape& shape, int axis, std::size_t value) {
  const auto rank = static_cast<int>(shape.size());
  const int index = axis < 0 ? rank + axis : axis;
  if (index < 0 || index >= rank) return std::nullopt;
  const Dim& d = shape[static_cast<std::size_t>(index)];
  if (!d || *d == value) return std::nullopt;
  return fmt::format("expected axis {} of input shape to have value {}, but received input with shape {}", axis, value,
                     to_string(shape));
}

std::optional<std::int64_t> conv_output_length(const Dim& input, std::size_t kernel, const std::string& padding,
                                               std::size_t stride, std::size_t dilation) {
  if (!input) return std::nullopt;
  const auto dilated = static_cast<std::int64_t>((kernel - 1) * dilation + 1);
  std::int64_t length = static_cast<std::int64_t>(*input);
  if (padding == "valid") length = length - dilated + 1;
  const auto s = static_cast<std::int64_t>(stride);
  // Python's floor division (length may be negative).
  const std::int64_t numerator = length + s - 1;
  return numerator >= 0 ? numerator / s : -((-numerator + s - 1) / s);
}

}  // namespace strata::layers::detail
