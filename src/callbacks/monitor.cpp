// Internal: monitor helpers shared by EarlyStopping, ModelCheckpoint, ReduceLROnPlateau.
#include "src/callbacks/monitor.hpp"

#include <fmt/format.h>

#include <iostream>
#include <limits>
#include <vector>

namespace strata::callbacks {

bool maximizes(Mode mode, const std::string& monitor) {
  if (mode != Mode::automatic) return mode == Mode::max;
  return monitor.find("acc") != std::string::npos || monitor.rfind("fmeasure", 0) == 0;
}

double worst_value(bool maximize) {
  return maximize ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
}

void warn_missing(const char* callback, const std::string& monitor, const Logs& logs) {
  std::vector<std::string> keys;
  for (const auto& item : logs.items()) keys.push_back(item.first);
  std::cerr << fmt::format("WARNING: {} conditioned on metric `{}` which is not available. Available metrics are: {}\n",
                           callback, monitor, fmt::join(keys, ","));
}

}  // namespace strata::callbacks
