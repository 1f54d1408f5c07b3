// Nothing lost: a child process saves a model in a loop and is SIGKILLed while a save is
// under way; the file at the target path must still load and hold one of the two weight
// sets the child alternated between, whatever temp files the killed saves left behind.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "strata/layers/conv2d.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/sequential.hpp"

using namespace strata;
using namespace strata::layers;
namespace fs = std::filesystem;

namespace {

constexpr int kRounds = 6;
// How many directory scans the parent makes looking for a save in progress before it
// kills anyway (a bound on work, not a timeout: the kill happens either way).
constexpr int kMaxScans = 200000;

Sequential small_model() {
  Sequential model;
  model.add(Conv2D({.filters = 4, .kernel_size = 3, .input_shape = {8, 8, 1}}));
  model.add(Flatten());
  model.add(Dense({.units = 5}));
  return model;
}

std::vector<Tensor> snapshot(const Sequential& model) {
  std::vector<Tensor> values;
  for (const Variable& w : model.weights()) values.push_back(w.value());
  return values;
}

std::vector<std::string> temp_files(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".tmp-") != std::string::npos) names.push_back(name);
  }
  return names;
}

enum class Kind { weights, whole_model };

void save(const Sequential& model, const std::string& path, Kind kind) {
  if (kind == Kind::weights) model.save_weights(path);
  else model.save(path);
}

// Forks a child that saves `a` and `b` to `path` in turn forever, telling the parent through
// a pipe after its first save; kills it once a temp file shows a save under way.
// Returns whether the kill left a temp file behind (it cut a save short).
bool kill_during_save_loop(const Sequential& a, const Sequential& b, const std::string& path, Kind kind) {
  // Counted before the child starts, so its own temp file shows up as one more.
  const fs::path dir = fs::path(path).parent_path();
  const std::size_t leftovers = temp_files(dir).size();
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // child: never returns into Catch
    ::close(pipe_fds[0]);
    try {
      for (unsigned i = 0;; ++i) {
        save(i % 2 ? b : a, path, kind);
        if (i == 0 && ::write(pipe_fds[1], "s", 1) != 1) ::_exit(2);
      }
    } catch (...) {
      ::_exit(3);
    }
  }
  ::close(pipe_fds[1]);
  char byte = 0;
  const bool saved_once = ::read(pipe_fds[0], &byte, 1) == 1;
  ::close(pipe_fds[0]);
  for (int scan = 0; scan < kMaxScans && temp_files(dir).size() == leftovers; ++scan) {
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(saved_once);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  return temp_files(dir).size() > leftovers;
}

void check_kills_lose_nothing(Kind kind) {
  backend::clear_session();
  const Sequential a = small_model();
  const Sequential b = small_model();  // other random weights
  const std::vector<Tensor> weights_a = snapshot(a), weights_b = snapshot(b);
  REQUIRE(weights_a != weights_b);

  const fs::path dir = fs::temp_directory_path() / fmt::format("strata_kill_test_{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "model.h5").string();
  save(a, path, kind);

  int cut_short = 0;
  for (int round = 0; round < kRounds; ++round) {
    INFO("round " << round);
    cut_short += kill_during_save_loop(a, b, path, kind) ? 1 : 0;
    // The target is always a whole file from one of the saves, never a mix or a stub.
    Sequential loaded = kind == Kind::weights ? small_model() : load_model(path);
    if (kind == Kind::weights) loaded.load_weights(path);
    const std::vector<Tensor> got = snapshot(loaded);
    CHECK((got == weights_a || got == weights_b));
  }
  // The kills did land inside saves, so the loop above tested what it claims.
  CHECK(cut_short > 0);
  // Leftover temp files are only ever `<name>.tmp-<pid>-<hex>`: a new save still replaces
  // the target, and nothing reads them.
  for (const std::string& name : temp_files(dir)) CHECK(name.starts_with("model.h5.tmp-"));
  save(b, path, kind);
  Sequential last = kind == Kind::weights ? small_model() : load_model(path);
  if (kind == Kind::weights) last.load_weights(path);
  CHECK(snapshot(last) == weights_b);
  fs::remove_all(dir);
}

}  // namespace

TEST_CASE("SIGKILL during a save_weights loop leaves the previous weights file loadable", "[saving][kill]") {
  check_kills_lose_nothing(Kind::weights);
}

TEST_CASE("SIGKILL during a model.save loop leaves the previous .h5 model loadable", "[saving][kill]") {
  check_kills_lose_nothing(Kind::whole_model);
}
