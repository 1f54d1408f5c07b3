// Reading Keras configs with errors that name the JSON path of the bad value, e.g.
// `config.layers[3].config.filters: expected an integer, got "64"`. Only the JSON forward
// declaration is needed here; include <nlohmann/json.hpp> to build configs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/json.hpp"

namespace strata {

class ConfigReader {
 public:
  // `path` names where `json` sits in the document ("config", "config.layers[3].config").
  ConfigReader(const Json& json, std::string path);

  const Json& json() const { return json_; }
  const std::string& path() const { return path_; }
  // The path of a key below this object.
  std::string path_of(std::string_view key) const;

  bool has(std::string_view key) const;          // present (even when null)
  bool has_value(std::string_view key) const;    // present and not null
  const Json* find(std::string_view key) const;  // nullptr when absent

  // Required values: ConfigError when missing or of the wrong type.
  std::int64_t integer(std::string_view key) const;
  double number(std::string_view key) const;
  bool boolean(std::string_view key) const;
  std::string string(std::string_view key) const;
  ConfigReader object(std::string_view key) const;
  // An int or a list of ints (Keras accepts `3` for `(3, 3)`); `size` entries when > 0.
  std::vector<std::int64_t> integers(std::string_view key, std::size_t size = 0) const;

  // With defaults for absent or null keys.
  std::int64_t integer(std::string_view key, std::int64_t fallback) const;
  double number(std::string_view key, double fallback) const;
  bool boolean(std::string_view key, bool fallback) const;
  std::string string(std::string_view key, std::string fallback) const;
  std::optional<double> optional_number(std::string_view key) const;
  std::optional<std::int64_t> optional_integer(std::string_view key) const;

  // The largest size (units, filters, a kernel_size or shape entry) read from a config:
  // TensorFlow's int32 dimension limit. Refusing larger ones where they are read names the
  // JSON path and keeps every shape computation downstream from overflowing.
  static constexpr std::uint64_t kMaxSize = 2147483647;
  // ConfigError `<path>.<key>: <value> is larger than 2147483647, ...` when value > kMaxSize.
  void check_size(std::string_view key, std::uint64_t value) const;

  // A ConfigError `<path>.<key>: <message>`.
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;
  // A ConfigError `<path>.<key>: expected <what>, got <json>`.
  [[noreturn]] void expected(std::string_view key, std::string_view what, const Json& got) const;

 private:
  const Json& required(std::string_view key) const;
  const Json& json_;
  std::string path_;
};

}  // namespace strata
