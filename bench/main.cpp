// strata_bench: strata and libtorch side by side on the same work, in one process run.
// Prints a table and one `RESULT <workload> strata=… libtorch=… ratio=…` line per workload.
#include <cblas.h>
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <optional>
#include <regex>
#include <thread>
#include <utility>
#include <vector>

#include "bench/workloads.hpp"

extern "C" void openblas_set_num_threads(int);

namespace strata::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  double min_time = 0.4;  // seconds per timed block
  int repeats = 5;        // timed blocks per side, the sides' blocks in turn; the median counts
  std::string only = ".*";
  bool strata_only = false;
  bool cpu_time = false;  // the process's CPU time instead of wall time
};

double now(const Settings& s) {
  if (s.cpu_time) {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
  }
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

std::vector<Workload> all_workloads() {
  return {
      {.name = "train_b64", .kind = Kind::train, .batch = 64},
      {.name = "train_b256", .kind = Kind::train, .batch = 256},
      {.name = "infer_b1", .kind = Kind::infer, .batch = 1},
      {.name = "infer_b256", .kind = Kind::infer, .batch = 256},
      {.name = "conv_32x64x13", .kind = Kind::conv, .batch = 64, .conv = {64, 13, 13, 32, 64, false}},
      {.name = "conv_64x64x32", .kind = Kind::conv, .batch = 32, .conv = {32, 32, 32, 64, 64, true}},
      {.name = "conv_3x32x224", .kind = Kind::conv, .batch = 8, .conv = {8, 224, 224, 3, 32, true}},
      {.name = "dense_1024_b256", .kind = Kind::dense, .batch = 256, .features = 1024},
      // The seed CNN + BN's largest BatchNormalization: after conv1, (64, 26, 26, 32).
      {.name = "bn_32x26_b64", .kind = Kind::batchnorm, .batch = 64, .size = 26, .channels = 32},
  };
}

// Seconds per run() over one block of at least `min_time`, after a warm-up run (first-touch
// allocations, and caches the other side's block has just filled with its own data).
double block_seconds_per_run(Task& task, const Settings& s) {
  task.run();
  std::size_t runs = 0;
  const double start = now(s);
  double elapsed = 0.0;
  do {
    task.run();
    ++runs;
    elapsed = now(s) - start;
  } while (elapsed < s.min_time);
  return elapsed / static_cast<double>(runs);
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// Seconds per run(): the median over `repeats` blocks of at least `min_time` each.
double seconds_per_run(Task& task, const Settings& s) {
  std::vector<double> blocks;
  for (int r = 0; r < s.repeats; ++r) blocks.push_back(block_seconds_per_run(task, s));
  return median(blocks);
}

// Both sides' seconds per run, their blocks taken in turn (strata, libtorch, strata, ...),
// so that both meet the same load on a busy machine rather than one side's blocks all
// falling in a quiet or a loud minute.
std::pair<double, double> seconds_per_run(Side& ours, Task& our_task, Side& theirs, Task& their_task,
                                          const Settings& s) {
  std::vector<double> our_blocks, their_blocks;
  for (int r = 0; r < s.repeats; ++r) {
    ours.set_threads(s.threads);
    our_blocks.push_back(block_seconds_per_run(our_task, s));
    theirs.set_threads(s.threads);
    their_blocks.push_back(block_seconds_per_run(their_task, s));
  }
  return {median(our_blocks), median(their_blocks)};
}

// OpenBLAS's sgemm on large square matrices with the given threads: the machine's peak.
double sgemm_peak_gflops(int threads, const Settings& s) {
  constexpr int n = 2048;
  std::vector<float> a(n * n, 0.5f), b(n * n, 0.25f), c(n * n);
  openblas_set_num_threads(threads);
  struct Gemm : Task {
    float *a, *b, *c;
    std::vector<float> check() override { return {}; }
    void run() override { cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n); }
  } gemm;
  gemm.a = a.data(), gemm.b = b.data(), gemm.c = c.data();
  return 2.0 * n * n * n / seconds_per_run(gemm, s) / 1e9;
}

// The largest difference relative to the reference's largest magnitude.
double relative_difference(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  double diff = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::fabs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::fabs(static_cast<double>(b[i])));
  }
  return diff / std::max(scale, 1e-30);
}

