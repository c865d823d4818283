// The C-NMC labels CSV on its own (data/cnmc_labels.h): what becomes of a bad row, an image the
// CSV does not list, a row naming an image that is not there, and a folder with no CSV at all.
// tests/data/test_label_conflicts.cpp covers conflicting and repeated rows through the whole tree.
#include <gtest/gtest.h>

#include <fstream>

#include "common/error.h"
#include "common/test_paths.h"
#include "data/cnmc_labels.h"

namespace leuko {
namespace {

const SkippedFile* skipped(const Dataset& ds, const std::string& path) {
  for (const auto& s : ds.skipped)
    if (s.path == path) return &s;
  return nullptr;
}

TEST(CnmcLabels, EveryImageIsLabelledOrSkippedWithItsReason) {
  test::TempDir tmp;
  const std::string csv = tmp.str() + "/labels.csv";
  // The bundled CSV's shape: 1.bmp ALL (1), 6.bmp HEM (0); a row with the label "2"; 9.bmp is
  // listed but not in the folder; 8.bmp is in the folder but not listed.
  std::ofstream(csv) << "Patient_ID,new_names,labels\n"
                        "UID_27_25_7_all.bmp,1.bmp,1\n"
                        "UID_H12_32_6_hem.bmp, 6.bmp ,0\n"
                        "UID_3_1_1_all.bmp,2.bmp,2\n"
                        "UID_5_1_1_all.bmp,9.bmp,1\n";
  CnmcLabels labels = read_cnmc_labels({csv});
  EXPECT_EQ(labels.csv, csv);
  ASSERT_EQ(labels.by_name.size(), 3u);
  EXPECT_EQ(labels.by_name.at("6.bmp").label, 1);  // 0 = HEM, the dataset's class 1; name trimmed
  EXPECT_EQ(labels.by_name.at("6.bmp").patient, "H12");
  EXPECT_EQ(labels.by_name.at("1.bmp").where, csv + ":2");
  ASSERT_EQ(labels.bad_rows.size(), 1u);
  EXPECT_EQ(labels.bad_rows[0].path, csv + ":4");
  EXPECT_EQ(labels.bad_rows[0].reason, "label '2' is neither 1 (all) nor 0 (hem)");

  Dataset ds;
  ds.classes = {"all", "hem"};
  const std::string dir = tmp.str() + "/images";
  label_cnmc_images(labels, dir, {dir + "/1.bmp", dir + "/2.bmp", dir + "/6.bmp", dir + "/8.bmp"}, ds);
  ASSERT_EQ(ds.samples.size(), 2u);
  EXPECT_EQ(ds.samples[0].path, dir + "/1.bmp");
  EXPECT_EQ(ds.samples[0].label, 0);
  EXPECT_EQ(ds.samples[0].patient, "27");
  EXPECT_EQ(ds.samples[1].label, 1);
  for (const auto& s : ds.samples) EXPECT_EQ(s.split, "val");
  ASSERT_EQ(ds.skipped.size(), 3u);
  ASSERT_NE(skipped(ds, dir + "/2.bmp"), nullptr);  // its only row was bad
  EXPECT_EQ(skipped(ds, dir + "/2.bmp")->reason, "not listed in " + csv);
  ASSERT_NE(skipped(ds, dir + "/8.bmp"), nullptr);
  ASSERT_NE(skipped(ds, dir + "/9.bmp"), nullptr);
  EXPECT_EQ(skipped(ds, dir + "/9.bmp")->reason, "listed in labels CSV but missing");

  // No CSV: every image is skipped with that reason, none labelled.
  Dataset none;
  none.classes = {"all", "hem"};
  label_cnmc_images(read_cnmc_labels({}), dir, {dir + "/1.bmp"}, none);
  EXPECT_TRUE(none.samples.empty());
  ASSERT_EQ(none.skipped.size(), 1u);
  EXPECT_EQ(none.skipped[0].reason, "no labels CSV in validation_data");
}

// Found by fuzz/fuzz_cnmc_labels.cpp: a new name that is a path (here the absolute path of an
// image the folder holds under its own row) was joined onto the folder as that path, so one image
// was both labelled and skipped as "listed but missing". A new name must be a plain file name.
TEST(CnmcLabels, ANewNameWithAFolderInItIsABadRowNotAnotherPath) {
  test::TempDir tmp;
  const std::string csv = tmp.str() + "/labels.csv";
  const std::string dir = tmp.str() + "/images";
  std::ofstream(csv) << "Patient_ID,new_names,labels\n"
                        "UID_27_25_7_all.bmp,8.bmp,1\n"
                        "UID_28_25_7_all.bmp," << dir << "/8.bmp,1\n"
                        "UID_29_25_7_all.bmp,../1.bmp,0\n"
                        "UID_30_25_7_all.bmp,..,0\n"
                        "UID_31_25_7_all.bmp,sub\\2.bmp,0\n";
  CnmcLabels labels = read_cnmc_labels({csv});
  ASSERT_EQ(labels.by_name.size(), 1u);
  EXPECT_TRUE(labels.by_name.count("8.bmp"));
  ASSERT_EQ(labels.bad_rows.size(), 4u);
  EXPECT_EQ(labels.bad_rows[0].path, csv + ":3");
  EXPECT_EQ(labels.bad_rows[0].reason, "new name '" + dir + "/8.bmp' is not a file name");
  EXPECT_EQ(labels.bad_rows[1].reason, "new name '../1.bmp' is not a file name");

  Dataset ds;
  ds.classes = {"all", "hem"};
  label_cnmc_images(labels, dir, {dir + "/8.bmp"}, ds);
  ASSERT_EQ(ds.samples.size(), 1u);
  EXPECT_EQ(ds.samples[0].path, dir + "/8.bmp");
  EXPECT_TRUE(ds.skipped.empty());  // 8.bmp is labelled once and not also "listed but missing"
}

TEST(CnmcLabels, ACsvWithoutItsColumnsNamesTheFile) {
  test::TempDir tmp;
  const std::string csv = tmp.str() + "/labels.csv";
  std::ofstream(csv) << "name,label\n1.bmp,1\n";
  try {
    read_cnmc_labels({csv});
    FAIL() << "accepted a CSV without new_names and labels";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), csv + ": expected columns Patient_ID,new_names,labels");
  }
}

}  // namespace
}  // namespace leuko
