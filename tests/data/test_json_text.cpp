// File names and labels are bytes, not UTF-8: a scan of a folder copied from an old Latin-1
// share must still print its JSON, naming the file (issue 12, item 7).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "common/test_paths.h"
#include "data/layouts.h"
#include "data/scan.h"

namespace leuko {
namespace {
namespace fs = std::filesystem;

TEST(JsonText, ScanOfLatin1NamesAndLabelsPrintsWithTheNamesReadable) {
  test::TempDir tmp;
  const std::string latin1_name = "caf\xE9.jpg", latin1_label = "B\xE9nin";  // é in Latin-1
  fs::create_directories(tmp.path() / "imgs");
  fs::copy_file(test::bundled("aria-mini/Pro/WBC-Malignant-Pro-001.jpg"), tmp.path() / "imgs" / latin1_name);
  fs::copy_file(test::bundled("aria-mini/Pro/WBC-Malignant-Pro-003.jpg"), tmp.path() / "imgs/b.jpg");
  std::ofstream(tmp.path() / "imgs/broken \xFF.jpg") << "not an image";
  std::ofstream(tmp.path() / "labels.csv") << "path,label\nimgs/" << latin1_name << "," << latin1_label
                                           << "\nimgs/b.jpg,Pro\nimgs/broken \xFF.jpg,Pro\n";
  Dataset ds = open_dataset((tmp.path() / "labels.csv").string());
  validate_samples(ds, 2);
  nlohmann::json j = scan_to_json(ds, summarise(ds));
  EXPECT_THROW(j.dump(2), nlohmann::json::type_error);  // what `data scan --json` used to die of
  std::string text;
  ASSERT_NO_THROW(text = json_text(j, 2));
  auto parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed["classes"][0], "B\xEF\xBF\xBDnin");  // U+FFFD for the byte, the rest intact
  ASSERT_EQ(parsed["skipped"].size(), 1u);
  EXPECT_NE(parsed["skipped"][0]["path"].get<std::string>().find("broken \xEF\xBF\xBD.jpg"), std::string::npos);
}

}  // namespace
}  // namespace leuko
