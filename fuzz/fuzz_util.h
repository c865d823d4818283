#pragma once
// Shared by the libFuzzer targets in this folder (see RELIABILITY.md for how they are built and
// run). The readers under test take file paths, so a target writes its input to a file in a
// private scratch folder made once per process (under /dev/shm when it exists: no disk I/O per
// execution) and removed at exit.
//
// The contract every target checks: a reader either returns a value that satisfies the
// invariants the target asserts, or throws leuko::UserError (a problem with the user's input,
// printed as one line). Any other exception, a crash, a sanitizer report, a failed invariant or
// a hang is a finding: the target calls fuzz_fail(), which aborts so libFuzzer saves the input.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <typeinfo>

#include <nlohmann/json.hpp>
#include <sanitizer/common_interface_defs.h>

#include "common/error.h"

namespace leuko::fuzz {

// Also printed through the sanitizer's report channel: runs with -close_fd_mask=2 (which silence
// the codec libraries' warnings on stderr) still show it.
[[noreturn]] inline void fuzz_fail(const std::string& what) {
  const std::string line = "FUZZ FINDING: " + what;
  std::fprintf(stderr, "%s\n", line.c_str());
  __sanitizer_report_error_summary(line.c_str());
  std::abort();
}

#define FUZZ_CHECK(condition)                                                                  \
  do {                                                                                         \
    if (!(condition)) ::leuko::fuzz::fuzz_fail(std::string("invariant failed: ") + #condition + \
                                               " (" __FILE__ ":" + std::to_string(__LINE__) + ")"); \
  } while (0)

// A finding already reported and not yet fixed can be set aside for a long local run, so that
// the run looks past it: LEUKO_FUZZ_IGNORE="TEXT" makes an exception whose message contains TEXT
// count as expected. CI never sets it; RELIABILITY.md says when a figure was taken with it.
inline bool ignored_finding(const std::string& what) {
  static const char* ignore = std::getenv("LEUKO_FUZZ_IGNORE");
  return ignore && *ignore && what.find(ignore) != std::string::npos;
}

// Runs `body`; a UserError is the expected answer to bad input, anything else escaping is a
// finding (in the CLI it would end the process or print a library's text instead of one line).
template <class Body>
void expect_only_user_errors(Body&& body) {
  try {
    body();
  } catch (const UserError& e) {
    const std::string what = e.what();
    if (what.empty()) fuzz_fail("UserError with an empty message");
  } catch (const std::exception& e) {
    if (ignored_finding(e.what())) return;
    fuzz_fail(std::string("non-UserError exception escaped: ") + typeid(e).name() + ": " + e.what());
  } catch (...) {
    fuzz_fail("non-std exception escaped");
  }
}

// A private scratch folder for the whole process.
class Scratch {
 public:
  Scratch() {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string tmpl = (base / "leuko-fuzz-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) fuzz_fail("cannot create a scratch folder under " + base.string());
    dir_ = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  const std::string& dir() const { return dir_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

inline void write_file(const std::string& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) fuzz_fail("cannot write " + path);
}

inline void write_file(const std::string& path, const std::string& text) {
  write_file(path, reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

// True when every number in `j` is finite. JSON text holds no inf or NaN, but a reader may make
// one (a double beyond a float's range read as a float); inf is written as null, so the
// write-then-read identities are asserted only for documents whose numbers are all finite.
inline bool all_numbers_finite(const nlohmann::json& j) {
  if (j.is_number_float()) return std::isfinite(j.get<double>());
  if (j.is_structured())
    for (const auto& v : j)
      if (!all_numbers_finite(v)) return false;
  return true;
}

}  // namespace leuko::fuzz
