// libFuzzer target: a run's trust.json reader (src/run/trust_record.cpp trust_record_from_json), as
// RunDir::read_trust() runs it for `predict` and `evaluate --trust`.
//
// Input: the file's bytes.
// Checks: bad input is a UserError naming the file; an accepted record has a positive temperature
// and, when its confidence threshold is infeasible, an infinite one; writing it (to_json, as
// RunDir::write_trust does) and reading it back gives the same record.
// Seeds: fuzz/corpus/trust-record (trust.json of a real run calibrated by `calibrate`).
#include <cmath>
#include <cstdint>
#include <string>

#include "common/json_reader.h"
#include "common/json_text.h"
#include "fuzz_util.h"
#include "run/trust_record.h"

using leuko::fuzz::fuzz_fail;

namespace {

bool same(const leuko::TrustRecord& a, const leuko::TrustRecord& b) {
  return a.temperature == b.temperature && a.max_error == b.max_error &&
         a.confidence_threshold == b.confidence_threshold && a.confidence_feasible == b.confidence_feasible &&
         a.validation_coverage == b.validation_coverage && a.validation_error == b.validation_error &&
         a.validation_images == b.validation_images && a.distance_threshold == b.distance_threshold &&
         a.in_distribution_kept == b.in_distribution_kept && a.feature_dim == b.feature_dim &&
         a.training_images == b.training_images && a.shrinkage == b.shrinkage;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string file = "RUN/trust.json";
  leuko::fuzz::expect_only_user_errors([&] {
    const nlohmann::json input = leuko::JsonReader::parse(text, file);
    leuko::TrustRecord t = leuko::trust_record_from_json(leuko::JsonReader(input, file));
    FUZZ_CHECK(t.temperature > 0);
    if (!t.confidence_feasible) FUZZ_CHECK(std::isinf(t.confidence_threshold));
    const std::string written = leuko::json_text(leuko::to_json(t), 2);
    if (!leuko::fuzz::all_numbers_finite(input)) return;
    leuko::TrustRecord again;
    try {
      again = leuko::trust_record_from_json(leuko::JsonReader(leuko::JsonReader::parse(written, file), file));
    } catch (const std::exception& e) {
      fuzz_fail(std::string("a written trust.json is not read back: ") + e.what() + "\n" + written);
    }
    if (!same(t, again)) fuzz_fail("trust.json changed when written and read back:\n" + written);
  });
  return 0;
}
