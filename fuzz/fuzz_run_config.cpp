// libFuzzer target: a run's config.json reader (src/run/run_record.cpp run_record_from_json, with
// src/run/train_config.cpp and the preprocessing/normalisation readers it calls), as
// RunDir::read_config() runs it for `evaluate`, `predict`, `calibrate`, `compare`, `train --resume`.
//
// Input: the file's bytes.
// Checks: bad input is a UserError naming the file; an accepted record has >= 2 classes and an
// image size in 8..4096; validate() answers with a UserError or nothing; writing the record
// (to_json, as RunDir::write_config does) and reading it back gives the same record, and
// same_training_settings() agrees with itself.
// Seeds: fuzz/corpus/run-config (config.json of a real `train --preset tiny` run).
#include <cstdint>
#include <string>

#include "common/json_reader.h"
#include "common/json_text.h"
#include "fuzz_util.h"
#include "run/run_record.h"

using leuko::fuzz::fuzz_fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string file = "RUN/config.json";
  leuko::fuzz::expect_only_user_errors([&] {
    const nlohmann::json input = leuko::JsonReader::parse(text, file);
    leuko::RunRecord r = leuko::run_record_from_json(leuko::JsonReader(input, file));
    FUZZ_CHECK(r.classes.size() >= 2);
    FUZZ_CHECK(r.image_size >= 8 && r.image_size <= 4096);
    try {
      r.config.validate();
    } catch (const leuko::UserError&) {
      // an impossible setting in a hand-edited file: the verbs refuse it with this message
    }
    const nlohmann::json written = leuko::to_json(r);
    const std::string written_text = leuko::json_text(written, 2);
    if (!leuko::fuzz::all_numbers_finite(input)) return;
    leuko::RunRecord again;
    try {
      again = leuko::run_record_from_json(leuko::JsonReader(leuko::JsonReader::parse(written_text, file), file));
    } catch (const std::exception& e) {
      fuzz_fail(std::string("a written config.json is not read back: ") + e.what() + "\n" + written_text);
    }
    if (leuko::to_json(again) != written)
      fuzz_fail("config.json changed when written and read back:\n" + written_text + "\n" +
                leuko::json_text(leuko::to_json(again), 2));
    std::string difference;
    FUZZ_CHECK(leuko::same_training_settings(r.config, again.config, &difference));
  });
  return 0;
}
