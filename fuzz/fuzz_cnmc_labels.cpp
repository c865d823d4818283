// libFuzzer target: the C-NMC labels CSV (validation_data/*.csv, `Patient_ID,new_names,labels`),
// read by read_cnmc_labels and applied by label_cnmc_images (src/data/cnmc_labels.h) to label
// the renamed preliminary-test images.
//
// Input: the labels CSV's bytes, written to a file in a scratch folder, then applied to a fixed
// list of renamed images (1.bmp 2.bmp 6.bmp 8.bmp, as the bundled data/cnmc-mini has). The tree
// walk around it (read_cnmc) is not repeated per input: the fuzzer's bytes never reach it, and its
// ~400 system calls made this target 8× slower (tests/data cover the walk with these CSVs).
// Checks: bad input is a UserError; every row kept has label 0 (all) or 1 (hem) and names its
// line; a conflicting name is one the table holds; every image is either a "val" sample or
// skipped with a reason, never both; a sample's label is the table's.
// Seeds: fuzz/corpus/cnmc-labels (the bundled labels CSV and variants of it).
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "data/cnmc_labels.h"
#include "fuzz_util.h"

namespace {

leuko::fuzz::Scratch scratch;
const std::string kCsv = scratch.path("C-NMC_test_prelim_phase_data_labels.csv");
const std::string kFolder = scratch.path("C-NMC_test_prelim_phase_data");
const std::vector<std::string> kImages = {kFolder + "/1.bmp", kFolder + "/2.bmp", kFolder + "/6.bmp",
                                          kFolder + "/8.bmp"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  leuko::fuzz::write_file(kCsv, data, size);
  leuko::fuzz::expect_only_user_errors([&] {
    leuko::CnmcLabels labels = leuko::read_cnmc_labels({kCsv});
    FUZZ_CHECK(labels.csv == kCsv);
    for (const auto& [name, row] : labels.by_name) {
      FUZZ_CHECK(row.label == 0 || row.label == 1);
      FUZZ_CHECK(row.where.rfind(kCsv + ":", 0) == 0);
    }
    for (const auto& [name, why] : labels.conflicting) FUZZ_CHECK(labels.by_name.count(name) && !why.empty());
    for (const auto& bad : labels.bad_rows) FUZZ_CHECK(!bad.reason.empty());

    leuko::Dataset ds;
    ds.classes = {"all", "hem"};
    leuko::label_cnmc_images(labels, kFolder, kImages, ds);
    std::set<std::string> skipped;
    for (const auto& s : ds.skipped) {
      FUZZ_CHECK(!s.reason.empty());
      skipped.insert(s.path);
    }
    size_t images_placed = 0;
    for (const auto& image : kImages) images_placed += skipped.count(image);
    for (const auto& s : ds.samples) {
      FUZZ_CHECK(s.split == "val");
      FUZZ_CHECK(!skipped.count(s.path));
      const auto row = labels.by_name.find(s.path.substr(kFolder.size() + 1));
      FUZZ_CHECK(row != labels.by_name.end() && row->second.label == s.label);
      FUZZ_CHECK(!labels.conflicting.count(row->first));
      ++images_placed;
    }
    FUZZ_CHECK(images_placed == kImages.size());
  });
  return 0;
}
