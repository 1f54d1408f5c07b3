#include "plot.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "serialization/atomic_file.hpp"
#include "strata/error.hpp"

namespace strata::cli {
namespace {

// One inline data block per curve: "$loss << EOD ... EOD".
std::string data_block(const History& history, const std::string& key) {
  std::string block = fmt::format("${} << EOD\n", key);
  const auto& values = history.history.at(key);
  for (std::size_t i = 0; i < values.size(); ++i) block += fmt::format("{} {}\n", history.epoch[i] + 1, values[i]);
  return block + "EOD\n";
}

std::string plot_command(const History& history, const std::string& metric) {
  std::string command = fmt::format("plot ${0} with linespoints title 'train {0}'", metric);
  if (history.history.count("val_" + metric))
    command += fmt::format(", $val_{0} with linespoints title 'validation {0}'", metric);
  return command + "\n";
}

}  // namespace

std::string plot_history(const History& history, const std::string& dir) {
  namespace fs = std::filesystem;
  const std::string svg = (fs::path(dir) / "curves.svg").string();
  const std::string script_path = (fs::path(dir) / "curves.gp").string();

  std::string script;
  for (const auto& [key, values] : history.history) script += data_block(history, key);
  const bool has_accuracy = history.history.count("accuracy") > 0;
  script += fmt::format("set terminal svg size {},420 dynamic enhanced font 'sans,11'\n", has_accuracy ? 960 : 520);
  script += "set output ARG1\n";  // the caller's temp file; the script stays reusable
  script += "set xlabel 'epoch'\nset grid\nset key right center\n";
  if (has_accuracy) script += "set multiplot layout 1,2\n";
  script += "set title 'loss'\n" + plot_command(history, "loss");
  if (has_accuracy) script += "set title 'accuracy'\n" + plot_command(history, "accuracy") + "unset multiplot\n";
  serialization::write_file_atomically(script_path, {script});
  return run_gnuplot(script_path, svg);
}

std::string run_gnuplot(const std::string& script_path, const std::string& svg) {
  namespace fs = std::filesystem;
  serialization::TemporaryFile temp_svg(svg);
  const std::string command = fmt::format("gnuplot -c '{}' '{}' 2>&1", script_path, temp_svg.path());
  std::FILE* pipe = ::popen(command.c_str(), "r");
  std::string output;
  if (pipe) {
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  }
  const int status = pipe ? ::pclose(pipe) : -1;
  if (status != 0 || !fs::exists(temp_svg.path())) {
    std::cerr << fmt::format("strata: warning: no plot drawn (is gnuplot installed? apt-get install gnuplot-nox): {}\n",
                             output.empty() ? "gnuplot failed" : output);
    return script_path;
  }
  temp_svg.commit();
  return svg;
}

}  // namespace strata::cli
