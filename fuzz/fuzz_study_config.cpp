// libFuzzer target: the study configuration reader (src/study/study_config.cpp), which
// `study --config FILE` runs on a user's JSON before any work starts.
//
// study_config.cpp sits in leuko_torch only because it checks model names against the model
// table; that table (src/models/presets.cpp, model_config.cpp) is torch-free, so the fuzz build
// compiles those three files with leuko_base and this target needs no torch.
// Input: the file's bytes (JSON with comments, as load_study_config reads it).
// Checks: bad input is a UserError naming the file; an accepted configuration has models or an
// ablation; its to_json() is accepted again (what `study` does after applying command-line
// overrides) and gives the same JSON back; every model's merged training settings validate.
// Seeds: fuzz/corpus/study-config (configs/*.json).
#include <cstdint>
#include <string>

#include "common/json_reader.h"
#include "common/json_text.h"
#include "fuzz_util.h"
#include "study/study_config.h"

using leuko::fuzz::fuzz_fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string source = "fuzz-study.json";
  leuko::fuzz::expect_only_user_errors([&] {
    nlohmann::json j = leuko::JsonReader::parse(text, source, /*comments=*/true);
    leuko::StudyConfig c = leuko::study_config_from_json(j, source);
    FUZZ_CHECK(!c.models.empty() || c.ablation.enabled);
    FUZZ_CHECK(c.source == source);
    for (const auto& m : c.models) {
      leuko::TrainConfig t = leuko::study_train_config(c, m);
      t.validate();  // study_config_from_json has range-checked every model already
    }
    const nlohmann::json written = c.to_json();
    (void)leuko::json_text(written, 2);
    if (!leuko::fuzz::all_numbers_finite(j)) return;
    leuko::StudyConfig again;
    try {
      again = leuko::study_config_from_json(written, source);
    } catch (const std::exception& e) {
      fuzz_fail(std::string("study_config_from_json refused its own to_json(): ") + e.what());
    }
    if (again.to_json() != written)
      fuzz_fail("to_json() -> study_config_from_json -> to_json() changed the configuration:\n" +
                leuko::json_text(written) + "\n" + leuko::json_text(again.to_json()));
  });
  return 0;
}
