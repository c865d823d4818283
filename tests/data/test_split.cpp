// The split guarantees: grouped (no patient / cluster on two sides), stratified, reproducible,
// and an audit that does see the leak an image-level split causes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/error.h"
#include "common/test_paths.h"
#include "data/layouts.h"
#include "data/scan.h"
#include "data/split.h"

namespace leuko {
namespace {

SplitResult split_of(const std::string& dir, const std::string& by, uint64_t seed = 42) {
  Dataset ds = open_dataset(dir);
  validate_samples(ds, 2);
  SplitOptions o;
  o.by = parse_choice<SplitBy>(by, "--by");
  o.seed = seed;
  return make_split(ds, o);
}

std::map<std::string, std::string> assignment(const SplitResult& r) {
  std::map<std::string, std::string> m;
  for (const auto& s : r.dataset.samples) m[s.path] = s.split;
  return m;
}

void expect_every_split_has_every_class(const SplitResult& r) {
  std::map<std::string, std::set<int>> seen;
  for (const auto& s : r.dataset.samples) seen[s.split].insert(s.label);
  for (const char* split : {"train", "val", "test"})
    EXPECT_EQ(seen[split].size(), r.dataset.classes.size()) << split;
}

TEST(Split, ByPatientOnCnmcKeepsEveryPatientOnOneSide) {
  LEUKO_REQUIRE_SHARED("cnmc-mini/C-NMC_Leukemia");
  SplitResult r = split_of(test::shared_data("cnmc-mini/C-NMC_Leukemia"), "patient");
  std::map<std::string, std::set<std::string>> patient_splits;
  for (const auto& s : r.dataset.samples) patient_splits[s.patient].insert(s.split);
  for (const auto& [p, splits] : patient_splits) EXPECT_EQ(splits.size(), 1u) << "patient " << p;
  EXPECT_EQ(r.audit.patients_shared, 0u);
  EXPECT_EQ(r.audit.groups_shared, 0u);
  EXPECT_EQ(r.audit.near_duplicate_pairs_across, 0u);
  EXPECT_EQ(r.dataset.samples.size(), 66u);
  expect_every_split_has_every_class(r);
}

TEST(Split, SameSeedSameSplitOtherSeedOtherSplit) {
  std::string dir = test::bundled("aria-mini");
  auto a = assignment(split_of(dir, "cluster", 7));
  auto b = assignment(split_of(dir, "cluster", 7));
  auto c = assignment(split_of(dir, "cluster", 8));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Split, ByClusterHasNoNearDuplicateAcrossSplits) {
  SplitResult r = split_of(test::bundled("aria-mini"), "cluster");
  EXPECT_GE(r.audit.near_duplicate_pairs, 14u);
  EXPECT_EQ(r.audit.near_duplicate_pairs_across, 0u);
  EXPECT_EQ(r.audit.groups_shared, 0u);
  EXPECT_FALSE(r.audit.patients_known);
  expect_every_split_has_every_class(r);
  // stratified: each class's test share is within a few images of 15 %
  std::map<int, std::pair<int, int>> per_class;  // label -> (test, total)
  for (const auto& s : r.dataset.samples) {
    per_class[s.label].second++;
    if (s.split == "test") per_class[s.label].first++;
  }
  for (const auto& [label, tt] : per_class) EXPECT_NEAR(tt.first, 0.15 * tt.second, 2.5) << label;
}

TEST(Split, ByImageShowsTheLeakItCauses) {
  SplitResult r = split_of(test::bundled("aria-mini"), "image");
  EXPECT_GT(r.audit.near_duplicate_pairs_across, 0u);
  EXPECT_FALSE(r.audit.clean());
}

TEST(Split, FullAriaByClusterIsLeakFreeAndImageSplitIsNot) {
  LEUKO_REQUIRE_SHARED("aria-all/Original");
  SplitResult cluster = split_of(test::shared_data("aria-all/Original"), "cluster");
  EXPECT_EQ(cluster.dataset.samples.size(), 3256u);
  EXPECT_EQ(cluster.audit.near_duplicate_pairs_across, 0u);
  SplitResult image = split_of(test::shared_data("aria-all/Original"), "image");
  EXPECT_GT(image.audit.near_duplicate_pairs_across, 10u);
}

TEST(Split, OfficialKeepsCnmcFoldsAndUsesThePrelimSetAsTest) {
  SplitResult r = split_of(test::bundled("cnmc-mini"), "official");
  for (const auto& s : r.dataset.samples) {
    if (s.fold == "fold_2") EXPECT_EQ(s.split, "val") << s.path;
    else if (!s.fold.empty()) EXPECT_EQ(s.split, "train") << s.path;
    else EXPECT_EQ(s.split, "test") << s.path;
  }
}

TEST(Split, ByPatientWithoutPatientIdsIsAClearError) {
  Dataset ds = open_dataset(test::bundled("aria-mini"));
  SplitOptions o;
  o.by = SplitBy::Patient;
  try {
    make_split(ds, o);
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("--by cluster"), std::string::npos) << e.what();
  }
}

TEST(Split, CsvRoundTripsThroughTheCsvLayout) {
  test::TempDir tmp;
  SplitResult r = split_of(test::bundled("cnmc-mini"), "patient");
  write_split_csv(tmp.str() + "/split.csv", r.dataset);
  Dataset back = open_dataset(tmp.str() + "/split.csv");
  ASSERT_EQ(back.samples.size(), r.dataset.samples.size());
  std::map<std::string, std::pair<std::string, std::string>> want;
  for (const auto& s : r.dataset.samples)
    want[std::filesystem::canonical(s.path).string()] = {s.split, r.dataset.classes[s.label]};
  for (const auto& s : back.samples) {
    auto it = want.find(std::filesystem::canonical(s.path).string());
    ASSERT_NE(it, want.end()) << s.path;
    EXPECT_EQ(it->second.first, s.split);
    EXPECT_EQ(it->second.second, back.classes[s.label]);
    EXPECT_FALSE(s.group.empty());
  }
}

}  // namespace
}  // namespace leuko