int run(const Settings& s) {
  const bool torch = !s.strata_only && have_libtorch();
  fmt::print("strata_bench: {} thread(s), {} s x {} blocks per measurement (median, {} time)\n", s.threads,
             s.min_time, s.repeats, s.cpu_time ? "CPU" : "wall");
  if (!torch)
    fmt::print("libtorch: {}\n", s.strata_only ? "skipped (--strata-only)" : "not built in (configure with libtorch-dev installed)");
  const std::regex only(s.only);
  // The peak is only needed for the conv rows (and would fill a profile of the others).
  const bool any_conv = std::ranges::any_of(
      all_workloads(), [&](const Workload& w) { return w.kind == Kind::conv && std::regex_search(w.name, only); });
  const double peak = any_conv ? sgemm_peak_gflops(s.threads, s) : 0.0;
  if (any_conv) fmt::print("OpenBLAS sgemm 2048x2048x2048: {:.1f} GFLOP/s (the peak below)\n", peak);
  fmt::print("\n");

  Side strata = strata_side();
  std::optional<Side> reference;
  if (torch) reference = libtorch_side();
  fmt::print("{:<16} {:>10} {:>12} {:>12} {:>7} {:>9} {:>10}\n", "workload", "unit", "strata", "libtorch", "ratio",
             "of peak", "agreement");
  bool disagree = false;
  std::vector<std::string> results;
  for (const Workload& w : all_workloads()) {
    if (!std::regex_search(w.name, only)) continue;
    const WorkloadData data = make_data(w, 1234);
    const bool flops = w.kind == Kind::conv || w.kind == Kind::dense;
    auto rate = [&](double seconds) { return flops ? w.flops_per_run() / seconds / 1e9 : w.batch / seconds; };

    strata.set_threads(s.threads);
    auto ours = strata.make_task(w, data);
    const std::vector<float> our_check = ours->check();
    std::string agreement = "-";
    std::unique_ptr<Task> theirs;
    if (reference) {
      reference->set_threads(s.threads);
      theirs = reference->make_task(w, data);
      const double diff = relative_difference(our_check, theirs->check());
      const double tolerance = w.kind == Kind::train ? 1e-3 : 1e-4;
      agreement = fmt::format("{:.1e}{}", diff, diff <= tolerance ? "" : " FAIL");
      disagree |= !(diff <= tolerance);
    }
    double ours_rate = 0.0, their_rate = 0.0;
    if (theirs) {
      const auto [our_seconds, their_seconds] = seconds_per_run(strata, *ours, *reference, *theirs, s);
      ours_rate = rate(our_seconds);
      their_rate = rate(their_seconds);
    } else {
      strata.set_threads(s.threads);
      ours_rate = rate(seconds_per_run(*ours, s));
    }
    const std::string theirs_text = theirs ? fmt::format("{:.1f}", their_rate) : "none";
    const std::string ratio = theirs ? fmt::format("{:.2f}", ours_rate / their_rate) : "none";
    const std::string of_peak = w.kind == Kind::conv ? fmt::format("{:.0f}%", 100.0 * ours_rate / peak) : "";
    fmt::print("{:<16} {:>10} {:>12.1f} {:>12} {:>7} {:>9} {:>10}\n", w.name, flops ? "GFLOP/s" : "samples/s",
               ours_rate, theirs_text, ratio, of_peak, agreement);
    results.push_back(fmt::format("RESULT {} strata={:.1f} libtorch={} ratio={}", w.name, ours_rate, theirs_text, ratio));
  }
  fmt::print("\n");
  for (const std::string& line : results) fmt::print("{}\n", line);
  if (disagree) fmt::print(stderr, "strata_bench: strata and libtorch disagree beyond tolerance (see FAIL)\n");
  return disagree ? 1 : 0;
}

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) {
  strata::bench::Settings s;
  CLI::App app{
      "strata_bench: times strata and libtorch on the same work in one run, with the same thread count.\n"
      "Workloads: train_b64/train_b256 (the seed CNN's training step: forward, backward, Adam),\n"
      "infer_b1/infer_b256 (inference), conv_<in>x<out>x<size> (Conv2D 3x3 forward + both gradients,\n"
      "GFLOP/s and the fraction of the sgemm peak measured in the same run), dense_1024_b256,\n"
      "bn_32x26_b64 (BatchNormalization in training mode, forward + gradients).\n"
      "Before timing, each workload checks that both sides compute the same values from the same\n"
      "weights (relative difference; tolerance 1e-4, 1e-3 after a training step). The two sides'\n"
      "timed blocks alternate, so both meet the same load on a busy machine."};
  app.add_option("--threads", s.threads, "threads for both sides (default: all cores)")->check(CLI::PositiveNumber);
  app.add_option("--min-time", s.min_time, "seconds per timed block")->check(CLI::PositiveNumber);
  app.add_option("--repeats", s.repeats, "timed blocks per side, taken in turn with the other side's (the median counts)")->check(CLI::PositiveNumber);
  app.add_option("--only", s.only, "run the workloads whose names match this regex");
  app.add_flag("--strata-only", s.strata_only, "skip libtorch");
  app.add_flag("--cpu-time", s.cpu_time,
               "time by the process's CPU time, not wall time: steadier on a busy machine, meaningful with --threads 1");
  CLI11_PARSE(app, argc, argv);
  try {
    return strata::bench::run(s);
  } catch (const std::exception& e) {
    fmt::print(stderr, "strata_bench: error: {}\n", e.what());
    return 2;
  }
}
