// The thread pool behind parallel_for: num_threads() - 1 workers that wait on a
// generation counter (spinning briefly, then sleeping); each parallel_for publishes one
// job, the workers and the caller take chunks under a mutex, and the caller waits until
// every chunk is done.
#include "autograd/parallel/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "strata/threads.hpp"

extern "C" void openblas_set_num_threads(int);

namespace strata::parallel {
namespace {

std::size_t default_threads() {
  if (const char* text = std::getenv("STRATA_NUM_THREADS")) {
    try {
      const long value = std::stol(text);
      if (value > 0) return static_cast<std::size_t>(value);
    } catch (const std::exception&) {
      // not a number: the core count
    }
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

thread_local bool inside_parallel_region = false;

// One step of a spin-wait.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Spins until done() or for about `spin_time`, whichever comes first. A
// pause takes from a few to over 100 cycles depending on the CPU (25 ns on this Zen 4),
// so the budget is time, read every 64 pauses.
constexpr std::chrono::microseconds spin_time{500};

template <class Done>
void spin_until(Done&& done) {
  const auto deadline = std::chrono::steady_clock::now() + spin_time;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= deadline) return;
  }
}

class Pool {
 public:
  static Pool& instance() {
    static Pool pool;
    return pool;
  }
  ~Pool() { stop_workers(); }

  std::size_t threads() const { return threads_.load(); }

  void resize(std::size_t threads) {
    std::lock_guard busy(busy_);
    stop_workers();
    threads_ = threads;
    start_workers();
  }

  void run(std::size_t chunks, std::size_t n, const std::function<void(std::size_t, std::size_t, std::size_t)>& f) {
    std::unique_lock busy(busy_, std::try_to_lock);
    if (!busy.owns_lock() || workers_.empty()) {  // another thread has the pool: do it here
      run_inline(chunks, n, f);
      return;
    }
    {
      std::lock_guard lock(mutex_);
      job_ = {&f, chunks, n};
      next_chunk_ = 0;
      pending_ = chunks;
      pending_chunks_.store(chunks, std::memory_order_release);
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    work_on_job();
    spin_until([&] { return pending_chunks_.load(std::memory_order_acquire) == 0; });
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
    job_ = {};
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

  static void run_inline(std::size_t chunks, std::size_t n,
                         const std::function<void(std::size_t, std::size_t, std::size_t)>& f) {
    const bool was_inside = std::exchange(inside_parallel_region, true);
    try {
      for (std::size_t c = 0; c < chunks; ++c) f(c, c * n / chunks, (c + 1) * n / chunks);
    } catch (...) {
      inside_parallel_region = was_inside;
      throw;
    }
    inside_parallel_region = was_inside;
  }

 private:
  struct Job {
    const std::function<void(std::size_t, std::size_t, std::size_t)>* f = nullptr;
    std::size_t chunks = 0, n = 0;
  };

  Pool() : threads_(default_threads()) { start_workers(); }

  void start_workers() {
    stopping_ = false;
    for (std::size_t i = 1; i < threads_; ++i) workers_.emplace_back([this] { worker_loop(); });
  }
  void stop_workers() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
  }

  void worker_loop() {
    inside_parallel_region = true;
    std::uint64_t seen = 0;
    for (;;) {
      // A training step runs parallel regions back to back, with serial work of up to a few
      // hundred microseconds between them (the optimizer, small layers): spin that long
      // before sleeping, since waking a sleeping thread costs tens of microseconds.
      spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; });
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_.load() != seen; });
        if (stopping_) return;
        seen = generation_.load();
      }
      work_on_job();
    }
  }

  // Takes chunks until none are left; the last one to finish wakes the caller.
  void work_on_job() {
    const bool was_inside = std::exchange(inside_parallel_region, true);
    for (;;) {
      Job job;
      std::size_t c = 0;
      {
        std::lock_guard lock(mutex_);
        if (job_.f == nullptr || next_chunk_ >= job_.chunks) break;
        c = next_chunk_++;
        job = job_;
      }
      try {
        (*job.f)(c, c * job.n / job.chunks, (c + 1) * job.n / job.chunks);
      } catch (...) {
        std::lock_guard lock(mutex_);
        if (!error_) error_ = std::current_exception();
      }
      std::lock_guard lock(mutex_);
      pending_chunks_.store(pending_ - 1, std::memory_order_release);
      if (--pending_ == 0) done_.notify_one();
    }
    inside_parallel_region = was_inside;
  }

  std::atomic<std::size_t> threads_;
  std::mutex busy_;  // held by the thread whose job the pool runs
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  Job job_;
  std::size_t next_chunk_ = 0, pending_ = 0;
  std::atomic<std::size_t> pending_chunks_{0};  // pending_, readable without the lock
  std::atomic<std::uint64_t> generation_{0};
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace

void ensure_blas_single_threaded() {
  static const bool once = [] {
    openblas_set_num_threads(1);
    return true;
  }();
  (void)once;
}

std::size_t chunk_count(std::size_t n, std::size_t grain) {
  if (n == 0) return 0;
  const std::size_t most = std::max<std::size_t>(1, n / std::max<std::size_t>(grain, 1));
  if (inside_parallel_region) return 1;
  return std::min(most, Pool::instance().threads());
}

void parallel_for(std::size_t n, std::size_t grain,
                  const std::function<void(std::size_t chunk, std::size_t begin, std::size_t end)>& f) {
  const std::size_t chunks = chunk_count(n, grain);
  if (chunks == 0) return;
  if (chunks == 1) {  // not a parallel region: a nested parallel_for may still use the pool
    f(0, 0, n);
    return;
  }
  Pool::instance().run(chunks, n, f);
}

}  // namespace strata::parallel

namespace strata {

void set_num_threads(std::size_t threads) {
  parallel::ensure_blas_single_threaded();
  parallel::Pool::instance().resize(threads == 0 ? parallel::default_threads() : threads);
}

std::size_t num_threads() { return parallel::Pool::instance().threads(); }

}  // namespace strata
