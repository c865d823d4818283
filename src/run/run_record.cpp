#include "run/run_record.h"

#include <nlohmann/json.hpp>

#include "common/json_reader.h"

namespace leuko {

nlohmann::json to_json(const RunRecord& r) {
  const DataRecord& d = r.data;
  nlohmann::json j = {
      {"config", to_json(r.config)},
      {"classes", r.classes},
      {"image_size", r.image_size},
      {"normalisation", to_json(r.normalisation)},
      {"model_spec", {{"params", r.model.params}, {"gflops", r.model.gflops}, {"input_size", r.model.input_size},
                      {"description", r.model.description}}},
      {"data", {{"fingerprint", d.fingerprint}, {"split_by", d.split_by}, {"skipped_files", d.skipped_files},
                {"train", d.train}, {"val", d.val}, {"test", d.test},
                {"leakage_audit", {{"groups_shared", d.groups_shared}, {"patients_shared", d.patients_shared},
                                   {"near_duplicate_pairs_across", d.near_duplicate_pairs_across}}}}},
      {"versions", {{"leukoscope", r.versions.leukoscope}, {"torch", r.versions.torch}, {"opencv", r.versions.opencv},
                    {"git_commit", r.versions.git_commit}}},
      {"pretrained_report", r.pretrained_report},
      {"threads", r.threads},
      {"distributed", {{"world_size", r.world_size}, {"backend", r.dist_backend}, {"global_batch", r.global_batch},
                       {"lr", r.lr_used}}},
  };
  if (r.training) {
    const TrainingOutcome& t = *r.training;
    j["training"] = {{"seconds", t.seconds}, {"epochs_completed", t.epochs_completed}, {"best_epoch", t.best_epoch},
                     {"best_val_f1_macro", t.best_val_f1_macro}, {"early_stopped", t.early_stopped}};
  }
  return j;
}

RunRecord run_record_from_json(const JsonReader& j) {
  RunRecord r;
  r.config = train_config_from_json(j.object("config"));
  r.classes = j.get<std::vector<std::string>>("classes");
  if (r.classes.size() < 2) throw UserError(j.where("classes") + ": a classifier needs at least two classes");
  r.image_size = j.get<int>("image_size");
  if (r.image_size < 8 || r.image_size > 4096) throw UserError(j.where("image_size") + ": must be within 8..4096");
  r.normalisation = normalisation_from_json(j.object("normalisation"));
  if (auto m = j.optional_object("model_spec")) {
    r.model.params = m->get_or<int64_t>("params", 0);
    r.model.gflops = m->get_or<double>("gflops", 0);
    r.model.input_size = m->get_or<int64_t>("input_size", 0);
    r.model.description = m->get_or<std::string>("description", "");
  }
  if (auto d = j.optional_object("data")) {
    r.data.fingerprint = d->get_or<std::string>("fingerprint", "");
    r.data.split_by = d->get_or<std::string>("split_by", "");
    r.data.skipped_files = d->get_or<int64_t>("skipped_files", 0);
    r.data.train = d->get_or<int64_t>("train", 0);
    r.data.val = d->get_or<int64_t>("val", 0);
    r.data.test = d->get_or<int64_t>("test", 0);
    if (auto a = d->optional_object("leakage_audit")) {
      r.data.groups_shared = a->get_or<int64_t>("groups_shared", 0);
      r.data.patients_shared = a->get_or<int64_t>("patients_shared", 0);
      r.data.near_duplicate_pairs_across = a->get_or<int64_t>("near_duplicate_pairs_across", 0);
    }
  }
  if (auto v = j.optional_object("versions")) {
    r.versions.leukoscope = v->get_or<std::string>("leukoscope", "");
    r.versions.torch = v->get_or<std::string>("torch", "");
    r.versions.opencv = v->get_or<std::string>("opencv", "");
    r.versions.git_commit = v->get_or<std::string>("git_commit", "");
  }
  r.pretrained_report = j.get_or<std::string>("pretrained_report", "");
  r.threads = j.get_or<int>("threads", 0);
  if (auto d = j.optional_object("distributed")) {
    r.world_size = d->get_or<int>("world_size", 1);
    r.dist_backend = d->get_or<std::string>("backend", "none");
    r.global_batch = d->get_or<int>("global_batch", 0);
    r.lr_used = d->get_or<double>("lr", 0);
  }
  if (auto t = j.optional_object("training")) {
    TrainingOutcome o;
    o.seconds = t->get<double>("seconds");
    o.epochs_completed = t->get<int>("epochs_completed");
    o.best_epoch = t->get<int>("best_epoch");
    o.best_val_f1_macro = t->get<double>("best_val_f1_macro");
    o.early_stopped = t->get<bool>("early_stopped");
    r.training = o;
  }
  return r;
}

}  // namespace leuko