namespace leuko {
namespace {

// A manifest with its own cohorts (issue 12, item 15): `auto` keeps them, a partial split column
// is refused with the way out, and an explicit --by re-splits.
std::string cohort_manifest(const test::TempDir& tmp, bool every_row) {
  const std::string path = tmp.str() + "/cohorts.csv";
  std::ofstream out(path);
  out << "path,label,split\n";
  int i = 0;
  for (const char* cls : {"Benign", "Pro"})
    for (const auto& f : std::filesystem::directory_iterator(test::bundled(std::string("aria-mini/") + cls))) {
      const char* split = i % 5 == 0 ? "test" : i % 5 == 1 ? "val" : "train";
      out << f.path().string() << ',' << cls << ',' << (every_row || i > 3 ? split : "") << '\n';
      ++i;
    }
  return path;
}

TEST(Split, AManifestsOwnSplitColumnIsTheSplit) {
  test::TempDir tmp;
  Dataset ds = open_dataset(cohort_manifest(tmp, true));
  std::map<std::string, std::string> given;
  for (const auto& s : ds.samples) given[s.path] = s.split;
  SplitOptions o;
  SplitResult r = make_split(ds, o);
  EXPECT_EQ(r.by, SplitBy::Official);
  EXPECT_EQ(assignment(r), given) << "every row stays in the cohort its manifest gave it";

  o.by = SplitBy::Cluster;
  SplitResult resplit = make_split(ds, o);
  EXPECT_EQ(resplit.by, SplitBy::Cluster);
  EXPECT_NE(assignment(resplit), given) << "an explicit --by makes a new split";
}

TEST(Split, APartialSplitColumnIsRefusedWithTheWayOut) {
  test::TempDir tmp;
  Dataset ds = open_dataset(cohort_manifest(tmp, false));
  try {
    make_split(ds, SplitOptions{});
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("give a split and the rest do not"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--by"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace leuko
