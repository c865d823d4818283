// What an explanation leaves on disk and the numbers its checks use: the side-by-side picture,
// the 16-bit raw map (round trip), Spearman rank correlation and the mass inside a mask.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "common/error.h"
#include "common/test_paths.h"
#include "explain/heatmap_image.h"
#include "explain/map_checks.h"

namespace leuko {
namespace {

cv::Mat ramp(int rows, int cols) {
  cv::Mat m(rows, cols, CV_32F);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) m.at<float>(r, c) = float(r * cols + c) / float(rows * cols - 1);
  return m;
}

TEST(HeatmapFiles, RawMapRoundTripsThroughA16BitPng) {
  test::TempDir dir;
  cv::Mat map = ramp(20, 30);
  const std::string path = dir.str() + "/m.map.png";
  write_png(path, map_to_16bit(map));
  cv::Mat back = cv::imread(path, cv::IMREAD_UNCHANGED);
  ASSERT_EQ(back.type(), CV_16U);
  ASSERT_EQ(back.size(), map.size());
  cv::Mat diff;
  cv::absdiff(map_from_16bit(back), map, diff);
  double worst = 0;
  cv::minMaxLoc(diff, nullptr, &worst);
  EXPECT_LT(worst, 1.0 / 65535.0);
  EXPECT_EQ(back.at<uint16_t>(19, 29), 65535);
}

TEST(HeatmapFiles, SideBySideShowsTheModelsViewAndTheOverlayAtALegibleSize) {
  cv::Mat rgb(32, 32, CV_8UC3, cv::Scalar(10, 200, 30));  // RGB: green
  cv::Mat map = cv::Mat::zeros(32, 32, CV_32F);
  map(cv::Rect(16, 0, 16, 32)).setTo(1.0);  // hot on the right half
  cv::Mat picture = heatmap_side_by_side(rgb, map, "ALL 0.93");
  ASSERT_EQ(picture.type(), CV_8UC3);
  EXPECT_EQ(picture.cols, 2 * 224 + 4);
  EXPECT_EQ(picture.rows, 224 + 28);
  EXPECT_EQ(picture.at<cv::Vec3b>(100, 100), cv::Vec3b(30, 200, 10)) << "the left panel is the image itself (BGR)";
  cv::Vec3b cold = picture.at<cv::Vec3b>(100, 228 + 20), hot = picture.at<cv::Vec3b>(100, 228 + 200);
  EXPECT_NE(cold, hot) << "the overlay shows the map";
  EXPECT_GT(hot[2], cold[2]) << "JET: hot is red";
  cv::Mat strip = picture(cv::Rect(0, 224, picture.cols, 28));
  EXPECT_LT(cv::mean(strip)[0], 254.0) << "the caption is written";
}

TEST(HeatmapFiles, AnUnwritablePlaceIsOneUserError) {
  test::TempDir dir;
  const std::string file = dir.str() + "/a-file";
  write_png(file, map_to_16bit(ramp(4, 4)));
  EXPECT_THROW(write_png(file + "/x.png", map_to_16bit(ramp(4, 4))), UserError) << "a folder inside a file";
}

TEST(MapChecks, SpearmanRanksAndMassInside) {
  cv::Mat a = ramp(10, 10), reversed = 1.0 - ramp(10, 10);
  EXPECT_NEAR(spearman_rank_correlation(a, a), 1.0, 1e-12);
  EXPECT_NEAR(spearman_rank_correlation(a, reversed), -1.0, 1e-12);
  cv::Mat squared = a.mul(a);  // monotone: same ranks
  EXPECT_NEAR(spearman_rank_correlation(a, squared), 1.0, 1e-12);
  EXPECT_EQ(spearman_rank_correlation(a, cv::Mat::ones(10, 10, CV_32F)), 0.0);

  cv::Mat map = cv::Mat::zeros(10, 10, CV_32F);
  map(cv::Rect(0, 0, 5, 10)).setTo(1.0);
  map.at<float>(0, 9) = 5.0;  // total 55, of which 50 on the left half
  cv::Mat left = cv::Mat::zeros(20, 20, CV_8U);  // a mask at another size is resized
  left(cv::Rect(0, 0, 10, 20)).setTo(255);
  EXPECT_NEAR(mass_inside(map, left), 50.0 / 55.0, 1e-9);
  EXPECT_EQ(mass_inside(cv::Mat::zeros(4, 4, CV_32F), left), 0.0);
}

}  // namespace
}  // namespace leuko
