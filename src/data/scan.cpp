#include "data/scan.h"

#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/parallel.h"
#include "data/image_decode.h"

namespace leuko {

size_t validate_samples(Dataset& ds, int threads) {
  quiet_opencv_logging();
  std::vector<std::string> errors(ds.samples.size()), notes(ds.samples.size());
  parallel_for(ds.samples.size(), threads, [&](size_t i) {
    DecodedImage image = decode_image_file(ds.samples[i].path);
    errors[i] = std::move(image.error);
    notes[i] = std::move(image.note);
  });
  std::map<std::string, size_t> note_counts;  // one line per kind of note, not per image
  for (size_t i = 0; i < notes.size(); ++i)
    if (errors[i].empty() && !notes[i].empty()) note_counts[notes[i]]++;
  for (const auto& [note, n] : note_counts)
    ds.notes.push_back(std::to_string(n) + (n == 1 ? " image: " : " images: ") + note);
  std::vector<Sample> kept;
  kept.reserve(ds.samples.size());
  size_t moved = 0;
  for (size_t i = 0; i < ds.samples.size(); ++i) {
    if (errors[i].empty()) {
      kept.push_back(std::move(ds.samples[i]));
    } else {
      ds.skipped.push_back({ds.samples[i].path, errors[i], ds.samples[i].split});
      ++moved;
    }
  }
  ds.samples = std::move(kept);
  // A class whose every image failed would still be trained on as a class no example shows.
  std::vector<size_t> usable(ds.classes.size(), 0);
  for (const auto& sample : ds.samples)
    if (sample.label >= 0 && static_cast<size_t>(sample.label) < usable.size()) usable[static_cast<size_t>(sample.label)]++;
  for (size_t c = 0; c < usable.size(); ++c)
    if (usable[c] == 0) ds.notes.push_back("class '" + ds.classes[c] + "' has no usable image");
  return moved;
}

static std::string class_name(const Dataset& ds, int label) {
  return label == kUnlabelled ? "unlabelled" : ds.classes.at(static_cast<size_t>(label));
}

ScanSummary summarise(const Dataset& ds) {
  ScanSummary s;
  std::map<std::string, std::map<std::string, std::set<std::string>>> patient_sets;
  for (const auto& sample : ds.samples) {
    std::string split = sample.split.empty() ? "all" : sample.split;
    std::string cls = class_name(ds, sample.label);
    s.counts[split][cls]++;
    if (!sample.fold.empty()) s.folds[sample.fold][cls]++;
    if (!sample.patient.empty()) patient_sets[split][cls].insert(sample.patient);
  }
  for (const auto& [split, by_class] : patient_sets)
    for (const auto& [cls, set] : by_class) s.patients[split][cls] = static_cast<int>(set.size());
  return s;
}

nlohmann::json scan_to_json(const Dataset& ds, const ScanSummary& summary) {
  nlohmann::json j;
  j["layout"] = ds.layout;
  j["root"] = ds.root;
  j["classes"] = ds.classes;
  j["counts"] = summary.counts;
  if (!summary.patients.empty()) j["patients"] = summary.patients;
  if (!summary.folds.empty()) j["folds"] = summary.folds;
  j["skipped"] = nlohmann::json::array();
  for (const auto& sk : ds.skipped) j["skipped"].push_back({{"path", sk.path}, {"reason", sk.reason}});
  j["notes"] = ds.notes;
  return j;
}

std::string scan_to_text(const Dataset& ds, const ScanSummary& summary) {
  std::ostringstream out;
  out << "layout   " << ds.layout << "\nroot     " << ds.root << "\nclasses  ";
  for (size_t i = 0; i < ds.classes.size(); ++i) out << (i ? ", " : "") << ds.classes[i];
  out << "\n\n";
  auto table = [&](const char* title, const std::map<std::string, std::map<std::string, int>>& rows) {
    if (rows.empty()) return;
    out << title << "\n";
    for (const auto& [split, by_class] : rows) {
      int total = 0;
      out << "  " << split << ":";
      for (const auto& [cls, n] : by_class) {
        out << "  " << cls << " " << n;
        total += n;
      }
      out << "  (total " << total << ")\n";
    }
  };
  table("images", summary.counts);
  table("patients", summary.patients);
  table("training folds", summary.folds);
  out << "skipped  " << ds.skipped.size() << "\n";
  for (const auto& sk : ds.skipped) out << "  " << sk.path << ": " << sk.reason << "\n";
  if (!ds.notes.empty()) out << "notes\n";
  for (const auto& note : ds.notes) out << "  " << note << "\n";
  return out.str();
}

}  // namespace leuko
