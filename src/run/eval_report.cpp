#include "run/eval_report.h"

#include "common/json_reader.h"

namespace leuko {
namespace {

nlohmann::json intervals_to_json(const std::map<std::string, Interval>& intervals) {
  nlohmann::json ci = nlohmann::json::object();
  for (const auto& [name, iv] : intervals) ci[name] = {iv.lo, iv.hi};
  return ci;
}

std::map<std::string, Interval> intervals_from_json(const JsonReader& ci) {
  std::map<std::string, Interval> out;
  for (auto it = ci.raw().begin(); it != ci.raw().end(); ++it) {
    auto pair = ci.get<std::vector<double>>(it.key());
    if (pair.size() != 2) throw UserError(ci.where(it.key()) + ": expected [lo, hi]");
    out[it.key()] = {pair[0], pair[1]};
  }
  return out;
}

}  // namespace

nlohmann::json to_json(const EvalReport& e) {
  nlohmann::json j = metrics_to_json(e.metrics, e.classes);
  j["split"] = e.split;
  j["data"] = e.data;
  j["skipped_images"] = e.skipped_images;
  j["weights_sha256"] = e.weights_sha256;
  j["tta"] = e.tta;
  j["test_time_denoise"] = choice_name(e.test_time_denoise);
  j["ci95"] = intervals_to_json(e.ci95);
  j["ci95_resampled"] = e.ci95_resampled;
  j["bootstrap_resamples"] = e.bootstrap_resamples;
  j["model"] = e.model;
  j["preset"] = e.preset;
  j["seconds_inference"] = e.seconds_inference;
  if (e.calibration)
    j["calibration"] = {{"ece", e.calibration->ece},
                        {"temperature", e.calibration->temperature},
                        {"ece_after_temperature", e.calibration->ece_after_temperature},
                        {"fitted_on", e.calibration->fitted_on}};
  if (e.patient_level) {
    const PatientLevelRecord& p = *e.patient_level;
    if (!p.available) {
      j["patient_level"] = {{"available", false}, {"reason", p.reason}};
    } else {
      nlohmann::json pj = metrics_to_json(p.metrics, e.classes);
      pj["available"] = true;
      pj["n_patients"] = p.n_patients;
      pj["aggregation"] = p.aggregation;
      if (!p.ci95.empty()) pj["ci95"] = intervals_to_json(p.ci95);
      j["patient_level"] = pj;
    }
  }
  if (e.robustness) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : *e.robustness)
      rows.push_back({{"distortion", r.distortion}, {"severity", r.severity}, {"accuracy", r.accuracy},
                      {"f1_macro", r.f1_macro}, {"held_out", r.held_out}});
    j["robustness"] = rows;
    j["distortion_parameters"] = e.distortion_parameters;
  }
  if (e.trust) {
    const TrustEvaluation& t = *e.trust;
    nlohmann::json ood = nlohmann::json::array();
    for (const auto& o : t.ood) ood.push_back({{"score", o.score}, {"auroc", o.auroc}, {"fpr_at_95_tpr", o.fpr_at_95_tpr}});
    j["trust"] = {{"max_error", t.max_error}, {"confidence_threshold", t.feasible ? nlohmann::json(t.confidence_threshold) : nullptr},
                  {"feasible", t.feasible}, {"accepted", t.accepted}, {"coverage", t.coverage}, {"error", t.error},
                  {"aurc", t.aurc}, {"risk_coverage", t.risk_coverage}, {"flagged_share", t.flagged_share},
                  {"ood_data", t.ood_data}, {"ood_images", t.ood_images}, {"ood_flagged_share", t.ood_flagged_share},
                  {"ood", ood}};
    if (!t.distorted.empty()) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& d : t.distorted) {
        nlohmann::json scores = nlohmann::json::array();
        for (const auto& o : d.ood) scores.push_back({{"score", o.score}, {"auroc", o.auroc}, {"fpr_at_95_tpr", o.fpr_at_95_tpr}});
        rows.push_back({{"distortion", d.family}, {"severity", d.severity}, {"images", d.images},
                        {"flagged_share", d.flagged_share}, {"ood", scores}});
      }
      j["trust"]["distorted_ood"] = rows;
    }
  }
  if (e.mcnemar) {
    const McNemarRecord& m = *e.mcnemar;
    j["mcnemar"] = {{"against", m.against}, {"both_right", m.both_right}, {"only_this_right", m.only_this_right},
                    {"only_other_right", m.only_other_right}, {"both_wrong", m.both_wrong},
                    {"p_value", m.p_value}, {"other_accuracy", m.other_accuracy}};
  }
  return j;
}

