#pragma once
// The common currency of the data layer: whatever the layout on disk, a dataset becomes a list
// of Samples with a class index, the patient (when the layout encodes one), the split it came
// with (when the layout has one) and the files that could not be used, each with its reason.
// `notes` tell the user what was done to the data without dropping anything (repeated rows
// counted once, 12-bit images rescaled): the scan prints them.
#include <string>
#include <vector>

namespace leuko {

inline constexpr int kUnlabelled = -1;

struct Sample {
  std::string path;      // absolute or as given; what the decoder opens
  int label = kUnlabelled;
  std::string patient;   // empty when the layout does not encode patients
  std::string group;     // unit kept together by a split (filled by the splitter / CSV)
  std::string split;     // train | val | test | all (layout's own split; "" when none)
  std::string fold;      // C-NMC training fold ("fold_0"...), else ""
};

struct SkippedFile {
  std::string path;
  std::string reason;
  std::string split;  // the split its row named (split files), else ""
};

struct Dataset {
  std::string layout;                // cnmc | folder | csv
  std::string root;
  std::vector<std::string> classes;  // index = Sample::label
  std::vector<Sample> samples;
  std::vector<SkippedFile> skipped;
  std::vector<std::string> notes;

  int class_index(const std::string& name) const;
};

}  // namespace leuko
