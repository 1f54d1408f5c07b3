// Internal: adding where an error happened (a JSON path, a file) to a strata::Error's
// message while keeping its type, so callers can still catch ShapeError, ConfigError, ...
#pragma once

#include <string>

namespace strata::serialization {

// Call inside a catch block. Rethrows the exception being handled as the same strata::Error
// subclass with the message `<context>: <message>`; unchanged when it is not a
// strata::Error or its message already starts with `context`.
[[noreturn]] void rethrow_with_context(const std::string& context);

}  // namespace strata::serialization
