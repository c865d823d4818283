#pragma once
// Where the tests find real images: the project's bundled data/ (always there) and the larger
// ../shared/data sets (present for developers and CI; a user's clone may lack them, and the
// tests that need them skip with a message saying so).
#include <filesystem>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include "common/remove_tree.h"

namespace leuko::test {

inline std::string bundled(const std::string& rel = "") { return std::string(LEUKO_TEST_DATA) + (rel.empty() ? "" : "/" + rel); }

inline std::string shared_data(const std::string& rel = "") {
  return std::string(LEUKO_SHARED_DATA) + (rel.empty() ? "" : "/" + rel);
}

inline bool has_shared(const std::string& rel) { return std::filesystem::exists(shared_data(rel)); }

// A fresh, empty scratch folder per test, removed at the end.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("leuko_" + std::string(info ? info->name() : "test") + "_" + std::to_string(::getpid()) + "_" +
             std::to_string(counter++));
    leuko::remove_tree(path_.string());
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { leuko::remove_tree(path_.string()); }
  std::string str() const { return path_.string(); }
  std::filesystem::path path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace leuko::test

#define LEUKO_REQUIRE_SHARED(rel)                                                                  \
  do {                                                                                             \
    if (!::leuko::test::has_shared(rel))                                                           \
      GTEST_SKIP() << "needs " << ::leuko::test::shared_data(rel)                                  \
                   << " (the ../shared/data sets beside the project); not present here";         \
  } while (0)