EvalReport eval_report_from_json(const JsonReader& j) {
  EvalReport e;
  e.split = j.get<std::string>("split");
  e.data = j.get_or<std::string>("data", "");
  e.classes = j.get<std::vector<std::string>>("classes");
  if (e.classes.empty()) throw UserError(j.where("classes") + ": no classes");
  e.metrics = metrics_from_json(j, e.classes);
  e.skipped_images = j.get_or<int64_t>("skipped_images", 0);
  e.weights_sha256 = j.get_or<std::string>("weights_sha256", "");
  e.ci95 = intervals_from_json(j.object("ci95"));
  e.ci95_resampled = j.get_or<std::string>("ci95_resampled", "images");
  e.bootstrap_resamples = j.get_or<int>("bootstrap_resamples", 0);
  e.tta = j.get_or<bool>("tta", false);
  e.test_time_denoise = j.choice_or("test_time_denoise", Denoise::None);
  e.model = j.get_or<std::string>("model", "");
  e.preset = j.get_or<std::string>("preset", "");
  e.seconds_inference = j.get_or<double>("seconds_inference", 0);
  if (auto c = j.optional_object("calibration")) {
    CalibrationRecord r;
    r.ece = c->get<double>("ece");
    r.temperature = c->get<double>("temperature");
    r.ece_after_temperature = c->get<double>("ece_after_temperature");
    r.fitted_on = c->get_or<std::string>("fitted_on", "val");
    e.calibration = r;
  }
  if (auto p = j.optional_object("patient_level")) {
    PatientLevelRecord r;
    r.available = p->get<bool>("available");
    if (r.available) {
      r.metrics = metrics_from_json(*p, e.classes);
      r.n_patients = p->get<int64_t>("n_patients");
      r.aggregation = p->get_or<std::string>("aggregation", r.aggregation);
      if (auto ci = p->optional_object("ci95")) r.ci95 = intervals_from_json(*ci);
    } else {
      r.reason = p->get_or<std::string>("reason", "");
    }
    e.patient_level = r;
  }
  if (j.has("robustness")) {
    const nlohmann::json& rows = j.raw().at("robustness");
    if (!rows.is_array()) throw UserError(j.where("robustness") + ": expected a list");
    std::vector<RobustnessRecord> out;
    for (size_t i = 0; i < rows.size(); ++i) {
      JsonReader r(rows[i], j.file(), "robustness[" + std::to_string(i) + "]");
      out.push_back({r.get<std::string>("distortion"), r.get<int>("severity"), r.get<double>("accuracy"),
                     r.get<double>("f1_macro"), r.get_or<bool>("held_out", false)});
    }
    e.robustness = out;
    if (j.has("distortion_parameters")) e.distortion_parameters = j.raw().at("distortion_parameters");
  }
  if (auto t = j.optional_object("trust")) {
    TrustEvaluation r;
    r.max_error = t->get<double>("max_error");
    r.feasible = t->get<bool>("feasible");
    r.confidence_threshold = r.feasible ? t->get<double>("confidence_threshold") : 0;
    r.accepted = t->get<int64_t>("accepted");
    r.coverage = t->get<double>("coverage");
    r.error = t->get<double>("error");
    r.aurc = t->get<double>("aurc");
    for (const auto& point : t->get<std::vector<std::vector<double>>>("risk_coverage")) {
      if (point.size() != 2) throw UserError(t->where("risk_coverage") + ": expected [coverage, risk] pairs");
      r.risk_coverage.emplace_back(point[0], point[1]);
    }
    r.flagged_share = t->get<double>("flagged_share");
    r.ood_data = t->get_or<std::string>("ood_data", "");
    r.ood_images = t->get_or<int64_t>("ood_images", 0);
    r.ood_flagged_share = t->get_or<double>("ood_flagged_share", 0);
    const nlohmann::json rows = t->has("ood") ? t->raw().at("ood") : nlohmann::json::array();
    if (!rows.is_array()) throw UserError(t->where("ood") + ": expected a list");
    for (size_t i = 0; i < rows.size(); ++i) {
      JsonReader o(rows[i], j.file(), "trust.ood[" + std::to_string(i) + "]");
      r.ood.push_back({o.get<std::string>("score"), o.get<double>("auroc"), o.get<double>("fpr_at_95_tpr")});
    }
    const nlohmann::json distorted = t->has("distorted_ood") ? t->raw().at("distorted_ood") : nlohmann::json::array();
    if (!distorted.is_array()) throw UserError(t->where("distorted_ood") + ": expected a list");
    for (size_t i = 0; i < distorted.size(); ++i) {
      const std::string where = "trust.distorted_ood[" + std::to_string(i) + "]";
      JsonReader d(distorted[i], j.file(), where);
      DistortedOod row{d.get<std::string>("distortion"), d.get<int>("severity"), d.get<int64_t>("images"),
                       d.get<double>("flagged_share"), {}};
      const nlohmann::json scores = d.has("ood") ? d.raw().at("ood") : nlohmann::json::array();
      if (!scores.is_array()) throw UserError(d.where("ood") + ": expected a list");
      for (size_t k = 0; k < scores.size(); ++k) {
        JsonReader o(scores[k], j.file(), where + ".ood[" + std::to_string(k) + "]");
        row.ood.push_back({o.get<std::string>("score"), o.get<double>("auroc"), o.get<double>("fpr_at_95_tpr")});
      }
      r.distorted.push_back(std::move(row));
    }
    e.trust = r;
  }
  if (auto m = j.optional_object("mcnemar")) {
    McNemarRecord r;
    r.against = m->get<std::string>("against");
    r.both_right = m->get<int64_t>("both_right");
    r.only_this_right = m->get<int64_t>("only_this_right");
    r.only_other_right = m->get<int64_t>("only_other_right");
    r.both_wrong = m->get<int64_t>("both_wrong");
    r.p_value = m->get<double>("p_value");
    r.other_accuracy = m->get<double>("other_accuracy");
    e.mcnemar = r;
  }
  return e;
}

}  // namespace leuko
