#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "common/test_paths.h"
#include "data/verify.h"

namespace leuko {
namespace {
namespace fs = std::filesystem;

const std::string kManifest = "cnmc-kaggle-manifest.tsv";

TEST(Verify, BundledMiniatureAgainstTheRealManifest) {
  VerifyReport r = verify_against_manifest(test::bundled("cnmc-mini/C-NMC_Leukemia"), test::bundled(kManifest), 2);
  EXPECT_EQ(r.manifest_rows, 15114u);
  EXPECT_EQ(r.ok.size(), 6u);         // the six byte-identical Kaggle originals
  EXPECT_EQ(r.lossless.size(), 14u);  // training cells re-encoded from PNG copies: the same pixels
  // The four preliminary-test cells: their originals' V5 header cannot be rebuilt, so unverified.
  ASSERT_EQ(r.mismatched.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NE(r.mismatched[i].find("validation_data"), std::string::npos) << r.mismatched[i];
    EXPECT_EQ(r.mismatch_reasons[i],
              "size 608454 bytes, expected 608538; the original's 138-byte BMP header is a variant this check cannot "
              "rebuild: pixels unverified");
  }
  EXPECT_EQ(r.missing.size(), 15114u - 24u);
  EXPECT_TRUE(r.extra.empty());
  EXPECT_EQ(r.ignored.size(), 1u);  // the labels CSV
  EXPECT_FALSE(r.all_ok());
}

TEST(Verify, SharedMiniature) {
  LEUKO_REQUIRE_SHARED("cnmc-mini/C-NMC_Leukemia");
  VerifyReport r = verify_against_manifest(test::shared_data("cnmc-mini"), test::bundled(kManifest), 2);
  EXPECT_EQ(r.ok.size(), 6u);
  EXPECT_EQ(r.lossless.size(), 52u);
  ASSERT_EQ(r.mismatched.size(), 8u);  // preliminary-test cells: V5 header, pixels unverified
  for (size_t i = 0; i < r.mismatched.size(); ++i) {
    EXPECT_NE(r.mismatched[i].find("validation_data"), std::string::npos) << r.mismatched[i];
    EXPECT_NE(r.mismatch_reasons[i].find("pixels unverified"), std::string::npos) << r.mismatch_reasons[i];
  }
}

// The shared fold 0 is stored as PNG (the Kaggle files are BMP): every cell is the original's
// pixels under another name — not 3,527 missing files and 3,527 extra ones.
TEST(Verify, SharedFoldZeroPngCopiesAreTheOriginalPixels) {
  LEUKO_REQUIRE_SHARED("cnmc-fold0/C-NMC_Leukemia");
  VerifyReport r = verify_against_manifest(test::shared_data("cnmc-fold0/C-NMC_Leukemia"), test::bundled(kManifest), 2);
  EXPECT_EQ(r.lossless.size(), 3527u);
  EXPECT_TRUE(r.ok.empty());
  EXPECT_TRUE(r.mismatched.empty());
  EXPECT_TRUE(r.extra.empty());
  EXPECT_EQ(r.missing.size(), 15114u - 3527u) << "the other folds and the test sets";
}

TEST(Verify, DetectsCorruptionMissingAndExtraFiles) {
  // A manifest of just the six originals: the untouched copy verifies OK, then each damage shows.
  test::TempDir tmp;
  fs::path fold0 = "C-NMC_Leukemia/training_data/fold_0";
  std::ifstream in(test::bundled(kManifest));
  std::ofstream out(tmp.path() / "six.tsv");
  std::string line;
  std::getline(in, line);
  out << line << "\n";
  std::vector<std::string> names = {"all/UID_1_3_1_all.bmp", "all/UID_1_8_1_all.bmp", "all/UID_1_9_1_all.bmp",
                                    "hem/UID_H6_14_1_hem.bmp", "hem/UID_H6_5_1_hem.bmp", "hem/UID_H6_7_1_hem.bmp"};
  while (std::getline(in, line))
    for (const auto& n : names)
      if (line.rfind((fold0 / n).string() + "\t", 0) == 0) out << line << "\n";
  out.close();
  for (const auto& n : names) {
    fs::create_directories(tmp.path() / "dl" / fold0 / fs::path(n).parent_path());
    fs::copy_file(test::bundled("cnmc-mini") + "/" + (fold0 / n).string(), tmp.path() / "dl" / fold0 / n);
  }
  EXPECT_TRUE(verify_against_manifest((tmp.path() / "dl").string(), (tmp.path() / "six.tsv").string(), 2).all_ok());

  {  // flip one byte in the pixel data: same size, different hash
    std::fstream f(tmp.path() / "dl" / fold0 / names[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    f.put('\x7f');
  }
  fs::remove(tmp.path() / "dl" / fold0 / names[4]);
  fs::copy_file(test::bundled("cnmc-mini") + "/C-NMC_Leukemia/training_data/fold_1/all/UID_16_11_1_all.bmp",
                tmp.path() / "dl" / fold0 / "all/UID_16_11_1_all.bmp");
  VerifyReport r = verify_against_manifest((tmp.path() / "dl").string(), (tmp.path() / "six.tsv").string(), 2);
  EXPECT_EQ(r.ok.size(), 4u);
  ASSERT_EQ(r.mismatched.size(), 1u);
  EXPECT_EQ(r.mismatch_reasons[0], "sha256 differs; its pixels do not rebuild the original either");
  ASSERT_EQ(r.missing.size(), 1u);
  EXPECT_NE(r.missing[0].find("UID_H6_5_1"), std::string::npos);
  ASSERT_EQ(r.extra.size(), 1u);
  EXPECT_FALSE(r.all_ok());
}

}  // namespace
}  // namespace leuko

namespace leuko {
namespace {

// A lossless PNG copy stands for its BMP when the pixels are the original's; one changed pixel
// makes it a mismatch that names the copy, and a copy beside its original is an extra file.
TEST(Verify, APngCopyIsVerifiedByItsPixels) {
  test::TempDir tmp;
  const fs::path fold0 = "C-NMC_Leukemia/training_data/fold_0";
  const std::vector<std::string> names = {"all/UID_1_3_1_all", "hem/UID_H6_5_1_hem"};
  for (const auto& n : names) {
    cv::Mat bgr = cv::imread(test::bundled("cnmc-mini") + "/" + (fold0 / (n + ".bmp")).string(), cv::IMREAD_COLOR);
    ASSERT_FALSE(bgr.empty());
    fs::create_directories(tmp.path() / "dl" / fold0 / fs::path(n).parent_path());
    if (n == names[1]) bgr.at<cv::Vec3b>(200, 200)[1] ^= 1;  // one pixel, one bit
    ASSERT_TRUE(cv::imwrite((tmp.path() / "dl" / fold0 / (n + ".png")).string(), bgr));
  }
  VerifyReport r = verify_against_manifest((tmp.path() / "dl").string(), test::bundled(kManifest), 2);
  ASSERT_EQ(r.lossless.size(), 1u);
  EXPECT_EQ(r.lossless[0], (fold0 / (names[0] + ".bmp")).string());
  ASSERT_EQ(r.mismatched.size(), 1u);
  EXPECT_EQ(r.mismatched[0], (fold0 / (names[1] + ".bmp")).string());
  EXPECT_EQ(r.mismatch_reasons[0], "a copy as UID_H6_5_1_hem.png; its pixels do not rebuild the original either");
  EXPECT_TRUE(r.extra.empty());
  EXPECT_EQ(r.missing.size(), 15114u - 2u);

  // The original beside its copy: the BMP verifies by its bytes, the PNG is an extra file.
  fs::copy_file(test::bundled("cnmc-mini") + "/" + (fold0 / (names[0] + ".bmp")).string(),
                tmp.path() / "dl" / fold0 / (names[0] + ".bmp"));
  r = verify_against_manifest((tmp.path() / "dl").string(), test::bundled(kManifest), 2);
  EXPECT_EQ(r.ok.size(), 1u);
  EXPECT_TRUE(r.lossless.empty());
  ASSERT_EQ(r.extra.size(), 1u);
  EXPECT_EQ(r.extra[0], (fold0 / (names[0] + ".png")).string());
}

// The download's top folder under another name (issue 12, item 14: it used to hash nothing and
// report all 15,114 files missing).
TEST(Verify, ARenamedTopFolderIsStillVerified) {
  test::TempDir tmp;
  fs::copy(test::bundled("cnmc-mini/C-NMC_Leukemia/training_data"), tmp.path() / "training_data",
           fs::copy_options::recursive);
  VerifyReport r = verify_against_manifest(tmp.str(), test::bundled(kManifest), 2);
  EXPECT_EQ(r.ok.size(), 6u) << "the same six originals as under C-NMC_Leukemia/";
  EXPECT_EQ(r.missing.size(), 15114u - 20u) << "training_data holds 20 of the miniature's 24 files";
}

}  // namespace
}  // namespace leuko
