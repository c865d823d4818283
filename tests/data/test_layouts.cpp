// The three layouts on real data: the exact figures the C-NMC miniature and the Aria set must give.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/error.h"
#include "common/test_paths.h"
#include "data/layouts.h"
#include "data/scan.h"

namespace leuko {
namespace {
namespace fs = std::filesystem;

TEST(CnmcLayout, SharedMiniatureGivesTheKnownFigures) {
  LEUKO_REQUIRE_SHARED("cnmc-mini/C-NMC_Leukemia");
  Dataset ds = open_dataset(test::shared_data("cnmc-mini/C-NMC_Leukemia"));
  EXPECT_EQ(ds.layout, "cnmc");
  validate_samples(ds, 2);
  EXPECT_TRUE(ds.skipped.empty());
  ScanSummary s = summarise(ds);
  EXPECT_EQ(s.counts["train"]["all"], 28);
  EXPECT_EQ(s.counts["train"]["hem"], 30);
  EXPECT_EQ(s.patients["train"]["all"], 19);
  EXPECT_EQ(s.patients["train"]["hem"], 13);
  EXPECT_EQ(s.folds.size(), 3u);
  EXPECT_EQ(s.counts["val"]["all"], 5);
  EXPECT_EQ(s.counts["val"]["hem"], 3);
}

TEST(CnmcLayout, AcceptsTheFolderAboveTheTree) {
  Dataset ds = open_dataset(test::bundled("cnmc-mini"));
  EXPECT_EQ(ds.layout, "cnmc");
  ScanSummary s = summarise(ds);
  EXPECT_EQ(s.counts["train"]["all"], 10);
  EXPECT_EQ(s.counts["train"]["hem"], 10);
  EXPECT_EQ(s.patients["train"]["all"], 6);
  EXPECT_EQ(s.patients["train"]["hem"], 8);
  EXPECT_EQ(s.counts["val"]["all"], 2);
  EXPECT_EQ(s.counts["val"]["hem"], 2);
  // validation patients come from the labels CSV's original names
  for (const auto& sample : ds.samples)
    if (sample.split == "val") EXPECT_FALSE(sample.patient.empty()) << sample.path;
}

TEST(CnmcLayout, PatientIdsAreCaseNormalised) {
  EXPECT_EQ(cnmc_patient_from_name("UID_H10_3_2_hem.bmp"), "H10");
  EXPECT_EQ(cnmc_patient_from_name("UID_h3_12_1_hem.bmp"), "H3");
  EXPECT_EQ(cnmc_patient_from_name("UID_45_24_11_all.bmp"), "45");
  EXPECT_EQ(cnmc_patient_from_name("notes.bmp"), "");
}

TEST(CnmcLayout, FinalTestFolderIsUnlabelledAndOddSizedBmpsDecode) {
  // Build a tree with a final-test folder: its real BMPs are 1,080,054 bytes (600x600), not 450x450.
  test::TempDir tmp;
  fs::copy(test::bundled("cnmc-mini"), tmp.path() / "copy", fs::copy_options::recursive);
  fs::path final_dir = tmp.path() / "copy/C-NMC_Leukemia/testing_data/C-NMC_test_final_phase_data";
  fs::create_directories(final_dir);
  cv::Mat cell = cv::imread(test::bundled("cnmc-mini/C-NMC_Leukemia/training_data/fold_0/all/UID_1_3_1_all.bmp"));
  cv::Mat big;
  cv::resize(cell, big, cv::Size(600, 600));
  ASSERT_TRUE(cv::imwrite((final_dir / "1.bmp").string(), big));
  EXPECT_EQ(fs::file_size(final_dir / "1.bmp"), 1080054u);
  Dataset ds = open_dataset((tmp.path() / "copy").string());
  validate_samples(ds, 2);
  ScanSummary s = summarise(ds);
  EXPECT_EQ(s.counts["test"]["unlabelled"], 1);
  EXPECT_TRUE(ds.skipped.empty());
}

TEST(FolderLayout, FullAriaSetCountsPerClass) {
  LEUKO_REQUIRE_SHARED("aria-all/Original");
  // The class folders sit directly under aria-all/Original; aria-all itself, which holds only
  // that folder, is refused with a message naming it (test_folder_classes.cpp).
  Dataset ds = open_dataset(test::shared_data("aria-all/Original"));
  EXPECT_EQ(ds.layout, "folder");
  ASSERT_EQ(ds.classes, (std::vector<std::string>{"Benign", "Early", "Pre", "Pro"}));
  validate_samples(ds, 2);
  ScanSummary s = summarise(ds);
  EXPECT_EQ(s.counts["all"]["Benign"], 504);
  EXPECT_EQ(s.counts["all"]["Early"], 985);
  EXPECT_EQ(s.counts["all"]["Pre"], 963);
  EXPECT_EQ(s.counts["all"]["Pro"], 804);
  EXPECT_TRUE(ds.skipped.empty());
}

TEST(FolderLayout, TrainValTestFoldersKeepTheirSplits) {
  test::TempDir tmp;
  for (const char* split : {"train", "test"})
    for (const char* cls : {"Benign", "Pro"}) {
      fs::create_directories(tmp.path() / split / cls);
      for (const auto& e : fs::directory_iterator(test::bundled(std::string("aria-mini/") + cls))) {
        fs::copy_file(e.path(), tmp.path() / split / cls / e.path().filename());
        if (std::string(split) == "test") break;  // one test image per class
      }
    }
  Dataset ds = open_dataset(tmp.str());
  ScanSummary s = summarise(ds);
  EXPECT_EQ(s.counts["test"]["Benign"], 1);
  EXPECT_EQ(s.counts["test"]["Pro"], 1);
  EXPECT_GT(s.counts["train"]["Benign"], 40);
}

TEST(CsvLayout, ReadsPathsRelativeToTheManifest) {
  test::TempDir tmp;
  fs::copy(test::bundled("aria-mini/Pre"), tmp.path() / "imgs", fs::copy_options::recursive);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(tmp.path() / "imgs")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  std::ofstream csv(tmp.path() / "labels.csv");
  csv << "path,label,patient,split\n";
  csv << "imgs/" << names[0] << ",blast,P1,train\n";
  csv << "imgs/" << names[1] << ",normal,\"P,2\",test\n";
  csv << "imgs/missing.jpg,normal,P3,train\n";
  csv.close();
  Dataset ds = open_dataset((tmp.path() / "labels.csv").string());
  EXPECT_EQ(ds.layout, "csv");
  ASSERT_EQ(ds.samples.size(), 2u);
  EXPECT_EQ(ds.classes, (std::vector<std::string>{"blast", "normal"}));
  EXPECT_EQ(ds.samples[1].patient, "P,2");
  EXPECT_EQ(ds.samples[1].split, "test");
  ASSERT_EQ(ds.skipped.size(), 1u);
  EXPECT_NE(ds.skipped[0].reason.find("missing"), std::string::npos);
}

TEST(CsvLayout, RaggedRowNamesFileAndLine) {
  test::TempDir tmp;
  std::ofstream(tmp.path() / "bad.csv") << "path,label\na.jpg,x\nb.jpg\n";
  try {
    open_dataset((tmp.path() / "bad.csv").string());
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv:3"), std::string::npos) << e.what();
  }
}

TEST(Layouts, NonexistentPathIsAClearError) {
  EXPECT_THROW(open_dataset("/nonexistent/leukoscope"), UserError);
  EXPECT_THROW(open_dataset("/nonexistent/leukoscope.csv", DataFormat::Csv), UserError);
}

}  // namespace
}  // namespace leuko
