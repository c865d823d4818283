// Preprocessing on real cells, and the cache's promise: each image processed once, and a changed
// file or setting never served a stale entry.
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
#include "data/preprocess_cache.h"

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

TEST(PreprocessCache, HitsAfterFirstLoadAndMissesWhenFileOrSettingsChange) {
  test::TempDir tmp;
  fs::copy_file(test::bundled(kCell), tmp.path() / "cell.bmp");
  PreprocessConfig c;
  c.denoise = Denoise::Nlm;
  c.crop_to_cell = true;
  c.size = 64;
  PreprocessCache cache(tmp.str() + "/cache", c);
  cv::Mat first = cache.load(tmp.str() + "/cell.bmp");
  cv::Mat second = cache.load(tmp.str() + "/cell.bmp");
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cv::norm(first, second, cv::NORM_INF), 0.0);  // entries are lossless

  // A new cache object with other settings must not see the old entries.
  c.denoise = Denoise::Median;
  PreprocessCache other(tmp.str() + "/cache", c);
  other.load(tmp.str() + "/cell.bmp");
  EXPECT_EQ(other.misses(), 1u);

  // Same settings, changed file content (a different real cell under the same name): a miss, and
  // the output is the new cell's.
  fs::copy_file(test::bundled("cnmc-mini/C-NMC_Leukemia/training_data/fold_0/hem/UID_H6_5_1_hem.bmp"),
                tmp.path() / "cell.bmp", fs::copy_options::overwrite_existing);
  cv::Mat changed = cache.load(tmp.str() + "/cell.bmp");
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_GT(cv::norm(first, changed, cv::NORM_L1), 0.0);

  // A damaged entry is recomputed, not trusted: a foreign file, and one torn in half (entries are
  // written without an fsync, so a power cut can leave a prefix of one).
  std::vector<fs::path> entries;
  for (const auto& e : fs::recursive_directory_iterator(tmp.path() / "cache"))
    if (e.is_regular_file()) entries.push_back(e.path());
  ASSERT_EQ(entries.size(), 3u);
  for (const char* damage : {"junk", "torn"}) {
    size_t damaged = 0;
    for (const auto& e : entries) {
      if (std::string(damage) == "junk") {
        std::ofstream(e, std::ios::trunc) << "junk";
        ++damaged;
      } else if (fs::file_size(e) > 1000) {  // the entry the junk pass rewrote
        fs::resize_file(e, fs::file_size(e) / 2);
        ++damaged;
      }
    }
    ASSERT_GE(damaged, 1u) << damage;
    PreprocessCache again(tmp.str() + "/cache", cache.config());
    cv::Mat recomputed = again.load(tmp.str() + "/cell.bmp");
    EXPECT_EQ(again.misses(), 1u) << damage;
    EXPECT_EQ(cv::norm(recomputed, changed, cv::NORM_INF), 0.0) << damage;
  }
}

TEST(PreprocessCache, UnreadableFileNamesTheFile) {
  test::TempDir tmp;
  std::ofstream(tmp.path() / "empty.bmp").close();
  PreprocessCache cache("", PreprocessConfig{});
  try {
    cache.load(tmp.str() + "/empty.bmp");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("empty.bmp"), std::string::npos);
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
