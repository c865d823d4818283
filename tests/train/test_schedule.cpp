// The learning-rate schedule: linear warm-up, cosine decay to --min-lr.
#include <gtest/gtest.h>

#include "train/optimizer.h"

namespace leuko {
namespace {

TEST(Schedule, WarmsUpThenDecaysToTheFloor) {
  const double base = 1e-3, floor = 1e-4;
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(base, 0, 10, 110, floor), base / 10);
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(base, 9, 10, 110, floor), base);
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(base, 10, 10, 110, floor), base);
  EXPECT_NEAR(scheduled_learning_rate(base, 60, 10, 110, floor), (base + floor) / 2, 1e-15);
  EXPECT_NEAR(scheduled_learning_rate(base, 110, 10, 110, floor), floor, 1e-15);
  EXPECT_NEAR(scheduled_learning_rate(base, 110, 10, 110), 0.0, 1e-15);  // default floor: zero
  for (size_t step = 10; step < 110; ++step)
    ASSERT_GE(scheduled_learning_rate(base, step, 10, 110, floor), scheduled_learning_rate(base, step + 1, 10, 110, floor));
}

}  // namespace
}  // namespace leuko
