// ConfigReader: typed access to Keras configs with JSON-path error messages.
#include <nlohmann/json.hpp>

#include "strata/config_reader.hpp"

#include <fmt/format.h>

#include "strata/error.hpp"

namespace strata {

namespace {
// A short rendering of a JSON value for error messages.
std::string show(const Json& value) {
  std::string text = value.dump();
  constexpr std::size_t kMax = 80;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}
}  // namespace

ConfigReader::ConfigReader(const Json& json, std::string path) : json_(json), path_(std::move(path)) {
  if (!json_.is_object())
    throw ConfigError(fmt::format("{}: expected an object, got {}", path_.empty() ? "JSON document" : path_, show(json_)));
}

std::string ConfigReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

bool ConfigReader::has(std::string_view key) const { return json_.contains(key); }

bool ConfigReader::has_value(std::string_view key) const {
  const Json* v = find(key);
  return v && !v->is_null();
}

const Json* ConfigReader::find(std::string_view key) const {
  auto it = json_.find(key);
  return it == json_.end() ? nullptr : &*it;
}

void ConfigReader::fail(std::string_view key, const std::string& message) const {
  throw ConfigError(fmt::format("{}: {}", path_of(key), message));
}

void ConfigReader::expected(std::string_view key, std::string_view what, const Json& got) const {
  fail(key, fmt::format("expected {}, got {}", what, show(got)));
}

void ConfigReader::check_size(std::string_view key, std::uint64_t value) const {
  if (value > kMaxSize)
    fail(key, fmt::format("{} is larger than {}, the largest size strata reads from a config", value, kMaxSize));
}

const Json& ConfigReader::required(std::string_view key) const {
  const Json* v = find(key);
  if (!v) fail(key, "missing required key");
  return *v;
}

std::int64_t ConfigReader::integer(std::string_view key) const {
  const Json& v = required(key);
  if (!v.is_number_integer()) expected(key, "an integer", v);
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    expected(key, "an integer below 2^63", v);
  return v.get<std::int64_t>();
}

double ConfigReader::number(std::string_view key) const {
  const Json& v = required(key);
  if (!v.is_number()) expected(key, "a number", v);
  return v.get<double>();
}

bool ConfigReader::boolean(std::string_view key) const {
  const Json& v = required(key);
  if (!v.is_boolean()) expected(key, "a boolean", v);
  return v.get<bool>();
}

std::string ConfigReader::string(std::string_view key) const {
  const Json& v = required(key);
  if (!v.is_string()) expected(key, "a string", v);
  return v.get<std::string>();
}

ConfigReader ConfigReader::object(std::string_view key) const {
  const Json& v = required(key);
  if (!v.is_object()) expected(key, "an object", v);
  return ConfigReader(v, path_of(key));
}

std::vector<std::int64_t> ConfigReader::integers(std::string_view key, std::size_t size) const {
  const Json& v = required(key);
  std::vector<std::int64_t> out;
  if (v.is_number_integer()) {
    out.assign(size ? size : 1, v.get<std::int64_t>());
    return out;
  }
  const std::string what = size ? fmt::format("an integer or a list of {} integers", size) : "a list of integers";
  if (!v.is_array()) expected(key, what, v);
  for (const Json& e : v) {
    if (!e.is_number_integer()) expected(key, what, v);
    out.push_back(e.get<std::int64_t>());
  }
  if (size && out.size() != size) expected(key, what, v);
  return out;
}

std::int64_t ConfigReader::integer(std::string_view key, std::int64_t fallback) const {
  return has_value(key) ? integer(key) : fallback;
}

double ConfigReader::number(std::string_view key, double fallback) const {
  return has_value(key) ? number(key) : fallback;
}

bool ConfigReader::boolean(std::string_view key, bool fallback) const {
  return has_value(key) ? boolean(key) : fallback;
}

std::string ConfigReader::string(std::string_view key, std::string fallback) const {
  return has_value(key) ? string(key) : fallback;
}

std::optional<double> ConfigReader::optional_number(std::string_view key) const {
  if (!has_value(key)) return std::nullopt;
  return number(key);
}

std::optional<std::int64_t> ConfigReader::optional_integer(std::string_view key) const {
  if (!has_value(key)) return std::nullopt;
  return integer(key);
}

}  // namespace strata
