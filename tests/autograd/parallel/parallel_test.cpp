// strata's thread pool: parallel_for covers every item exactly once in contiguous chunks,
// rethrows a chunk's exception, runs nested calls inline, and follows set_num_threads.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "autograd/parallel/parallel.hpp"
#include "strata/threads.hpp"

namespace parallel = strata::parallel;

namespace {
// Restores the thread count a test changed.
struct ThreadCount {
  std::size_t saved = strata::num_threads();
  ~ThreadCount() { strata::set_num_threads(saved); }
};
}  // namespace

TEST_CASE("parallel_for visits every item once, in contiguous chunks in order", "[parallel]") {
  ThreadCount restore;
  for (std::size_t threads : {1, 2, 3}) {
    strata::set_num_threads(threads);
    REQUIRE(strata::num_threads() == threads);
    for (std::size_t n : {0, 1, 5, 1000, 1001}) {
      std::vector<std::atomic<int>> visits(n);
      std::mutex mutex;
      std::vector<std::pair<std::size_t, std::size_t>> ranges(parallel::chunk_count(n, 1));
      parallel::parallel_for(n, 1, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) ++visits[i];
        std::lock_guard lock(mutex);
        ranges.at(chunk) = {begin, end};
      });
      INFO("threads " << threads << ", n " << n);
      for (std::size_t i = 0; i < n; ++i) CHECK(visits[i] == 1);
      CHECK(ranges.size() == (n == 0 ? 0 : std::min(n, threads)));
      std::size_t next = 0;
      for (const auto& [begin, end] : ranges) {
        CHECK(begin == next);
        next = end;
      }
      CHECK(next == n);
    }
  }
}

TEST_CASE("parallel_for keeps chunks of at least the grain", "[parallel]") {
  ThreadCount restore;
  strata::set_num_threads(4);
  CHECK(parallel::chunk_count(100, 60) == 1);
  CHECK(parallel::chunk_count(100, 50) == 2);
  CHECK(parallel::chunk_count(100, 1) == 4);
  CHECK(parallel::chunk_count(0, 1) == 0);
}

TEST_CASE("An exception in one chunk reaches the caller after all chunks ran", "[parallel]") {
  ThreadCount restore;
  strata::set_num_threads(2);
  std::atomic<int> ran{0};
  CHECK_THROWS_WITH(parallel::parallel_for(4, 1,
                                           [&](std::size_t chunk, std::size_t, std::size_t) {
                                             ++ran;
                                             if (chunk == 0) throw std::runtime_error("chunk 0 failed");
                                           }),
                    "chunk 0 failed");
  CHECK(ran == 2);
  // The pool still works afterwards.
  std::atomic<int> after{0};
  parallel::parallel_for(2, 1, [&](std::size_t, std::size_t, std::size_t) { ++after; });
  CHECK(after == 2);
}

TEST_CASE("A parallel_for inside a chunk runs inline on that thread", "[parallel]") {
  ThreadCount restore;
  strata::set_num_threads(2);
  // Catch's assertions are not thread-safe (ThreadSanitizer reports them from a worker),
  // so the workers count what they see and the main thread checks the counts.
  std::atomic<int> nested_chunks{0}, single_chunk{0}, inline_whole{0};
  parallel::parallel_for(2, 1, [&](std::size_t, std::size_t, std::size_t) {
    if (parallel::chunk_count(100, 1) == 1) ++single_chunk;
    const auto caller = std::this_thread::get_id();
    parallel::parallel_for(100, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
      if (std::this_thread::get_id() == caller && begin == 0 && end == 100) ++inline_whole;
      ++nested_chunks;
    });
  });
  CHECK(single_chunk == 2);
  CHECK(inline_whole == 2);
  CHECK(nested_chunks == 2);
}

TEST_CASE("Several threads may call parallel_for at once", "[parallel]") {
  ThreadCount restore;
  strata::set_num_threads(2);
  std::atomic<long> total{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&] {
      for (int repeat = 0; repeat < 200; ++repeat)
        parallel::parallel_for(10, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
          total += static_cast<long>(end - begin);
        });
    });
  for (std::thread& t : callers) t.join();
  CHECK(total == 4 * 200 * 10);
}

TEST_CASE("set_num_threads(0) goes back to the default", "[parallel]") {
  ThreadCount restore;
  strata::set_num_threads(3);
  strata::set_num_threads(0);
  CHECK(strata::num_threads() >= 1);
}
