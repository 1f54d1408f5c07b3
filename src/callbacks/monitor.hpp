// Internal: the "monitor a log value" logic the callbacks share.
#pragma once

#include <string>

#include "strata/callbacks.hpp"

namespace strata::callbacks {

// Keras's mode="auto": maximize metrics whose name contains "acc" (or starts with
// "fmeasure"), minimize the rest.
bool maximizes(Mode mode, const std::string& monitor);
// The starting "best" value: -inf when maximizing, +inf when minimizing.
double worst_value(bool maximize);
// The warning Keras prints when the monitored value is missing from the logs.
void warn_missing(const char* callback, const std::string& monitor, const Logs& logs);

}  // namespace strata::callbacks
