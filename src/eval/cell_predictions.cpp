#include "eval/cell_predictions.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <sstream>

#include <nlohmann/json.hpp>

#include "data/csv.h"

namespace leuko {

namespace {

// Class indices by falling probability, the first k.
std::vector<size_t> top_classes(const std::vector<float>& probs, int k) {
  std::vector<size_t> order(probs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return probs[a] > probs[b]; });
  order.resize(std::min(order.size(), static_cast<size_t>(std::max(k, 1))));
  return order;
}

}  // namespace

std::vector<PatientCall> call_patients(const std::vector<CellPrediction>& cells, int k) {
  std::map<std::string, PatientCall> by_patient;
  for (const auto& c : cells) {
    if (c.patient.empty()) continue;
    PatientCall& p = by_patient[c.patient];
    if (p.cells == 0) {
      p.patient = c.patient;
      p.cells_per_class.assign(static_cast<size_t>(k), 0);
      p.mean_probs.assign(static_cast<size_t>(k), 0.0);
    }
    ++p.cells;
    ++p.cells_per_class[static_cast<size_t>(c.predicted)];
    for (int j = 0; j < k; ++j) p.mean_probs[static_cast<size_t>(j)] += c.probs[static_cast<size_t>(j)];
    p.awaiting_review += c.review;
  }
  std::vector<PatientCall> out;
  for (auto& [id, p] : by_patient) {
    for (auto& m : p.mean_probs) m /= p.cells;
    p.call = static_cast<int>(std::max_element(p.mean_probs.begin(), p.mean_probs.end()) - p.mean_probs.begin());
    out.push_back(std::move(p));
  }
  return out;
}

std::string predictions_csv(const PredictionSet& set) {
  std::ostringstream csv;
  csv << "path,patient,predicted";
  for (const auto& c : set.classes) csv << ",p_" << csv_escape(c);
  for (int i = 1; i <= set.top_k; ++i) csv << ",top" << i << ",top" << i << "_p";
  // The heatmap column appears only when explanations were made: the default file stays as is.
  const bool heatmaps = std::any_of(set.cells.begin(), set.cells.end(), [](const CellPrediction& c) { return !c.heatmap.empty(); });
  csv << ",confidence,margin,energy,distance,review,why" << (heatmaps ? ",heatmap" : "") << "\n";
  for (const auto& cell : set.cells) {
    csv << csv_escape(cell.path) << ',' << csv_escape(cell.patient) << ','
        << csv_escape(set.classes[static_cast<size_t>(cell.predicted)]);
    for (float p : cell.probs) csv << ',' << p;
    for (size_t c : top_classes(cell.probs, set.top_k)) csv << ',' << csv_escape(set.classes[c]) << ',' << cell.probs[c];
    csv << ',' << cell.confidence << ',' << cell.margin << ',' << cell.energy << ',' << cell.distance << ','
        << (cell.review ? "true" : "false") << ',' << csv_escape(cell.why);
    if (heatmaps) csv << ',' << csv_escape(cell.heatmap);
    csv << "\n";
  }
  return csv.str();
}

nlohmann::json predictions_json(const PredictionSet& set) {
  nlohmann::json cells = nlohmann::json::array();
  for (const auto& cell : set.cells) {
    nlohmann::json probs = nlohmann::json::object(), top = nlohmann::json::array();
    for (size_t c = 0; c < set.classes.size(); ++c) probs[set.classes[c]] = cell.probs[c];
    for (size_t c : top_classes(cell.probs, set.top_k)) top.push_back({{"class", set.classes[c]}, {"p", cell.probs[c]}});
    cells.push_back({{"path", cell.path},
                     {"patient", cell.patient},
                     {"predicted", set.classes[static_cast<size_t>(cell.predicted)]},
                     {"probabilities", probs},
                     {"top_k", top},
                     {"confidence", cell.confidence},
                     {"margin", cell.margin},
                     {"energy", cell.energy},
                     {"distance", cell.distance},
                     {"review", cell.review},
                     {"why", cell.why}});
    if (!cell.heatmap.empty()) cells.back()["heatmap"] = cell.heatmap;
  }
  nlohmann::json patients = nlohmann::json::array();
  for (const auto& p : set.patients) {
    nlohmann::json per_class = nlohmann::json::object(), mean = nlohmann::json::object();
    for (size_t c = 0; c < set.classes.size(); ++c) {
      per_class[set.classes[c]] = p.cells_per_class[c];
      mean[set.classes[c]] = p.mean_probs[c];
    }
    patients.push_back({{"patient", p.patient},
                        {"cells", p.cells},
                        {"cells_per_class", per_class},
                        {"mean_probabilities", mean},
                        {"call", set.classes[static_cast<size_t>(p.call)]},
                        {"awaiting_review", p.awaiting_review}});
  }
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& s : set.skipped) skipped.push_back({{"path", s.path}, {"reason", s.reason}});
  size_t flagged = 0;
  for (const auto& c : set.cells) flagged += c.review;
  return {{"run", set.run},
          {"classes", set.classes},
          {"review_rule", set.review_rule},
          {"patient_rule", "the class with the highest mean calibrated probability over the patient's cells"},
          {"n", set.cells.size()},
          {"flagged_for_review", flagged},
          {"cells", cells},
          {"patients", patients},
          {"skipped", skipped}};
}

}  // namespace leuko
