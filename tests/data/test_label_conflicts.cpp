// One file, one label (issue 12, item 11). A file listed under two labels (or in two splits) is
// left out and named with every line that lists it, rather than trained on with both; exact
// repeats count once and are reported; "Benign " is Benign.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/test_paths.h"
#include "data/layouts.h"
#include "data/scan.h"

namespace leuko {
namespace {
namespace fs = std::filesystem;

// Six real Aria images under tmp/imgs, named as listed: 3 Benign, 3 Pro.
std::vector<std::string> copy_images(const fs::path& tmp) {
  std::vector<std::string> names;
  fs::create_directories(tmp / "imgs");
  for (const char* cls : {"Benign", "Pro"}) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(test::bundled(std::string("aria-mini/") + cls))) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (size_t i = 0; i < 3; ++i) {
      fs::copy_file(files[i], tmp / "imgs" / files[i].filename());
      names.push_back("imgs/" + files[i].filename().string());
    }
  }
  return names;
}

const SkippedFile* skipped_entry(const Dataset& ds, const std::string& file_name) {
  for (const auto& sk : ds.skipped)
    if (fs::path(sk.path).filename() == file_name) return &sk;
  return nullptr;
}

TEST(LabelConflicts, FileListedUnderTwoLabelsIsLeftOutAndNamed) {
  test::TempDir tmp;
  auto n = copy_images(tmp.path());
  std::ofstream(tmp.path() / "labels.csv") << "path,label\n"
                                           << n[0] << ",Benign\n" << n[1] << ",Benign\n" << n[2] << ",Benign\n"
                                           << n[3] << ",Pro\n" << n[4] << ",Pro\n" << n[5] << ",Pro\n"
                                           << n[0] << ",Pro\n"                 // line 8: n[0] again, other label
                                           << "./" << n[4] << ",Benign\n";     // line 9: n[4], other spelling
  Dataset ds = open_dataset((tmp.path() / "labels.csv").string());
  EXPECT_EQ(ds.samples.size(), 4u);
  for (const auto& s : ds.samples) {
    EXPECT_NE(fs::path(s.path).filename(), fs::path(n[0]).filename());
    EXPECT_NE(fs::path(s.path).filename(), fs::path(n[4]).filename());
  }
  const SkippedFile* first = skipped_entry(ds, fs::path(n[0]).filename().string());
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->reason, "listed with 2 different labels: Benign (line 2) and Pro (line 8); left out");
  const SkippedFile* second = skipped_entry(ds, fs::path(n[4]).filename().string());
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->reason, "listed with 2 different labels: Pro (line 6) and Benign (line 9); left out");
}

TEST(LabelConflicts, ExactRepeatsCountOnceAndAreReported) {
  test::TempDir tmp;
  auto n = copy_images(tmp.path());
  std::ofstream csv(tmp.path() / "labels.csv");
  csv << "path,label,split\n";
  for (size_t i = 0; i < n.size(); ++i) csv << n[i] << "," << (i < 3 ? "Benign" : "Pro") << ",train\n";
  csv << n[1] << ",Benign,train\n" << n[1] << ",Benign,train\n" << n[5] << ",Pro,train\n";
  csv.close();
  Dataset ds = open_dataset((tmp.path() / "labels.csv").string());
  EXPECT_EQ(ds.samples.size(), 6u);
  EXPECT_TRUE(ds.skipped.empty());
  ASSERT_EQ(ds.notes.size(), 1u);
  EXPECT_NE(ds.notes[0].find("3 repeated row(s) (same file, same label) counted once"), std::string::npos) << ds.notes[0];
  EXPECT_NE(scan_to_text(ds, summarise(ds)).find("counted once"), std::string::npos);
}

TEST(LabelConflicts, SameFileInTwoSplitsIsLeftOut) {
  test::TempDir tmp;
  auto n = copy_images(tmp.path());
  std::ofstream csv(tmp.path() / "split.csv");
  csv << "path,label,split\n";
  for (size_t i = 0; i < n.size(); ++i) csv << n[i] << "," << (i < 3 ? "Benign" : "Pro") << ",train\n";
  csv << n[2] << ",Benign,test\n";  // the same image on both sides of the split: a leak
  csv.close();
  Dataset ds = open_dataset((tmp.path() / "split.csv").string());
  EXPECT_EQ(ds.samples.size(), 5u);
  const SkippedFile* sk = skipped_entry(ds, fs::path(n[2]).filename().string());
  ASSERT_NE(sk, nullptr);
  EXPECT_EQ(sk->reason, "listed with 2 different splits: train (line 4) and test (line 8); left out");
}

TEST(LabelConflicts, LabelsAreTrimmedOfSurroundingSpaces) {
  test::TempDir tmp;
  auto n = copy_images(tmp.path());
  std::ofstream(tmp.path() / "labels.csv") << "path,label\n"
                                           << n[0] << ",Benign\n" << n[1] << ",Benign \n" << n[2] << ", Benign\n"
                                           << n[3] << ",Pro\n" << n[4] << ",\tPro\n" << n[5] << ",\"Pro \"\n";
  Dataset ds = open_dataset((tmp.path() / "labels.csv").string());
  EXPECT_EQ(ds.classes, (std::vector<std::string>{"Benign", "Pro"}));
  EXPECT_EQ(summarise(ds).counts["all"]["Benign"], 3);
  EXPECT_EQ(summarise(ds).counts["all"]["Pro"], 3);
  ASSERT_EQ(ds.notes.size(), 1u);
  EXPECT_NE(ds.notes[0].find("4 label(s) had surrounding spaces, trimmed (e.g. 'Benign ' -> 'Benign')"), std::string::npos)
      << ds.notes[0];
}

TEST(LabelConflicts, CnmcLabelsCsvRowRepeatedWithAnotherLabelIsLeftOut) {
  test::TempDir tmp;
  fs::copy(test::bundled("cnmc-mini"), tmp.path() / "copy", fs::copy_options::recursive);
  fs::path labels = tmp.path() / "copy/C-NMC_Leukemia/validation_data/C-NMC_test_prelim_phase_data_labels.csv";
  // The real rows: 1.bmp and 2.bmp are ALL (1), 6.bmp and 8.bmp HEM (0). Repeat 1.bmp with the
  // other label (the last row used to win) and 6.bmp exactly.
  std::ofstream(labels, std::ios::app) << "UID_27_25_7_all.bmp,1.bmp,0\nUID_H12_32_6_hem.bmp,6.bmp,0\n";
  Dataset ds = open_dataset((tmp.path() / "copy").string());
  ScanSummary s = summarise(ds);
  EXPECT_EQ(s.counts["val"]["all"], 1);  // 2.bmp
  EXPECT_EQ(s.counts["val"]["hem"], 2);  // 6.bmp once, 8.bmp
  const SkippedFile* sk = skipped_entry(ds, "1.bmp");
  ASSERT_NE(sk, nullptr);
  EXPECT_NE(sk->reason.find("labelled all at " + labels.string() + ":2 but hem at " + labels.string() + ":6"),
            std::string::npos)
      << sk->reason;
  ASSERT_EQ(ds.notes.size(), 1u);
  EXPECT_NE(ds.notes[0].find("1 repeated row(s)"), std::string::npos) << ds.notes[0];
}

}  // namespace
}  // namespace leuko
