// Preprocessing on real cells (the cache that keeps its results: test_preprocess_cache.cpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "common/error.h"
#include "common/test_paths.h"
#include "data/augment.h"
#include "data/layouts.h"
#include "data/normalisation.h"
#include "data/cell_crop.h"
#include "data/image_decode.h"
#include "data/preprocess.h"

namespace leuko {
namespace {
namespace fs = std::filesystem;

const std::string kCell = "cnmc-mini/C-NMC_Leukemia/training_data/fold_1/all/UID_16_11_1_all.bmp";
const std::string kField = "aria-mini/Early/WBC-Malignant-Early-001.jpg";

cv::Mat load(const std::string& rel) { return decode_image_file(test::bundled(rel)).rgb; }

double psnr(const cv::Mat& a, const cv::Mat& b) { return cv::PSNR(a, b); }

TEST(Preprocess, CropToCellIsSquareAndKeepsEveryCellPixel) {
  cv::Mat cell = load(kCell);
  cv::Rect box = non_black_bounding_box(cell);
  EXPECT_LT(box.area(), cell.cols * cell.rows / 2);  // real cells fill well under half the canvas
  cv::Mat crop = crop_to_cell(cell, 0.05);
  EXPECT_EQ(crop.rows, crop.cols);
  EXPECT_GE(crop.cols, std::max(box.width, box.height));
  // The cell's pixel sum survives the crop (nothing of the cell cut away).
  EXPECT_NEAR(cv::sum(crop)[0], cv::sum(cell)[0], 0.01 * cv::sum(cell)[0]);
}

TEST(Preprocess, CropToCellOfALongThinImageStaysSmall) {
  // 60000×1 bright pixels squared would be a 60000² canvas (10.8 GB); it is shrunk to the cap,
  // the stripe across the middle, the rest black.
  cv::Mat stripe(1, 60000, CV_8UC3, cv::Scalar(200, 100, 50));
  cv::Mat crop = crop_to_cell(stripe, 0.05);
  ASSERT_EQ(crop.rows, kMaxCropSide);
  ASSERT_EQ(crop.cols, kMaxCropSide);
  const int middle = kMaxCropSide / 2;
  EXPECT_EQ(crop.at<cv::Vec3b>(middle, middle), cv::Vec3b(200, 100, 50));
  EXPECT_EQ(crop.at<cv::Vec3b>(0, middle), cv::Vec3b(0, 0, 0));
  EXPECT_EQ(cv::countNonZero(crop.reshape(1).col(middle * 3)), 1);  // one row of stripe, black above and below
  // A crop under the cap is not resampled: the pixels are the image's own.
  cv::Mat wide(10, 3000, CV_8UC3, cv::Scalar(90, 90, 90));
  cv::Mat kept = crop_to_cell(wide, 0.0);
  EXPECT_EQ(kept.cols, 3000);
  EXPECT_EQ(cv::sum(kept)[0], cv::sum(wide)[0]);
}

TEST(Preprocess, OutputSizeForEveryDenoiserAndInterpolation) {
  cv::Mat cell = load(kCell);
  for (const char* dn : {"none", "median", "bilateral", "nlm"})
    for (const char* interp : {"bicubic", "lanczos"}) {
      PreprocessConfig c;
      c.denoise = parse_choice<Denoise>(dn, "denoise");
      c.interpolation = parse_choice<Interpolation>(interp, "interpolation");
      c.crop_to_cell = true;
      c.size = 96;
      cv::Mat out = preprocess(cell, c);
      EXPECT_EQ(out.size(), cv::Size(96, 96)) << dn << " " << interp;
      EXPECT_EQ(out.type(), CV_8UC3);
    }
  try {
    parse_choice<Denoise>("wavelet", "--denoise");
    ADD_FAILURE() << "an unknown denoiser was accepted";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "--denoise: 'wavelet' is not one of none, median, bilateral or nlm");
  }
  PreprocessConfig bad;
  bad.size = 5000;
  EXPECT_THROW(bad.validate(), UserError);
}

TEST(Preprocess, DenoisersRemoveAddedNoiseFromARealField) {
  cv::Mat clean = load(kField);
  cv::Mat noise(clean.size(), CV_16SC3), noisy;
  cv::setRNGSeed(3);
  cv::randn(noise, 0, 15);
  clean.convertTo(noisy, CV_16SC3);
  noisy += noise;
  noisy.convertTo(noisy, CV_8UC3);
  double before = psnr(clean, noisy);
  for (const char* method : {"median", "bilateral", "nlm"}) {
    double after = psnr(clean, denoise(noisy, parse_choice<Denoise>(method, "denoise")));
    std::cout << "[ figures  ] " << method << ": PSNR " << before << " -> " << after << " dB\n";
    EXPECT_GT(after, before + 1.0) << method;
  }
}

TEST(Augment, SameSeedSameImageAndLevelsDiffer) {
  cv::Mat field = load(kField);
  AugmentConfig a = augment_preset(AugmentLevel::Standard);
  std::mt19937_64 r1(5), r2(5), r3(6);
  cv::Mat x = augment(field, a, r1), y = augment(field, a, r2), z = augment(field, a, r3);
  EXPECT_EQ(cv::norm(x, y, cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(x, z, cv::NORM_L1), 0.0);
  EXPECT_EQ(x.size(), field.size());
  std::mt19937_64 r4(5);
  EXPECT_EQ(cv::norm(augment(field, augment_preset(AugmentLevel::None), r4), field, cv::NORM_INF), 0.0);
  EXPECT_THROW(parse_choice<AugmentLevel>("extreme", "--augment"), UserError);
}

TEST(Augment, DihedralViewsKeepEveryPixel) {
  cv::Mat field = load(kField);
  AugmentConfig a = augment_preset(AugmentLevel::Light);
  for (uint64_t seed = 0; seed < 8; ++seed) {
    std::mt19937_64 rng(seed);
    cv::Mat out = augment(field, a, rng);
    EXPECT_EQ(cv::sum(out), cv::sum(field));  // a permutation of the pixels
  }
}

}  // namespace
}  // namespace leuko

namespace leuko {
namespace {

TEST(Normalisation, DatasetStatisticsOfRealFields) {
  Dataset ds = open_dataset(test::bundled("aria-mini"));
  PreprocessConfig c;
  c.size = 64;
  Normalisation n = measure_normalisation(ds.samples, c, "", 2);
  EXPECT_EQ(n.source, NormaliseWith::Dataset);
  for (int ch = 0; ch < 3; ++ch) {
    EXPECT_GT(n.mean[ch], 0.2f);
    EXPECT_LT(n.mean[ch], 0.95f);
    EXPECT_GT(n.std[ch], 0.02f);
    EXPECT_LT(n.std[ch], 0.5f);
  }
  // Independent check of the means: OpenCV's per-image means, averaged (all images are 64x64).
  cv::Scalar total(0, 0, 0);
  for (const auto& s : ds.samples) total += cv::mean(preprocess(decode_image_file(s.path).rgb, c));
  for (int ch = 0; ch < 3; ++ch) EXPECT_NEAR(n.mean[ch], total[ch] / ds.samples.size() / 255.0, 1e-5);
}

}  // namespace
}  // namespace leuko
