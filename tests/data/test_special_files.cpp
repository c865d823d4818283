// What a dataset folder holds besides images -- FIFOs, folders named like images, symlink
// loops, dangling symlinks, unreadable folders -- is skipped and listed with its reason; it never
// hangs, crashes or ends a scan, split or verify (issue 12, items 2, 3 and 6).
#include <gtest/gtest.h>

#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "common/error.h"
#include "common/sha256.h"
#include "common/test_paths.h"
#include "data/image_decode.h"
#include "data/layouts.h"
#include "data/scan.h"
#include "data/split.h"
#include "data/verify.h"

namespace leuko {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kCnmc = "cnmc-mini/C-NMC_Leukemia";

std::vector<fs::path> images_of(const std::string& bundled_dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(test::bundled(bundled_dir))) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// A copy of two Aria classes, `per_class` real images each.
void copy_aria(const fs::path& root, size_t per_class = 6) {
  for (const char* cls : {"Benign", "Pro"}) {
    fs::create_directories(root / cls);
    auto files = images_of(std::string("aria-mini/") + cls);
    for (size_t i = 0; i < per_class && i < files.size(); ++i) fs::copy_file(files[i], root / cls / files[i].filename());
  }
}

const SkippedFile* skipped_entry(const Dataset& ds, const fs::path& path) {
  for (const auto& sk : ds.skipped)
    if (fs::path(sk.path).lexically_normal() == path.lexically_normal()) return &sk;
  return nullptr;
}

// Runs `work` and fails the test, instead of hanging it, when it blocks on `fifo` for more than
// a few seconds: a writer opening and closing the FIFO gives the stuck reader its end of file.
template <typename Work>
auto without_hanging_on(const fs::path& fifo, Work work) {
  auto result = std::async(std::launch::async, work);
  if (result.wait_for(5s) != std::future_status::ready) {
    ADD_FAILURE() << "blocked reading the FIFO " << fifo;
    while (result.wait_for(100ms) != std::future_status::ready) {
      int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
      if (fd >= 0) ::close(fd);
    }
  }
  return result.get();
}

TEST(SpecialFiles, FifoListedInACsvManifestIsSkippedNotRead) {
  test::TempDir tmp;
  copy_aria(tmp.path() / "imgs", 3);
  fs::path fifo = tmp.path() / "imgs/Pro/WBC-Malignant-Pro-999.jpg";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  std::ofstream csv(tmp.path() / "labels.csv");
  csv << "path,label\n";
  for (const char* cls : {"Benign", "Pro"})
    for (const auto& e : fs::directory_iterator(tmp.path() / "imgs" / cls))
      csv << "imgs/" << cls << "/" << e.path().filename().string() << "," << cls << "\n";
  csv.close();

  Dataset ds = without_hanging_on(fifo, [&] {
    Dataset d = open_dataset((tmp.path() / "labels.csv").string());
    validate_samples(d, 2);
    return d;
  });
  EXPECT_EQ(ds.samples.size(), 6u);
  const SkippedFile* sk = skipped_entry(ds, fifo);
  ASSERT_NE(sk, nullptr) << "the FIFO is not listed as skipped";
  EXPECT_NE(sk->reason.find("not a regular file (a FIFO)"), std::string::npos) << sk->reason;
  EXPECT_NE(scan_to_text(ds, summarise(ds)).find("WBC-Malignant-Pro-999.jpg: "), std::string::npos);
}

TEST(SpecialFiles, DecodingAndHashingRefuseAFifoWithoutOpeningIt) {
  test::TempDir tmp;
  fs::path fifo = tmp.path() / "cell.bmp";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  DecodedImage img = without_hanging_on(fifo, [&] { return decode_image_file(fifo.string()); });
  EXPECT_NE(img.error.find("FIFO"), std::string::npos) << img.error;
  std::string hash_error = without_hanging_on(fifo, [&] {
    try {
      sha256_file(fifo.string());
      return std::string("no error");
    } catch (const UserError& e) {
      return std::string(e.what());
    }
  });
  EXPECT_NE(hash_error.find("FIFO"), std::string::npos) << hash_error;
}

TEST(SpecialFiles, CsvRowNamingAFolderIsSkippedNotDecoded) {
  test::TempDir tmp;
  copy_aria(tmp.path() / "imgs", 3);
  fs::create_directories(tmp.path() / "imgs/Pro/not-an-image.jpg");  // a folder named like an image
  std::ofstream csv(tmp.path() / "labels.csv");
  csv << "path,label\n";
  for (const char* cls : {"Benign", "Pro"})
    for (const auto& e : fs::directory_iterator(tmp.path() / "imgs" / cls))
      csv << "imgs/" << cls << "/" << e.path().filename().string() << "," << cls << "\n";
  csv.close();
  Dataset ds = open_dataset((tmp.path() / "labels.csv").string());
  validate_samples(ds, 2);  // the old reader let the folder through to the decoder: std::bad_alloc
  EXPECT_EQ(ds.samples.size(), 6u);
  const SkippedFile* sk = skipped_entry(ds, tmp.path() / "imgs/Pro/not-an-image.jpg");
  ASSERT_NE(sk, nullptr);
  EXPECT_NE(sk->reason.find("not a regular file (a folder)"), std::string::npos) << sk->reason;
  // and the decoder itself refuses one, whoever hands it over
  DecodedImage img = decode_image_file((tmp.path() / "imgs/Pro/not-an-image.jpg").string());
  EXPECT_NE(img.error.find("a folder"), std::string::npos) << img.error;
}

TEST(SpecialFiles, SymlinkLoopsDanglingLinksAndFifosInAClassFolderAreListed) {
  test::TempDir tmp;
  fs::path root = tmp.path() / "data";
  copy_aria(root);
  fs::create_symlink("loop-b.jpg", root / "Benign/loop-a.jpg");  // a -> b -> a
  fs::create_symlink("loop-a.jpg", root / "Benign/loop-b.jpg");
  fs::create_symlink("gone.jpg", root / "Benign/dangling.jpg");
  fs::create_symlink("..", root / "Pro/up");  // a folder link back up the tree
  ASSERT_EQ(::mkfifo((root / "Pro/pipe.jpg").c_str(), 0644), 0);

  Dataset ds = open_dataset(root.string());  // threw filesystem_error ("Too many levels of symbolic links")
  validate_samples(ds, 2);
  EXPECT_EQ(ds.classes, (std::vector<std::string>{"Benign", "Pro"}));
  EXPECT_EQ(ds.samples.size(), 12u);
  struct Expect {
    const char* entry;
    const char* reason;
  };
  for (const Expect& e : {Expect{"Benign/loop-a.jpg", "symlink loop"}, Expect{"Benign/loop-b.jpg", "symlink loop"},
                          Expect{"Benign/dangling.jpg", "dangling symlink"},
                          Expect{"Pro/up", "symlink to a folder, not followed"}, Expect{"Pro/pipe.jpg", "FIFO"}}) {
    const SkippedFile* sk = skipped_entry(ds, root / e.entry);
    ASSERT_NE(sk, nullptr) << e.entry << " is not listed";
    EXPECT_NE(sk->reason.find(e.reason), std::string::npos) << e.entry << ": " << sk->reason;
  }
  // The split that follows a scan goes through the same files.
  SplitOptions options;
  options.by = SplitBy::Image;
  SplitResult split = make_split(ds, options);
  EXPECT_EQ(split.dataset.samples.size(), 12u);
}

TEST(SpecialFiles, ClassFolderLinkingBackToTheRootIsNotAClass) {
  test::TempDir tmp;
  fs::path root = tmp.path() / "data";
  copy_aria(root);
  fs::create_symlink(".", root / "Everything");  // would list every class again as "Everything"
  Dataset ds = open_dataset(root.string());
  EXPECT_EQ(ds.classes, (std::vector<std::string>{"Benign", "Pro"}));
  EXPECT_EQ(ds.samples.size(), 12u);
  const SkippedFile* sk = skipped_entry(ds, root / "Everything");
  ASSERT_NE(sk, nullptr);
  EXPECT_NE(sk->reason.find("symlink loop"), std::string::npos) << sk->reason;
}

TEST(SpecialFiles, SymlinkLoopInACnmcTreeIsListedNotFatal) {
  test::TempDir tmp;
  fs::copy(test::bundled("cnmc-mini"), tmp.path() / "copy", fs::copy_options::recursive);
  fs::path tree = tmp.path() / "copy/C-NMC_Leukemia";
  fs::create_symlink("UID_loop_1_1_all.bmp", tree / "training_data/fold_0/all/UID_loop_1_1_all.bmp");
  fs::create_symlink("nowhere", tree / "validation_data/C-NMC_test_prelim_phase_data/99.bmp");
  Dataset ds = open_dataset((tmp.path() / "copy").string());
  EXPECT_EQ(summarise(ds).counts["train"]["all"], 10);
  const SkippedFile* loop = skipped_entry(ds, tree / "training_data/fold_0/all/UID_loop_1_1_all.bmp");
  ASSERT_NE(loop, nullptr);
  EXPECT_EQ(loop->reason, "symlink loop");
  const SkippedFile* dangling = skipped_entry(ds, tree / "validation_data/C-NMC_test_prelim_phase_data/99.bmp");
  ASSERT_NE(dangling, nullptr);
  EXPECT_NE(dangling->reason.find("dangling symlink"), std::string::npos) << dangling->reason;

  // verify walks the same tree: the loop is named, the genuine files still hash ok
  VerifyReport r = verify_against_manifest(tree.string(), test::bundled("cnmc-kaggle-manifest.tsv"), 2);
  EXPECT_EQ(r.ok.size(), 6u);
  ASSERT_EQ(r.unreadable.size(), 2u);
  EXPECT_EQ(r.unreadable[0], "C-NMC_Leukemia/training_data/fold_0/all/UID_loop_1_1_all.bmp");
  EXPECT_EQ(r.unreadable_reasons[0], "symlink loop");
}

// Runs `check` (which returns "" when all is well, else what went wrong) as a user who cannot
// read a chmod-000 folder: as root, in a child process that gives up root first.
std::string as_unprivileged_user(const std::function<std::string()>& check) {
  if (::geteuid() != 0) return check();
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return "pipe failed";
  pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    std::string verdict = ::setgid(65534) == 0 && ::setuid(65534) == 0 ? check() : "cannot drop root";
    if (!verdict.empty() && ::write(pipe_fds[1], verdict.data(), verdict.size()) < 0) verdict.clear();
    ::_exit(verdict.empty() ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::string verdict;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) verdict.append(buffer, static_cast<size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status)) return "the check process died";
  return verdict;
}

TEST(SpecialFiles, UnreadableFolderIsListed) {
  test::TempDir tmp;
  fs::path root = tmp.path() / "data";
  copy_aria(root);
  fs::create_directories(root / "Pro/locked");
  fs::copy_file(images_of("aria-mini/Pro")[10], root / "Pro/locked/x.jpg");
  fs::permissions(root / "Pro/locked", fs::perms::none);
  std::string verdict = as_unprivileged_user([&]() -> std::string {
    try {
      Dataset ds = open_dataset(root.string());
      if (ds.samples.size() != 12u) return "found " + std::to_string(ds.samples.size()) + " images, not 12";
      const SkippedFile* sk = skipped_entry(ds, root / "Pro/locked");
      if (!sk) return "the unreadable folder is not listed";
      if (sk->reason.find("cannot list folder") == std::string::npos) return "reason: " + sk->reason;
      return "";
    } catch (const std::exception& e) {
      return std::string("threw: ") + e.what();
    }
  });
  fs::permissions(root / "Pro/locked", fs::perms::owner_all);
  EXPECT_EQ(verdict, "");
}

}  // namespace
}  // namespace leuko
