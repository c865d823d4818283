#include "eval/torch/evaluate.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/parallel.h"
#include "data/csv.h"
#include "data/distort.h"
#include "data/layouts.h"
#include "data/preprocess_cache.h"
#include "data/scan.h"
#include "eval/calibration.h"
#include "eval/metrics.h"
#include "eval/statistics.h"
#include "eval/torch/inference.h"
#include "models/model.h"
#include "models/registry.h"
#include "models/weights.h"
#include "train/train_config.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

struct LoadedRun {
  nlohmann::json config;
  TrainConfig train;
  std::vector<std::string> classes;
  std::shared_ptr<ClassifierModule> model;
  Normalisation norm;
};

LoadedRun load_run(const std::string& dir, const torch::Device& device) {
  LoadedRun r;
  std::string config_path = dir + "/config.json", weights = dir + "/best.safetensors";
  if (!fs::exists(config_path)) throw UserError(dir + ": not a run directory (no config.json)");
  if (!fs::exists(weights)) throw UserError(weights + ": missing (the run finished no epoch)");
  r.config = nlohmann::json::parse(read_file_to_string(config_path), nullptr, false);
  if (r.config.is_discarded()) throw UserError(config_path + ": not valid JSON");
  r.train = train_config_from_json(r.config.at("config"));
  r.classes = r.config.at("classes").get<std::vector<std::string>>();
  r.norm = normalisation_from_json(r.config.at("normalisation"));
  r.model = make_model(r.train.model, r.train.preset, static_cast<int64_t>(r.classes.size()), r.train.image_size);
  LoadOptions strict;
  strict.strict = true;
  strict.skip_mismatched_head = false;
  load_state(*r.model, weights, strict);
  r.model->to(device);
  if (r.train.channels_last) {  // the loader gives NHWC batches: NHWC weights avoid a conversion per layer
    torch::NoGradGuard g;
    for (auto& p : r.model->parameters())
      if (p.dim() == 4) p.set_data(p.data().contiguous(at::MemoryFormat::ChannelsLast));
  }
  r.model->eval();
  return r;
}

// The run's own split.csv, one split of it ("all" = every split), with labels in the run's order.
std::vector<Sample> run_split(const LoadedRun& run, const std::string& dir, const std::string& split, int threads) {
  Dataset ds = open_dataset(dir + "/split.csv", "csv");
  validate_samples(ds, threads);
  std::vector<Sample> out;
  for (auto s : ds.samples) {
    if (split != "all" && s.split != split) continue;
    // The CSV's class indices follow its own sorted names; the run's order may differ.
    s.label = static_cast<int>(std::find(run.classes.begin(), run.classes.end(), ds.classes[s.label]) - run.classes.begin());
    out.push_back(s);
  }
  return out;
}

std::vector<Sample> samples_to_evaluate(const LoadedRun& run, const EvaluateOptions& o, int threads) {
  if (o.data.empty()) {
    auto out = run_split(run, o.run, o.split, threads);
    if (out.empty()) throw UserError(o.run + "/split.csv: no images in split '" + o.split + "'");
    return out;
  }
  Dataset ds = open_dataset(o.data);
  validate_samples(ds, threads);
  std::vector<Sample> out;
  for (auto s : ds.samples) {
    if (s.label == kUnlabelled) continue;
    const std::string& name = ds.classes[static_cast<size_t>(s.label)];
    auto it = std::find(run.classes.begin(), run.classes.end(), name);
    if (it == run.classes.end())
      throw UserError(o.data + ": class '" + name + "' is not one the run was trained on");
    s.label = static_cast<int>(it - run.classes.begin());
    out.push_back(s);
  }
  if (out.empty()) throw UserError(o.data + ": no labelled images");
  return out;
}

