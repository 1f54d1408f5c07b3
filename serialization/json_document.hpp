// Internal: parsing JSON documents that come from outside (model config files, the
// model_config / training_config attributes of .h5 files) with a bound on their nesting.
#pragma once

#include <cstddef>
#include <string_view>

#include "strata/json.hpp"

namespace strata::serialization {

// Deeper than any Keras config (about 8 levels) by far, shallow enough that nlohmann's
// recursive dump / copy and strata's recursive readers cannot overflow the stack.
inline constexpr std::size_t kMaxJsonDepth = 100;

// Parses `text`; ConfigError `<what>: invalid JSON: <reason>` when it is not JSON or nests
// deeper than kMaxJsonDepth (checked before anything is built).
Json parse_json_document(std::string_view text, std::string_view what);

}  // namespace strata::serialization
