// Logs (Keras's ordered logs dict) and History.
#include <fmt/format.h>

#include "strata/error.hpp"
#include "strata/training.hpp"

namespace strata {

void Logs::set(const std::string& key, double value) {
  for (auto& item : items_)
    if (item.first == key) {
      item.second = value;
      return;
    }
  items_.emplace_back(key, value);
}

std::optional<double> Logs::get(const std::string& key) const {
  for (const auto& item : items_)
    if (item.first == key) return item.second;
  return std::nullopt;
}

namespace {
std::string key_list(const std::vector<std::string>& keys) {
  return keys.empty() ? "none" : fmt::format("{}", fmt::join(keys, ", "));
}
}  // namespace

double Logs::at(const std::string& key) const {
  if (auto value = get(key)) return *value;
  std::vector<std::string> keys;
  for (const auto& item : items_) keys.push_back(item.first);
  throw ValueError(fmt::format("No value named '{}' in the logs. Available: {}", key, key_list(keys)));
}

const std::vector<double>& History::operator[](const std::string& key) const {
  if (auto it = history.find(key); it != history.end()) return it->second;
  std::vector<std::string> keys;
  for (const auto& item : history) keys.push_back(item.first);
  throw ValueError(fmt::format("No '{}' in the history. Available: {}", key, key_list(keys)));
}

}  // namespace strata