LoaderOptions eval_loader_options(const LoadedRun& run, const EvaluateOptions& o) {
  LoaderOptions l;
  l.batch_size = o.batch;
  l.shuffle = false;
  l.preprocess = run.train.preprocess;
  l.preprocess.size = run.train.image_size;
  l.normalisation = run.norm;
  l.cache_dir = o.cache_dir == "none" ? "" : o.cache_dir.empty() ? default_cache_dir() : o.cache_dir;
  l.seed = 20250101;  // the sweep's noise is the same for every run evaluated
  l.test_time_denoise = o.test_time_denoise;
  l.channels_last = run.train.channels_last;
  l.pin_memory = o.device == "cuda";
  return l;
}

nlohmann::json intervals_json(const std::map<std::string, Interval>& ci) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, iv] : ci) j[name] = {iv.lo, iv.hi};
  return j;
}

}  // namespace

nlohmann::json evaluate_run(const EvaluateOptions& o) {
  if (o.split != "test" && o.split != "val" && o.split != "all") throw UserError("--split " + o.split + ": expected test, val or all");
  if (o.test_time_denoise != "none" && o.test_time_denoise != "median" && o.test_time_denoise != "bilateral" &&
      o.test_time_denoise != "nlm")
    throw UserError("--test-time-denoise " + o.test_time_denoise + ": expected none, median, bilateral or nlm");
  const int threads = o.threads > 0 ? o.threads : default_thread_count();
  at::set_num_threads(threads);
  torch::Device device(o.device == "cuda" ? torch::kCUDA : torch::kCPU);
  if (device.is_cuda() && !torch::cuda::is_available()) throw UserError("--device cuda: no CUDA device visible");

  LoadedRun run = load_run(o.run, device);
  const int k = static_cast<int>(run.classes.size());
  const bool bf16 = run.train.amp == "bf16";
  std::vector<Sample> samples = samples_to_evaluate(run, o, threads);
  LoaderOptions lo = eval_loader_options(run, o);
  BatchLoader loader(samples, lo);
  Predictions p = predict(*run.model, loader, device, bf16, o.tta);
  Metrics m = compute_metrics(p.labels, p.probs, k);

  std::vector<std::string> patients;
  bool patients_known = true;
  for (size_t i : p.sample_index) {
    patients.push_back(samples[i].patient);
    patients_known &= !samples[i].patient.empty();
  }
  nlohmann::json j = metrics_to_json(m, run.classes);
  j["split"] = o.data.empty() ? o.split : "all";
  j["data"] = o.data.empty() ? o.run + "/split.csv" : o.data;
  j["tta"] = o.tta;
  j["test_time_denoise"] = o.test_time_denoise;
  j["ci95"] = intervals_json(bootstrap_ci(p.labels, p.probs, k, patients_known ? patients : std::vector<std::string>{},
                                          o.bootstrap, 7));
  j["ci95_resampled"] = patients_known ? "patients" : "images";
  j["bootstrap_resamples"] = o.bootstrap;
  j["model"] = run.train.model;
  j["preset"] = run.train.preset;
  j["seconds_inference"] = p.seconds;

  // Calibration: the temperature is fitted on the validation split, never on the images scored.
  if (o.data.empty() && o.split != "val") {
    std::vector<Sample> val = run_split(run, o.run, "val", threads);
    if (!val.empty()) {
      BatchLoader val_loader(val, lo);
      Predictions pv = predict(*run.model, val_loader, device, bf16, false);
      double t = fit_temperature(pv.labels, pv.logits, k);
      j["calibration"] = {{"ece", expected_calibration_error(p.labels, p.probs, k)},
                          {"temperature", t},
                          {"ece_after_temperature", expected_calibration_error(p.labels, softmax_rows(p.logits, k, t), k)},
                          {"fitted_on", "val"}};
    }
  }

  if (o.patients) {
    if (!patients_known) {
      j["patient_level"] = {{"available", false}, {"reason", "no patient ids in this dataset"}};
    } else {
      PatientAggregate agg = aggregate_by_patient(p.labels, p.probs, k, patients);
      Metrics pm = compute_metrics(agg.labels, agg.probs, k);
      nlohmann::json pj = metrics_to_json(pm, run.classes);
      pj["available"] = true;
      pj["n_patients"] = agg.patients.size();
      pj["aggregation"] = "mean probability per patient";
      j["patient_level"] = pj;
    }
  }

  // Per-image predictions under every distortion: what paired bootstrap CIs over strategies need.
  std::ostringstream robustness_csv;
  robustness_csv << "path,patient,label,distortion,severity,predicted\n";
  if (o.distortions) {
    nlohmann::json rows = nlohmann::json::array();
    const auto& held = held_out_distortion_families();
    for (const auto& family : distortion_families())
      for (int s = 1; s <= kSeverities; ++s) {
        LoaderOptions dl = lo;
        dl.eval_distortion = family;
        dl.eval_severity = s;
        BatchLoader dloader(samples, dl);
        Predictions dp = predict(*run.model, dloader, device, bf16, o.tta);
        Metrics dm = compute_metrics(dp.labels, dp.probs, k);
        auto dpred = argmax_rows(dp.probs, k);
        for (size_t r = 0; r < dp.labels.size(); ++r) {
          const Sample& sample = samples[dp.sample_index[r]];
          robustness_csv << csv_escape(sample.path) << ',' << csv_escape(sample.patient) << ','
                         << csv_escape(run.classes[dp.labels[r]]) << ',' << family << ',' << s << ','
                         << csv_escape(run.classes[dpred[r]]) << "\n";
        }
        rows.push_back({{"distortion", family}, {"severity", s}, {"accuracy", dm.accuracy}, {"f1_macro", dm.f1_macro},
                        {"held_out", std::find(held.begin(), held.end(), family) != held.end()}});
        if (o.show_progress)
          std::fprintf(stderr, "robustness %-15s severity %d  acc %.3f  f1 %.3f\n", family.c_str(), s, dm.accuracy, dm.f1_macro);
      }
    j["robustness"] = rows;
    j["distortion_parameters"] = distortion_parameters();
  }

  if (!o.against.empty()) {
    LoadedRun other = load_run(o.against, device);
    if (other.classes != run.classes) throw UserError(o.against + ": trained on other classes than " + o.run);
    BatchLoader other_loader(samples, eval_loader_options(other, o));
    Predictions q = predict(*other.model, other_loader, device, other.train.amp == "bf16", o.tta);
    McNemar mc = mcnemar_exact(p.labels, argmax_rows(p.probs, k), argmax_rows(q.probs, k));
    j["mcnemar"] = {{"against", o.against}, {"both_right", mc.both_right}, {"only_this_right", mc.only_a_right},
                    {"only_other_right", mc.only_b_right}, {"both_wrong", mc.both_wrong}, {"p_value", mc.p_value},
                    {"other_accuracy", compute_metrics(q.labels, q.probs, k).accuracy}};
  }

  std::string out = o.out.empty() ? o.run + "/eval.json" : o.out;
  write_file_atomically(out, j.dump(2) + "\n");
  std::ostringstream csv;
  csv << "path,label,predicted";
  for (const auto& c : run.classes) csv << ",p_" << csv_escape(c);
  csv << "\n";
  auto predicted = argmax_rows(p.probs, k);
  for (size_t r = 0; r < p.labels.size(); ++r) {
    csv << csv_escape(samples[p.sample_index[r]].path) << ',' << csv_escape(run.classes[p.labels[r]]) << ','
        << csv_escape(run.classes[predicted[r]]);
    for (int c = 0; c < k; ++c) csv << ',' << p.probs[r * k + c];
    csv << "\n";
  }
  write_file_atomically(fs::path(out).replace_extension("").string() + "-predictions.csv", csv.str());
  if (o.distortions) write_file_atomically(fs::path(out).replace_extension("").string() + "-robustness.csv", robustness_csv.str());
  return j;
}

}  // namespace leuko
