// libFuzzer target: the CSV dataset manifest reader (src/data/layout_csv.cpp,
// read_csv_manifest: `path,label[,patient][,group][,split]`, paths relative to the manifest).
//
// Input: the manifest's bytes, written as manifest.csv into a scratch folder that also holds
// what a real dataset folder holds: images (a.png, imgs/b.png, c.jpg), a folder named like an
// image, a FIFO and a dangling symlink, so rows naming each kind are reached. Nothing is decoded.
// Checks: bad input is a UserError; every sample kept names an ordinary file, has a label inside
// the class list (or is unlabelled) and a known split; classes are sorted and distinct; no file
// is both kept and skipped.
// Seeds: fuzz/corpus/manifest (data/aria-mini-manifest.csv cut to a few rows, split files).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

#include "data/layouts.h"
#include "fuzz_util.h"

namespace fs = std::filesystem;

namespace {

leuko::fuzz::Scratch scratch;

std::string make_dataset_folder() {
  const std::string& d = scratch.dir();
  fs::create_directories(d + "/imgs");
  fs::create_directories(d + "/folder.png");
  for (const char* f : {"a.png", "imgs/b.png", "c.jpg", "Benign/x.bmp"}) {
    fs::create_directories(fs::path(d + "/" + f).parent_path());
    leuko::fuzz::write_file(d + "/" + f, std::string("not decoded here"));
  }
  mkfifo((d + "/fifo.png").c_str(), 0600);
  std::error_code ec;
  fs::create_symlink(d + "/missing.png", d + "/dangling.png", ec);
  fs::create_symlink(d + "/a.png", d + "/link-to-a.png", ec);
  return d + "/manifest.csv";
}

const std::string kManifest = make_dataset_folder();

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  leuko::fuzz::write_file(kManifest, data, size);
  leuko::fuzz::expect_only_user_errors([&] {
    leuko::Dataset ds = leuko::read_csv_manifest(kManifest);
    FUZZ_CHECK(ds.layout == "csv");
    FUZZ_CHECK(std::is_sorted(ds.classes.begin(), ds.classes.end()));
    FUZZ_CHECK(std::adjacent_find(ds.classes.begin(), ds.classes.end()) == ds.classes.end());
    std::set<std::string> skipped;
    for (const auto& s : ds.skipped) {
      FUZZ_CHECK(!s.reason.empty());
      skipped.insert(s.path);
    }
    for (const auto& s : ds.samples) {
      FUZZ_CHECK(s.label == leuko::kUnlabelled ||
                 (s.label >= 0 && static_cast<size_t>(s.label) < ds.classes.size()));
      FUZZ_CHECK(s.split == "train" || s.split == "val" || s.split == "test" || s.split == "all");
      struct stat st;
      FUZZ_CHECK(stat(s.path.c_str(), &st) == 0 && S_ISREG(st.st_mode));
      FUZZ_CHECK(!skipped.count(s.path));
    }
  });
  return 0;
}
