// The robustness sweep's distortions on a real field: each family damages the image more as
// severity rises, keeps size and type, and is reproducible.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "common/error.h"
#include "common/test_paths.h"
#include "data/distort.h"
#include "data/image_decode.h"

namespace leuko {
namespace {

TEST(Distort, EveryFamilyGetsWorseWithSeverity) {
  cv::Mat field = decode_image_file(test::bundled("aria-mini/Pre/WBC-Malignant-Pre-001.jpg")).rgb;
  ASSERT_FALSE(field.empty());
  for (const auto& family : distortion_families()) {
    double previous = 1e9;
    for (int s = 1; s <= kSeverities; ++s) {
      cv::Mat d = distort(field, family, s, 7);
      ASSERT_EQ(d.size(), field.size()) << family;
      ASSERT_EQ(d.type(), CV_8UC3) << family;
      double psnr = cv::PSNR(field, d);
      std::cout << "[ figures  ] " << family << " s" << s << " PSNR " << psnr << "\n";
      EXPECT_LT(psnr, previous + 0.05) << family << " severity " << s;  // monotone (jpeg within rounding)
      previous = psnr;
    }
    EXPECT_LT(previous, 30.0) << family << " at severity 5 should visibly damage the image";
  }
}

TEST(Distort, SameSeedSameNoise) {
  cv::Mat field = decode_image_file(test::bundled("aria-mini/Pre/WBC-Malignant-Pre-001.jpg")).rgb;
  EXPECT_EQ(cv::norm(distort(field, "gaussian_noise", 3, 5), distort(field, "gaussian_noise", 3, 5), cv::NORM_INF), 0);
  EXPECT_GT(cv::norm(distort(field, "gaussian_noise", 3, 5), distort(field, "gaussian_noise", 3, 6), cv::NORM_L1), 0);
}

TEST(Distort, HeldOutFamiliesAreNotTrainable) {
  for (const auto& h : held_out_distortion_families()) {
    const auto& t = trainable_distortion_families();
    EXPECT_EQ(std::find(t.begin(), t.end(), h), t.end()) << h;
  }
  EXPECT_EQ(trainable_distortion_families().size() + held_out_distortion_families().size(),
            distortion_families().size());
}

TEST(Distort, BadNamesAreUserErrors) {
  cv::Mat img(8, 8, CV_8UC3, cv::Scalar(100, 50, 150));
  EXPECT_THROW(distort(img, "fog", 1), UserError);
  EXPECT_THROW(distort(img, "jpeg", 6), UserError);
}

}  // namespace
}  // namespace leuko
