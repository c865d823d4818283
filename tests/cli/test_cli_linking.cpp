// The executable must load tcmalloc: without it libtorch's allocations page-fault, and the simple
// CNN trains 8x slower here (a link-option change once dropped it silently from DT_NEEDED).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace {

TEST(Linking, LeukoscopeLoadsTcmallocWhenTheSystemHasIt) {
  const char* library = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4";
  if (!std::filesystem::exists(library)) GTEST_SKIP() << library << " is not installed";
  std::string command = std::string("ldd ") + LEUKO_BINARY;
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof(buffer), pipe)) output += buffer;
  ::pclose(pipe);
  EXPECT_NE(output.find("libtcmalloc"), std::string::npos) << output;
}

}  // namespace
