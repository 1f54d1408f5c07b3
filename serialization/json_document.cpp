// Internal: JSON documents from outside, refused when nested too deeply.
#include "serialization/json_document.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "strata/error.hpp"

namespace strata::serialization {

namespace {
// The offset of the first bracket that opens level kMaxJsonDepth + 1, or npos. Brackets
// inside strings do not count; for text that is not JSON the parser reports the error.
std::size_t too_deep_at(std::string_view text) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // skips the escaped character, which may be a quote
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}
}  // namespace

Json parse_json_document(std::string_view text, std::string_view what) {
  if (const std::size_t at = too_deep_at(text); at != std::string_view::npos)
    throw ConfigError(fmt::format("{}: invalid JSON: nested deeper than {} levels at byte {}", what, kMaxJsonDepth, at));
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // parse_error, and out_of_range for a number beyond double's range (1e400).
    throw ConfigError(fmt::format("{}: invalid JSON: {}", what, e.what()));
  }
}

}  // namespace strata::serialization
