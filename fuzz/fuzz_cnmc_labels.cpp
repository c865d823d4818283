// libFuzzer target: the C-NMC labels CSV (validation_data/*.csv, `Patient_ID,new_names,labels`),
// read by read_cnmc (src/data/layout_cnmc.cpp) to label the renamed preliminary-test images.
//
// Input: the labels CSV's bytes, written into a miniature C-NMC tree in a scratch folder (one
// image per training class, validation images 1.bmp 2.bmp 6.bmp 8.bmp and a folder named 3.bmp,
// as the bundled data/cnmc-mini has); the whole tree is then read as `data scan` reads it.
// Nothing is decoded.
// Checks: bad input is a UserError; every sample has a label inside {all, hem} or is unlabelled
// (the final test), its split is train/val/test, a validation image is never both labelled and
// skipped, and every skip has a reason.
// Seeds: fuzz/corpus/cnmc-labels (the bundled labels CSV and variants of it).
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

#include "data/layouts.h"
#include "fuzz_util.h"

namespace fs = std::filesystem;

namespace {

leuko::fuzz::Scratch scratch;

std::string make_cnmc_tree() {
  const std::string root = scratch.path("C-NMC_Leukemia");
  const std::string val = root + "/validation_data/C-NMC_test_prelim_phase_data";
  for (const char* d : {"/training_data/fold_0/all", "/training_data/fold_0/hem",
                        "/validation_data/C-NMC_test_prelim_phase_data/3.bmp",
                        "/testing_data/C-NMC_test_final_phase_data"})
    fs::create_directories(root + d);
  for (const char* f : {"/training_data/fold_0/all/UID_1_3_1_all.bmp", "/training_data/fold_0/hem/UID_H6_7_1_hem.bmp",
                        "/validation_data/C-NMC_test_prelim_phase_data/1.bmp",
                        "/validation_data/C-NMC_test_prelim_phase_data/2.bmp",
                        "/validation_data/C-NMC_test_prelim_phase_data/6.bmp",
                        "/validation_data/C-NMC_test_prelim_phase_data/8.bmp",
                        "/testing_data/C-NMC_test_final_phase_data/1.bmp"})
    leuko::fuzz::write_file(root + f, std::string("not decoded here"));
  return root;
}

const std::string kRoot = make_cnmc_tree();
const std::string kLabels = kRoot + "/validation_data/C-NMC_test_prelim_phase_data_labels.csv";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  leuko::fuzz::write_file(kLabels, data, size);
  leuko::fuzz::expect_only_user_errors([&] {
    leuko::Dataset ds = leuko::read_cnmc(scratch.dir());
    FUZZ_CHECK(ds.layout == "cnmc");
    FUZZ_CHECK(ds.classes.size() == 2);
    std::set<std::string> skipped;
    for (const auto& s : ds.skipped) {
      FUZZ_CHECK(!s.reason.empty());
      skipped.insert(s.path);
    }
    for (const auto& s : ds.samples) {
      FUZZ_CHECK(s.split == "train" || s.split == "val" || s.split == "test");
      FUZZ_CHECK(s.label == leuko::kUnlabelled || s.label == 0 || s.label == 1);
      if (s.split != "test") FUZZ_CHECK(s.label != leuko::kUnlabelled);
      if (s.split == "val") FUZZ_CHECK(!skipped.count(s.path));
    }
  });
  return 0;
}
