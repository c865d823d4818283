#pragma once
// parallel_for runs fn(i) for i in [0, n) on `threads` worker threads pulling indices from a
// shared counter, so slow items (a 10 MB TIFF among small JPEGs) do not stall a fixed chunk.
// fn must not throw; callers record per-item failures in their own result slots.
#include <atomic>
#include <cstddef>
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
  std::vector<std::thread> workers;
  int count = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), n));
  for (int t = 0; t < count; ++t) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) fn(i);
    });
  }
  for (auto& w : workers) w.join();
}

}  // namespace leuko
