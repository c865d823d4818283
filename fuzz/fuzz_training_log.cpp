// libFuzzer target: a run's log.jsonl reader (src/run/training_log.cpp parse_training_log), as
// RunDir::read_log() runs it for `train --resume`, `compare` and the study's report.
//
// Input: the file's bytes.
// Checks: bad input is a UserError naming the file and line; each record read, written back as
// its line (epoch_line, as RunDir::write_log does) and read again, is the same record.
// Seeds: fuzz/corpus/training-log (log.jsonl of a real `train --preset tiny` run).
#include <cstdint>
#include <string>

#include "common/json_reader.h"
#include "fuzz_util.h"
#include "run/training_log.h"

using leuko::fuzz::fuzz_fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  leuko::fuzz::expect_only_user_errors([&] {
    const auto log = leuko::parse_training_log(text, "RUN/log.jsonl");
    std::string written;
    for (const auto& e : log) written += leuko::epoch_line(e) + "\n";
    if (written.find("null") != std::string::npos) return;  // inf is written as null
    std::vector<leuko::EpochRecord> again;
    try {
      again = leuko::parse_training_log(written, "RUN/log.jsonl");
    } catch (const std::exception& e) {
      fuzz_fail(std::string("a written log.jsonl is not read back: ") + e.what() + "\n" + written);
    }
    FUZZ_CHECK(again.size() == log.size());
    for (size_t i = 0; i < log.size(); ++i) FUZZ_CHECK(leuko::epoch_line(again[i]) == leuko::epoch_line(log[i]));
  });
  return 0;
}
