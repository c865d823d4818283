#include "report/report_tables.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "report/json_fields.h"
#include "report/palette.h"
#include "report/plots.h"
#include "report/results_view.h"
#include "report/text_format.h"

namespace leuko::report {

namespace {

constexpr const char* kNone = "—";

Cell text_cell(std::string text) { return Cell{std::move(text), false, false, "", ""}; }
Cell number_cell(std::string text) { return Cell{std::move(text), true, false, "", ""}; }

Cell model_cell(const json& model, size_t index) {
  return Cell{model_name(model, index), false, false, series_colour(index), ""};
}

// "0.986" with "[0.973, 0.996]" as its detail.
Cell value_ci_cell(double value, const std::optional<std::pair<double, double>>& ci) {
  Cell cell = number_cell(format_metric(value));
  if (ci) cell.detail = "[" + format_metric(ci->first) + ", " + format_metric(ci->second) + "]";
  return cell;
}

Cell metric_cell(const std::optional<double>& value) { return number_cell(value ? format_metric(*value) : kNone); }

// A metric of `source` with its CI from `source.ci95` (as in eval.json and patient_level).
Cell metric_ci_cell(const json& source, const std::string& key) {
  std::optional<double> value = number_field(source, key);
  if (!value) return number_cell(kNone);
  const json* ci = object_field(source, "ci95");
  return value_ci_cell(*value, ci ? interval_field(*ci, key) : std::nullopt);
}

Cell duration_cell(const std::optional<double>& seconds) {
  return number_cell(seconds ? format_duration(*seconds) : kNone);
}

// The value as the reader sees it (3 decimals): two cells that print alike are alike, and bold
// must not pick one of two "1.000"s on a digit nobody can see.
std::optional<long long> shown(const std::optional<double>& value) {
  if (!value || !std::isfinite(*value)) return std::nullopt;
  return std::llround(*value * 1000);
}

// Bolds the best value of each listed column over `rows` (ties all bold); `values[r][c]` holds
// the number behind the cell.
void bold_best(std::vector<Row>& rows, const std::vector<std::vector<std::optional<double>>>& values,
               const std::vector<size_t>& columns, bool higher_is_better = true) {
  for (size_t c : columns) {
    std::optional<long long> best;
    size_t present = 0;
    for (const auto& v : values)
      if (auto x = c < v.size() ? shown(v[c]) : std::nullopt) {
        best = !best ? *x : higher_is_better ? std::max(*best, *x) : std::min(*best, *x);
        ++present;
      }
    if (!best) continue;
    size_t holders = 0;
    for (const auto& v : values) holders += c < v.size() && shown(v[c]) == best;
    // Bold is a claim that one stands out; when every row shares the value it says nothing.
    if (holders == present && present > 1) continue;
    if (present < 2) continue;
    for (size_t r = 0; r < rows.size() && r < values.size(); ++r)
      if (c < values[r].size() && shown(values[r][c]) == best) rows[r].cells[c].strong = true;
  }
}

struct MetricColumn {
  const char* key;
  const char* label;
};

// Short headers keep eight CI columns within the page; the caption says which are macro averages.
const MetricColumn kMainMetrics[] = {
    {"accuracy", "accuracy"},        {"balanced_accuracy", "balanced acc."}, {"precision_macro", "precision"},
    {"recall_macro", "recall"},      {"f1_macro", "F1"},                     {"f1_weighted", "F1 weighted"},
    {"specificity_macro", "specificity"}, {"auroc_macro", "AUROC"}};

std::optional<double> mean_corrupted_f1(const json& eval) {
  const json* rows = array_field(eval, "robustness");
  if (!rows) return std::nullopt;
  double sum = 0;
  int n = 0;
  for (const auto& row : *rows)
    if (auto f1 = number_field(row, "f1_macro")) sum += *f1, ++n;
  return n ? std::optional<double>(sum / n) : std::nullopt;
}

}  // namespace

Table dataset_counts_table(const json& dataset) {
  Table table;
  const json* counts = object_field(dataset, "counts");
  if (!counts || counts->empty()) return table;
  std::vector<std::string> classes;
  if (const json* list = array_field(dataset, "classes"))
    for (const auto& c : *list) classes.push_back(scalar_text(c));
  for (const auto& split : counts->items())
    if (split.value().is_object())
      for (const auto& c : split.value().items())
        if (std::find(classes.begin(), classes.end(), c.key()) == classes.end()) classes.push_back(c.key());
  const json* patients = object_field(dataset, "patients");

  table.header = {"split"};
  for (const auto& c : classes) table.header.push_back(c);
  table.header.push_back("total");
  if (patients) table.header.push_back("patients");

  std::vector<std::string> splits;
  for (const char* known : {"train", "val", "test", "all"})
    if (counts->contains(known)) splits.push_back(known);
  for (const auto& split : counts->items())
    if (std::find(splits.begin(), splits.end(), split.key()) == splits.end()) splits.push_back(split.key());

  std::vector<long long> column_totals(classes.size(), 0);
  long long grand_total = 0, patient_total = 0;
  bool all_patients_known = patients != nullptr;
  for (const auto& split : splits) {
    const json& per_class = (*counts)[split];
    if (!per_class.is_object()) continue;
    Row row{{text_cell(split)}};
    long long total = 0;
    for (size_t k = 0; k < classes.size(); ++k) {
      std::optional<double> n = number_field(per_class, classes[k]);
      row.cells.push_back(number_cell(n ? format_thousands(std::llround(*n)) : "0"));
      total += n ? std::llround(*n) : 0;
      column_totals[k] += n ? std::llround(*n) : 0;
    }
    grand_total += total;
    row.cells.push_back(number_cell(format_thousands(total)));
    if (patients) {
      // Either a count per split, or (as `data scan --json` writes it) a count per split x class.
      std::optional<long long> n;
      if (auto value = number_field(*patients, split)) n = std::llround(*value);
      else if (const json* by_class = object_field(*patients, split)) {
        long long sum = 0;
        for (const auto& c : by_class->items())
          if (c.value().is_number()) sum += c.value().get<long long>();
        n = sum;
      }
      row.cells.push_back(number_cell(n ? format_thousands(*n) : kNone));
      if (n) patient_total += *n;
      else all_patients_known = false;
    }
    table.rows.push_back(std::move(row));
  }
  if (table.rows.size() > 1) {
    Row row{{text_cell("all splits")}};
    for (long long n : column_totals) row.cells.push_back(number_cell(format_thousands(n)));
    row.cells.push_back(number_cell(format_thousands(grand_total)));
    if (patients) row.cells.push_back(number_cell(all_patients_known ? format_thousands(patient_total) : kNone));
    for (auto& cell : row.cells) cell.strong = true;
    table.rows.push_back(std::move(row));
  }
  table.caption = "Images per split and class.";
  return table;
}

Table models_table(const json& results) {
  Table table;
  table.header = {"model", "preset", "parameters", "GFLOPs", "input", "epochs", "best epoch", "training time",
                  "inference time"};
  const json& models = models_of(results);
  for (size_t i = 0; i < models.size(); ++i) {
    const json& m = models[i];
    auto parameters = number_field(m, "parameters");
    auto gflops = number_field(m, "gflops");
    auto input = number_field(m, "input_size");
    auto epochs = number_field(m, "epochs");
    // Stored 0-based (as log.jsonl counts); shown 1-based, as the train verb prints it. -1: the
    // run recorded none.
    std::string best_epoch = kNone;
    if (auto best = number_field(m, "best_epoch"); best && *best >= 0) best_epoch = format_plain_number(*best + 1);
    Cell name = model_cell(m, i);
    if (auto description = text_field(m, "description"); description && !description->empty())
      name.detail = "(" + *description + ")";
    Cell epochs_cell = number_cell(epochs ? format_plain_number(*epochs) : kNone);
    if (bool_field(m, "early_stopped").value_or(false)) epochs_cell.detail = "early stop";
    Row row{{name, text_cell(text_field(m, "preset").value_or(kNone)),
             number_cell(parameters ? format_count_si(*parameters) : kNone),
             number_cell(gflops ? format_metric(*gflops) : kNone),
             number_cell(input ? format_plain_number(*input) + " px" : kNone),
             epochs_cell,
             number_cell(best_epoch),
             duration_cell(number_field(m, "train_seconds")), duration_cell(number_field(m, "inference_seconds"))}};
    table.rows.push_back(std::move(row));
  }
  table.caption =
      "GFLOPs: one forward pass of one image. Best epoch: the epoch whose weights were kept (highest validation "
      "macro-F1), counted from 1. Inference time: the whole evaluation split.";
  return table;
}

Table main_results_table(const json& results) {
  Table table;
  table.header = {"model"};
  for (const auto& m : kMainMetrics) table.header.push_back(m.label);
  std::vector<std::vector<std::optional<double>>> values;
  const json& models = models_of(results);
  for (size_t i = 0; i < models.size(); ++i) {
    const json* eval = eval_of(models[i]);
    if (!eval) continue;
    Row row{{model_cell(models[i], i)}};
    std::vector<std::optional<double>> numbers = {std::nullopt};
    for (const auto& m : kMainMetrics) {
      row.cells.push_back(metric_ci_cell(*eval, m.key));
      numbers.push_back(number_field(*eval, m.key));
    }
    table.rows.push_back(std::move(row));
    values.push_back(std::move(numbers));
  }
  if (table.rows.empty()) return table;
  std::vector<size_t> columns;
  for (size_t c = 1; c < table.header.size(); ++c) columns.push_back(c);
  bold_best(table.rows, values, columns);

  if (const json* paper = object_field(results, "paper_reference")) {
    Row row{{text_cell(text_field(*paper, "model").value_or("paper"))}, RowStyle::reference,
            "reported in the paper (C-NMC; for orientation, not comparable data)"};
    bool any = false;
    for (const auto& m : kMainMetrics) {
      auto value = number_field(*paper, m.key);
      row.cells.push_back(value ? number_cell(format_metric(*value)) : number_cell(""));
      any = any || value.has_value();
    }
    if (any) table.rows.push_back(std::move(row));
  }
  std::string split = kNone;
  if (!models.empty())
    if (const json* eval = eval_of(models[0])) split = text_field(*eval, "split").value_or("test");
  table.caption = "Each cell: the value on the " + split +
                  " split and its 95 % bootstrap confidence interval. Precision, recall, F1, specificity and AUROC "
                  "are macro averages (every class counts equally); F1 weighted weighs classes by support. Bold: "
                  "the best model per column.";
  if (object_field(results, "paper_reference"))
    table.caption += " The paper's row reports figures on other data: not a result of this run.";
  return table;
}

Table summary_table(const json& results) {
  Table table;
  table.header = {"model", "accuracy", "F1 (macro)", "AUROC (macro)", "macro-F1 under distortion", "training time"};
  std::vector<std::vector<std::optional<double>>> values;
  const json& models = models_of(results);
  bool any_robustness = false;
  for (size_t i = 0; i < models.size(); ++i) {
    const json* eval = eval_of(models[i]);
    if (!eval) continue;
    auto corrupted = mean_corrupted_f1(*eval);
    any_robustness = any_robustness || corrupted.has_value();
    table.rows.push_back(Row{{model_cell(models[i], i), metric_cell(number_field(*eval, "accuracy")),
                              metric_ci_cell(*eval, "f1_macro"), metric_cell(number_field(*eval, "auroc_macro")),
                              metric_cell(corrupted), duration_cell(number_field(models[i], "train_seconds"))}});
    values.push_back({std::nullopt, number_field(*eval, "accuracy"), number_field(*eval, "f1_macro"),
                      number_field(*eval, "auroc_macro"), corrupted});
  }
  bold_best(table.rows, values, {1, 2, 3, 4});
  if (!any_robustness) {
    table.header.erase(table.header.begin() + 4);
    for (auto& row : table.rows) row.cells.erase(row.cells.begin() + 4);
  }
  table.caption = any_robustness ? "Under distortion: mean macro-F1 over every distortion family and severity."
                                 : "";
  return table;
}

Table pairwise_table(const json& results) {
  Table table;
  table.header = {"model A", "model B", "images", "only A right", "only B right", "exact p", "significant at 0.05"};
  const json* pairs = array_field(results, "pairwise");
  if (!pairs) return table;
  const json& models = models_of(results);
  auto named_cell = [&models](const std::optional<std::string>& name) {
    Cell cell = text_cell(name.value_or(kNone));
    for (size_t i = 0; i < models.size(); ++i)
      if (name && model_name(models[i], i) == *name) cell.swatch = series_colour(i);
    return cell;
  };
  for (const auto& p : *pairs) {
    auto n = number_field(p, "n");
    auto a_only = number_field(p, "a_only_correct");
    auto b_only = number_field(p, "b_only_correct");
    auto pv = number_field(p, "p_value");
    Row row{{named_cell(text_field(p, "a")), named_cell(text_field(p, "b")),
             number_cell(n ? format_thousands(std::llround(*n)) : kNone),
             number_cell(a_only ? format_thousands(std::llround(*a_only)) : kNone),
             number_cell(b_only ? format_thousands(std::llround(*b_only)) : kNone),
             number_cell(pv ? format_p_value(*pv) : kNone), text_cell(pv ? (*pv < 0.05 ? "yes" : "no") : kNone)}};
    if (pv && *pv < 0.05) row.cells.back().strong = true;
    table.rows.push_back(std::move(row));
  }
  table.caption =
      "McNemar's exact test on the images both models classified: only the discordant images (one model right, "
      "the other wrong) carry information. p < 0.05: the accuracies differ beyond chance.";
  return table;
}

Table per_class_table(const json& results, const json& model) {
  Table table;
  const json* eval = eval_of(model);
  if (!eval) return table;
  const json* per_class = object_field(*eval, "per_class");
  if (!per_class) return table;
  std::vector<std::string> classes = class_names(results, eval);
  for (const auto& c : per_class->items())
    if (std::find(classes.begin(), classes.end(), c.key()) == classes.end()) classes.push_back(c.key());
  const json* matrix = array_field(*eval, "confusion_matrix");
  std::vector<std::string> eval_classes = class_names(results, eval);

  table.header = {"class", "precision", "recall", "F1", "specificity", "support", "AUROC", "most confused with"};
  for (const auto& name : classes) {
    const json* stats = object_field(*per_class, name);
    if (!stats) continue;
    auto support = number_field(*stats, "support");
    // The largest off-diagonal count of the class's confusion-matrix row: its commonest mistake.
    std::string confused = kNone;
    auto position = std::find(eval_classes.begin(), eval_classes.end(), name) - eval_classes.begin();
    if (matrix && position < static_cast<long>(matrix->size()) && (*matrix)[position].is_array()) {
      const json& row = (*matrix)[position];
      double best = 0;
      for (size_t k = 0; k < row.size() && k < eval_classes.size(); ++k)
        if (static_cast<long>(k) != position && row[k].is_number() && row[k].get<double>() > best) {
          best = row[k].get<double>();
          confused = eval_classes[k] + " (" + format_thousands(std::llround(best)) + ")";
        }
    }
    table.rows.push_back(Row{{text_cell(name), metric_cell(number_field(*stats, "precision")),
                              metric_cell(number_field(*stats, "recall")), metric_cell(number_field(*stats, "f1")),
                              metric_cell(number_field(*stats, "specificity")),
                              number_cell(support ? format_thousands(std::llround(*support)) : kNone),
                              metric_cell(number_field(*stats, "auroc")), text_cell(confused)}});
  }
  return table;
}

Table robustness_table(const json& results) {
  Table table;
  std::vector<DistortionFamily> families = robustness_families(results);
  if (families.empty()) return table;
  const json& models = models_of(results);
  table.header = {"distortion", "model", "0 (clean)", "1", "2", "3", "4", "5", "mean 1–5"};
  for (const auto& family : families) {
    std::vector<Row> rows;
    std::vector<std::vector<std::optional<double>>> values;
    for (size_t m = 0; m < models.size(); ++m) {
      const json* eval = eval_of(models[m]);
      if (!eval) continue;
      std::vector<std::optional<double>> numbers(9);
      numbers[2] = number_field(*eval, "f1_macro");
      if (const json* sweep = array_field(*eval, "robustness"))
        for (const auto& r : *sweep) {
          auto severity = number_field(r, "severity");
          if (text_field(r, "distortion").value_or("") != family.name || !severity) continue;
          int s = static_cast<int>(*severity);
          if (s >= 1 && s <= 5) numbers[2 + s] = number_field(r, "f1_macro");
        }
      double sum = 0;
      int n = 0;
      for (int s = 1; s <= 5; ++s)
        if (numbers[2 + s]) sum += *numbers[2 + s], ++n;
      if (n == 0) continue;
      numbers[8] = sum / n;
      // The family names its group once, on the group's first row.
      Row row{{text_cell(rows.empty() ? family.name + (family.held_out ? " (held out)" : "") : ""),
               model_cell(models[m], m)},
              family.held_out ? RowStyle::held_out : RowStyle::normal};
      for (size_t c = 2; c < numbers.size(); ++c) row.cells.push_back(metric_cell(numbers[c]));
      rows.push_back(std::move(row));
      values.push_back(std::move(numbers));
    }
    // Bold: within a family, the model that holds up best at each severity.
    bold_best(rows, values, {3, 4, 5, 6, 7, 8});
    for (auto& row : rows) table.rows.push_back(std::move(row));
  }
  table.caption =
      "Macro-F1 on the test split with each distortion at severities 1 (mild) to 5 (severe); 0 is the clean test "
      "split. Bold: the model that holds up best at that severity. Held out: a family kept out of training, so it "
      "tests robustness to a corruption the model never saw.";
  return table;
}

Table calibration_table(const json& results) {
  Table table;
  table.header = {"model", "ECE", "ECE after temperature", "temperature", "fitted on"};
  const json& models = models_of(results);
  for (size_t i = 0; i < models.size(); ++i) {
    const json* eval = eval_of(models[i]);
    const json* calibration = eval ? object_field(*eval, "calibration") : nullptr;
    if (!calibration) continue;
    auto temperature = number_field(*calibration, "temperature");
    table.rows.push_back(Row{{model_cell(models[i], i), metric_cell(number_field(*calibration, "ece")),
                              metric_cell(number_field(*calibration, "ece_after_temperature")),
                              number_cell(temperature ? format_metric(*temperature) : kNone),
                              text_cell(text_field(*calibration, "fitted_on").value_or(kNone))}});
  }
  table.caption =
      "Expected calibration error (lower is better): the gap between confidence and accuracy, averaged over "
      "confidence bins. Temperature scaling divides the logits by one number fitted on held-out data; T < 1 "
      "means the model was under-confident, T > 1 over-confident.";
  return table;
}

Table trust_table(const json& results) {
  Table table;
  table.header = {"model", "error target", "accepted", "error among accepted", "AURC", "flagged for review"};
  const json& models = models_of(results);
  for (size_t i = 0; i < models.size(); ++i) {
    const json* eval = eval_of(models[i]);
    const json* trust = eval ? object_field(*eval, "trust") : nullptr;
    if (!trust) continue;
    const bool feasible = bool_field(*trust, "feasible").value_or(false);
    auto percent = [](std::optional<double> v) { return v ? format_metric(100 * *v) + " %" : std::string(kNone); };
    table.rows.push_back(Row{{model_cell(models[i], i), number_cell(percent(number_field(*trust, "max_error"))),
                              number_cell(feasible ? percent(number_field(*trust, "coverage")) : "none (no threshold meets it)"),
                              number_cell(feasible ? percent(number_field(*trust, "error")) : kNone),
                              metric_cell(number_field(*trust, "aurc")),
                              number_cell(percent(number_field(*trust, "flagged_share")))}});
  }
  table.caption =
      "A cell is accepted when its calibrated confidence reaches the threshold chosen on the validation split for the "
      "error target (selective classification); it is flagged for review when it is not accepted or when its features "
      "are farther from the training classes than 95 % of validation cells'. AURC: area under the risk-coverage curve of "
      "the confidence (lower is better).";
  return table;
}

Table ood_table(const json& results) {
  Table table;
  table.header = {"model", "out-of-distribution images", "set aside", "AUROC confidence", "AUROC margin", "AUROC energy",
                  "AUROC distance", "FPR@95 % TPR distance"};
  // One row per set of unseen images: the --ood data, then each distortion family of the
  // robustness sweep at its worst severity (the model's own test images, distorted).
  auto add_row = [&](Cell who, const json& ood, std::optional<double> n, std::optional<double> share) {
    std::map<std::string, const json*> by_score;
    for (const auto& o : ood)
      if (auto score = text_field(o, "score")) by_score[*score] = &o;
    auto field = [&](const char* score, const char* key) {
      return metric_cell(by_score.count(score) ? number_field(*by_score[score], key) : std::nullopt);
    };
    table.rows.push_back(Row{{std::move(who), number_cell(n ? format_thousands(std::llround(*n)) : kNone),
                              number_cell(share ? format_metric(100 * *share) + " %" : std::string(kNone)),
                              field("confidence", "auroc"), field("margin", "auroc"), field("energy", "auroc"),
                              field("distance", "auroc"), field("distance", "fpr_at_95_tpr")}});
  };
  const json& models = models_of(results);
  for (size_t i = 0; i < models.size(); ++i) {
    const json* eval = eval_of(models[i]);
    const json* trust = eval ? object_field(*eval, "trust") : nullptr;
    if (!trust) continue;
    const json* ood = array_field(*trust, "ood");
    if (ood && !ood->empty()) {
      Cell who = model_cell(models[i], i);
      if (auto data = text_field(*trust, "ood_data")) who.detail = *data;
      add_row(who, *ood, number_field(*trust, "ood_images"), number_field(*trust, "ood_flagged_share"));
    }
    if (const json* distorted = array_field(*trust, "distorted_ood"))
      for (const auto& d : *distorted) {
        const json* scores = array_field(d, "ood");
        if (!scores) continue;
        Cell who = model_cell(models[i], i);
        auto severity = number_field(d, "severity");
        who.detail = text_field(d, "distortion").value_or("?") + " at severity " +
                     (severity ? std::to_string(std::llround(*severity)) : std::string("?"));
        add_row(who, *scores, number_field(d, "images"), number_field(d, "flagged_share"));
      }
  }
  table.caption =
      "How well each score tells images the model never saw from its own test images: AUROC 1 separates them "
      "perfectly, 0.5 not at all, below 0.5 ranks the unseen images as more trustworthy. Set aside: the share of "
      "unseen images the review rule flags. Rows naming a distortion are the model's own test images at the "
      "robustness sweep's worst severity.";
  return table;
}

Table patient_level_table(const json& results) {
  Table table;
  table.header = {"model", "patients", "accuracy", "balanced accuracy", "F1 (macro)", "AUROC (macro)"};
  const json& models = models_of(results);
  for (size_t i = 0; i < models.size(); ++i) {
    const json* eval = eval_of(models[i]);
    const json* patients = eval ? object_field(*eval, "patient_level") : nullptr;
    if (!patients) continue;
    auto n = number_field(*patients, "n_patients");
    table.rows.push_back(Row{{model_cell(models[i], i), number_cell(n ? format_thousands(std::llround(*n)) : kNone),
                              metric_ci_cell(*patients, "accuracy"), metric_ci_cell(*patients, "balanced_accuracy"),
                              metric_ci_cell(*patients, "f1_macro"), metric_ci_cell(*patients, "auroc_macro")}});
  }
  table.caption = "Each patient's cells averaged into one prediction (mean class probability).";
  return table;
}

Table ablation_table(const json& ablation) {
  Table table;
  const json* strategies = array_field(ablation, "strategies");
  if (!strategies) return table;
  table.header = {"strategy", "clean macro-F1", "mean corrupted macro-F1", "held-out macro-F1", "mCE",
                  "training time", "inference time"};
  auto with_ci = [](const json& s, const std::string& key) -> Cell {
    auto v = number_field(s, key);
    return v ? value_ci_cell(*v, interval_field(s, key + "_ci")) : number_cell(kNone);
  };
  std::vector<std::vector<std::optional<double>>> values;
  for (size_t i = 0; i < strategies->size(); ++i) {
    const json& s = (*strategies)[i];
    table.rows.push_back(Row{{Cell{text_field(s, "name").value_or("strategy " + std::to_string(i + 1)), false, false,
                                   strategy_colour(i), ""},
                              with_ci(s, "clean_f1"), with_ci(s, "corrupted_f1"), with_ci(s, "held_out_f1"),
                              with_ci(s, "mce"), duration_cell(number_field(s, "train_seconds")),
                              duration_cell(number_field(s, "inference_seconds"))}});
    values.push_back({std::nullopt, number_field(s, "clean_f1"), number_field(s, "corrupted_f1"),
                      number_field(s, "held_out_f1"), number_field(s, "mce")});
  }
  bold_best(table.rows, values, {1, 2, 3});
  bold_best(table.rows, values, {4}, false);
  std::string baseline = text_field(ablation, "baseline").value_or("the baseline");
  table.caption = "Macro-F1 with 95 % CI where available. Mean corrupted: over every family and severity; held-out: "
                  "over the families no strategy trained on. mCE: corruption error summed over severities, relative "
                  "to " + baseline + ", averaged over families (ImageNet-C); below 1 is more robust than " + baseline +
                  ". Bold: the best per column.";
  return table;
}

Table runs_table(const json& results) {
  Table table;
  table.header = {"model", "run directory", "seed"};
  const json& models = models_of(results);
  for (size_t i = 0; i < models.size(); ++i) {
    auto seed = number_field(models[i], "seed");
    table.rows.push_back(Row{{model_cell(models[i], i), text_cell(text_field(models[i], "run").value_or(kNone)),
                              number_cell(seed ? format_plain_number(*seed) : kNone)}});
  }
  if (const json* ablation = object_field(results, "ablation"))
    if (const json* strategies = array_field(*ablation, "strategies"))
      for (const auto& s : *strategies)
        if (auto run = text_field(s, "run"))
          table.rows.push_back(Row{{text_cell("ablation: " + text_field(s, "name").value_or("?")), text_cell(*run),
                                    number_cell(kNone)}});
  return table;
}

}  // namespace leuko::report
