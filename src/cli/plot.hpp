// Learning-curve plots drawn by gnuplot (Debian's gnuplot-nox).
#pragma once

#include <string>

#include "strata/training.hpp"

namespace strata::cli {

// Writes <dir>/curves.gp (the gnuplot script with the data inline) and runs gnuplot on it
// to draw <dir>/curves.svg: loss and accuracy per epoch, train and validation. Returns the
// SVG's path; when gnuplot is missing, says so on stderr and returns the script's path.
std::string plot_history(const History& history, const std::string& dir);

// Runs `gnuplot -c script_path OUT` (the script writes `set output ARG1`) with OUT a temp
// file beside svg_path, renamed to svg_path when gnuplot succeeds. Returns svg_path; when
// gnuplot is missing or fails, says so on stderr and returns script_path.
std::string run_gnuplot(const std::string& script_path, const std::string& svg_path);

}  // namespace strata::cli
