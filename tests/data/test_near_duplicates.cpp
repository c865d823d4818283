// The duplicate detector against the Aria set's own manifest, whose near_dup_cluster column marks
// the 42 byte-identical and ~30 near-identical pairs found when the set was curated.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/test_paths.h"
#include "data/csv.h"
#include "data/near_duplicates.h"

namespace leuko {
namespace {

struct Truth {
  std::vector<std::string> paths;
  std::set<std::pair<size_t, size_t>> pairs;
};

Truth manifest_pairs(const std::string& manifest, const std::string& image_root, const std::string& strip_prefix) {
  CsvTable t = read_csv(manifest);
  int c_path = t.column("path"), c_cluster = t.column("near_dup_cluster");
  Truth truth;
  std::map<std::string, std::vector<size_t>> clusters;
  for (const auto& row : t.rows) {
    std::string rel = row[c_path];
    if (!strip_prefix.empty() && rel.rfind(strip_prefix, 0) == 0) rel = rel.substr(strip_prefix.size());
    clusters[row[c_cluster]].push_back(truth.paths.size());
    truth.paths.push_back(image_root + "/" + rel);
  }
  for (const auto& [id, members] : clusters)
    for (size_t a = 0; a < members.size(); ++a)
      for (size_t b = a + 1; b < members.size(); ++b) truth.pairs.insert({members[a], members[b]});
  return truth;
}

void expect_detector_matches(const Truth& truth, double min_recall, size_t max_extra) {
  HashResult hashes = hash_files(truth.paths, 2);
  for (size_t i = 0; i < truth.paths.size(); ++i) ASSERT_TRUE(hashes.ok[i]) << truth.paths[i];
  auto found = near_duplicate_pairs(hashes, kNearDuplicateBits);
  std::set<std::pair<size_t, size_t>> found_set(found.begin(), found.end());
  size_t hit = 0;
  for (const auto& p : truth.pairs) hit += found_set.count(p);
  size_t extra = found_set.size() - hit;
  double recall = truth.pairs.empty() ? 1.0 : static_cast<double>(hit) / truth.pairs.size();
  std::cout << "[ figures  ] manifest pairs " << truth.pairs.size() << ", found " << found_set.size()
            << ", recall " << recall << ", pairs not in the manifest " << extra << "\n";
  EXPECT_GE(recall, min_recall);
  EXPECT_LE(extra, max_extra);
}

TEST(NearDuplicates, FindsTheAriaManifestPairsOnTheFullSet) {
  LEUKO_REQUIRE_SHARED("aria-all/manifest.csv");
  Truth truth = manifest_pairs(test::shared_data("aria-all/manifest.csv"), test::shared_data("aria-all"), "");
  ASSERT_EQ(truth.paths.size(), 3256u);
  expect_detector_matches(truth, 0.95, 40);
}

TEST(NearDuplicates, FindsTheBundledSubsetPairs) {
  Truth truth = manifest_pairs(test::bundled("aria-mini-manifest.csv"), test::bundled("aria-mini"), "");
  ASSERT_GT(truth.pairs.size(), 5u);
  expect_detector_matches(truth, 1.0, 2);
}

TEST(NearDuplicates, ClusterIdsAreConnectedComponents) {
  auto ids = cluster_ids(6, {{0, 1}, {1, 2}, {4, 5}});
  EXPECT_EQ(ids[0], ids[2]);
  EXPECT_NE(ids[0], ids[3]);
  EXPECT_EQ(ids[4], ids[5]);
  EXPECT_NE(ids[3], ids[4]);
}

}  // namespace
}  // namespace leuko
