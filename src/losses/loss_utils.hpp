// Internal to the losses: shape checks, Keras's label alignment, and the constants of
// keras.backend the crossentropies share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "strata/losses.hpp"

namespace strata::losses::detail {

// keras.backend.epsilon(), the clip bound of probabilities.
inline constexpr float kEpsilon = 1e-7f;

// ShapeError `<fn>: y_true and y_pred must have the same shape, got y_true (..) and y_pred (..)`.
void check_same_shape(std::string_view fn, const Tensor& y_true, const Variable& y_pred);
// ShapeError when y_pred has no axis to reduce.
void check_has_axis(std::string_view fn, const Variable& y_pred);

// Keras's squeeze_or_expand_dimensions before a Loss object's function: when the ranks
// differ by one and the longer shape ends in 1, the two hold the same values per sample;
// y_true is reshaped to y_pred's shape (Keras squeezes the longer one, which gives the
// same mean). Any other pair is returned unchanged for the function to check.
Tensor align_labels(const Tensor& y_true, const Shape& pred_shape);

// keras 2.11's message for an unknown name of a `kind` ("loss function", "metric
// function"), then the known names and the closest one (KERAS.md 5.1).
std::string unknown_name_message(std::string_view kind, std::string_view name, std::vector<std::string> known);

// Loss.get_config's base: {"reduction": "auto", "name": ...}.
Json base_config(const Loss& loss);
// The name given, or Keras's default when empty.
inline std::string name_or(const std::string& name, const char* fallback) { return name.empty() ? fallback : name; }

}  // namespace strata::losses::detail
