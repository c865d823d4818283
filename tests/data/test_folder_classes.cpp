// Which folders are classes in the class-per-folder layout (issue 12, item 13): a class is a
// folder directly under the data root, its images found at any depth beneath it; fewer than two
// classes, or an empty class folder, is said in words naming the folders.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/test_paths.h"
#include "data/layouts.h"
#include "data/scan.h"

namespace leuko {
namespace {
namespace fs = std::filesystem;

// `count` real images of an Aria class copied into `dir`, starting at the `first`-th.
void copy_images(const std::string& cls, const fs::path& dir, size_t count, size_t first = 0) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(test::bundled("aria-mini/" + cls))) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  fs::create_directories(dir);
  for (size_t i = first; i < first + count; ++i) fs::copy_file(files[i], dir / files[i].filename());
}

std::string error_of(const std::string& path) {
  try {
    open_dataset(path);
  } catch (const UserError& e) {
    return e.what();
  }
  return "no error";
}

TEST(FolderClasses, SubfoldersOfAClassFolderBelongToThatClass) {
  test::TempDir tmp;
  copy_images("Benign", tmp.path() / "Benign/day1", 3);
  copy_images("Benign", tmp.path() / "Benign/day2", 2, 3);
  copy_images("Pro", tmp.path() / "Pro", 4);
  Dataset ds = open_dataset(tmp.str());
  EXPECT_EQ(ds.classes, (std::vector<std::string>{"Benign", "Pro"}));
  EXPECT_EQ(summarise(ds).counts["all"]["Benign"], 5);
  EXPECT_EQ(summarise(ds).counts["all"]["Pro"], 4);
}

TEST(FolderClasses, OneClassFolderWithSubfoldersIsNotTakenForTwoClasses) {
  // Benign/{day1,day2} alone used to be read as the two classes day1 and day2.
  test::TempDir tmp;
  copy_images("Benign", tmp.path() / "Benign/day1", 3);
  copy_images("Benign", tmp.path() / "Benign/day2", 2, 3);
  std::string error = error_of(tmp.str());
  EXPECT_NE(error.find("only one class folder found ('Benign')"), std::string::npos) << error;
  EXPECT_NE(error.find("at least two are needed"), std::string::npos) << error;
  // ...and should Benign be a download's wrapper folder, the message says what to give instead.
  EXPECT_NE(error.find("if 'Benign' holds the class folders, give " + (tmp.path() / "Benign").string()), std::string::npos)
      << error;
}

TEST(FolderClasses, SingleClassFolderSaysSo) {
  test::TempDir tmp;
  copy_images("Pro", tmp.path() / "Pro", 3);
  std::string error = error_of(tmp.str());
  EXPECT_EQ(error, tmp.str() + ": only one class folder found ('Pro'); at least two are needed (ROOT/<class>/<images>)");
  EXPECT_EQ(error_of((tmp.path() / "Pro").string()),
            (tmp.path() / "Pro").string() + ": no class folders found (expected ROOT/<class>/<images>)");
}

TEST(FolderClasses, EmptyClassFolderIsNamedAndNotAClass) {
  test::TempDir tmp;
  copy_images("Benign", tmp.path() / "Benign", 3);
  copy_images("Pro", tmp.path() / "Pro", 3);
  fs::create_directories(tmp.path() / "Early/empty-subfolder");
  Dataset ds = open_dataset(tmp.str());
  EXPECT_EQ(ds.classes, (std::vector<std::string>{"Benign", "Pro"}));
  ASSERT_EQ(ds.skipped.size(), 1u);
  EXPECT_EQ(ds.skipped[0].path, (tmp.path() / "Early").string());
  EXPECT_EQ(ds.skipped[0].reason, "empty class folder (no files): not used as a class");

  // With only one class left the error names both.
  fs::remove_all(tmp.path() / "Pro");
  std::string error = error_of(tmp.str());
  EXPECT_NE(error.find("only one class folder found ('Benign'); empty: 'Early'"), std::string::npos) << error;
}

TEST(FolderClasses, ClassWithoutAUsableImageIsNoted) {
  test::TempDir tmp;
  copy_images("Benign", tmp.path() / "Benign", 3);
  copy_images("Pro", tmp.path() / "Pro", 3);
  fs::create_directories(tmp.path() / "Pre");
  std::ofstream(tmp.path() / "Pre/README.txt") << "images to come\n";
  Dataset ds = open_dataset(tmp.str());
  validate_samples(ds, 2);
  ASSERT_EQ(ds.notes.size(), 1u);
  EXPECT_EQ(ds.notes[0], "class 'Pre' has no usable image");
}

}  // namespace
}  // namespace leuko
