#pragma once
// parallel_for runs fn(i) for i in [0, n) on `threads` worker threads pulling indices from a
// shared counter, so slow items (a 10 MB TIFF among small JPEGs) do not stall a fixed chunk.
// Callers record per-item failures in their own result slots; an exception that escapes fn
// anyway stops the remaining items and is rethrown on the caller's thread (an exception leaving
// a std::thread would abort the whole program).
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace leuko {

inline int default_thread_count() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

template <typename Fn>
void parallel_for(size_t n, int threads, Fn&& fn) {
  if (threads <= 1 || n < 2) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  std::vector<std::thread> workers;
  int count = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), n));
  for (int t = 0; t < count; ++t) {
    workers.emplace_back([&] {
      try {
        for (size_t i = next++; i < n; i = next++) fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next = n;  // the other workers stop at their next item
      }
    });
  }
  for (auto& w : workers) w.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace leuko
