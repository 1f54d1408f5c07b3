// Internal: rethrowing a strata::Error with the place it happened in front of its message.
#include "serialization/error_context.hpp"

#include <fmt/format.h>

#include "strata/error.hpp"

namespace strata::serialization {

void rethrow_with_context(const std::string& context) {
  std::string message;
  try {
    throw;
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.starts_with(context)) throw;
    message = fmt::format("{}: {}", context, what);
  }
  // Most derived first: ShapeError and ConfigError are ValueErrors.
  try {
    throw;
  } catch (const ShapeError&) {
    throw ShapeError(message);
  } catch (const ConfigError&) {
    throw ConfigError(message);
  } catch (const ValueError&) {
    throw ValueError(message);
  } catch (const IOError&) {
    throw IOError(message);
  } catch (const Error&) {
    throw Error(message);
  }
}

}  // namespace strata::serialization
