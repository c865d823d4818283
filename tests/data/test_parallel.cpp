// parallel_for never lets an exception leave a worker thread (which would abort the program): it
// stops the remaining items and rethrows on the caller's thread.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "common/error.h"
#include "common/parallel.h"

namespace leuko {
namespace {

TEST(ParallelFor, AnExceptionInAWorkerIsRethrownOnTheCallersThread) {
  std::atomic<int> done{0};
  EXPECT_THROW(parallel_for(10000, 2,
                            [&](size_t i) {
                              if (i == 17) throw UserError("item 17: broken");
                              ++done;
                            }),
               UserError);
  EXPECT_LT(done.load(), 10000) << "the rest is abandoned, not run to the end";
  int sum = 0;
  parallel_for(100, 1, [&](size_t i) { sum += static_cast<int>(i); });
  EXPECT_EQ(sum, 4950) << "and without an exception every item runs";
}

}  // namespace
}  // namespace leuko
