#include "report/report_sections.h"

#include <algorithm>
#include <cmath>

#include "report/json_fields.h"
#include "report/report_tables.h"
#include "report/results_view.h"
#include "report/text_format.h"

namespace leuko::report {

namespace {

namespace ids = section_ids;

// Adds a table unless it has no rows: absent data is skipped, not shown as an empty grid.
void add_table(Section& section, Table table) {
  if (!table.rows.empty()) section.blocks.emplace_back(std::move(table));
}

// Figures that exist, plus one "plot skipped" line for each that gnuplot failed on. When gnuplot
// is missing altogether the Summary says so once and the figures are silently absent.
void add_figures(Section& section, const PlotSet& plots, const std::vector<Figure>& wanted) {
  if (!plots.skipped_reason.empty() && !wanted.empty()) {
    section.blocks.emplace_back(Notice{"Figure not drawn: no plots in this report (see the Summary)."});
    return;
  }
  FigureGroup group;
  for (const auto& figure : wanted) {
    if (plots.has(figure.plot_name))
      group.figures.push_back(figure);
    else if (plots.failures.count(figure.plot_name))
      section.blocks.emplace_back(Notice{"plot skipped: " + figure.plot_name + ": " + plots.failures.at(figure.plot_name)});
  }
  if (!group.figures.empty()) section.blocks.emplace_back(std::move(group));
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
  return out;
}

std::vector<std::string> string_list(const json& object, const std::string& key) {
  std::vector<std::string> out;
  if (const json* list = array_field(object, key))
    for (const auto& item : *list) out.push_back(scalar_text(item));
  return out;
}

Section summary(const json& results, const PlotSet& plots) {
  Section section{ids::kSummary, "Summary", {}};
  if (!plots.skipped_reason.empty()) section.blocks.emplace_back(Notice{"plots skipped: " + plots.skipped_reason});
  const json& models = models_of(results);
  std::vector<std::string> names;
  for (size_t i = 0; i < models.size(); ++i) names.push_back(model_name(models[i], i));
  std::string intro = std::to_string(models.size()) + (models.size() == 1 ? " model" : " models") +
                      (names.empty() ? "" : " (" + join(names, ", ") + ")");
  if (const json* dataset = object_field(results, "dataset")) {
    std::vector<std::string> classes = string_list(*dataset, "classes");
    if (!classes.empty()) intro += " classifying " + std::to_string(classes.size()) + " classes (" + join(classes, ", ") + ")";
  }
  if (!models.empty())
    if (const json* eval = eval_of(models[0])) {
      auto n = number_field(*eval, "n");
      if (n) intro += ", evaluated on " + format_thousands(std::llround(*n)) + " " +
                      text_field(*eval, "split").value_or("test") + " images";
    }
  section.blocks.emplace_back(Paragraph{intro + "."});
  std::vector<std::string> findings = string_list(results, "findings");
  if (!findings.empty()) section.blocks.emplace_back(BulletList{findings});
  add_table(section, summary_table(results));
  return section;
}

Section dataset_section(const json& results) {
  Section section{ids::kDataset, "Dataset", {}};
  const json* dataset = object_field(results, "dataset");
  if (!dataset) {
    section.blocks.emplace_back(Paragraph{"No dataset description in the results."});
    return section;
  }
  FactList facts;
  if (auto root = text_field(*dataset, "root")) facts.facts.emplace_back("root", *root);
  if (auto layout = text_field(*dataset, "layout")) facts.facts.emplace_back("layout", *layout);
  std::vector<std::string> classes = string_list(*dataset, "classes");
  if (!classes.empty()) facts.facts.emplace_back("classes", join(classes, ", "));
  if (auto split_csv = text_field(*dataset, "split_csv")) facts.facts.emplace_back("split file", *split_csv);
  if (auto split = text_field(*dataset, "split_by")) {
    static const std::pair<const char*, const char*> kMeaning[] = {
        {"patient", "grouped by patient: no patient in two splits"},
        {"cluster", "grouped by near-duplicate cluster: no re-encoded copy of an image in two splits"},
        {"image", "by image: cells of one patient may sit in train and test (leaks)"},
        {"official", "the dataset's own split"},
        {"file", "read from a split file"}};
    std::string text = *split;
    for (const auto& m : kMeaning)
      if (*split == m.first) text += " (" + std::string(m.second) + ")";
    facts.facts.emplace_back("split", text);
  }
  if (const json* audit = object_field(*dataset, "leakage_audit")) {
    std::vector<std::string> parts;
    static const std::pair<const char*, const char*> kAudit[] = {
        {"groups_shared", "groups shared across splits"},
        {"patients_shared", "patients shared across splits"},
        {"near_duplicate_pairs_across", "near-duplicate pairs across splits"}};
    for (const auto& a : kAudit)
      if (auto n = number_field(*audit, a.first)) parts.push_back(format_thousands(std::llround(*n)) + " " + a.second);
    if (!parts.empty()) facts.facts.emplace_back("leakage audit", join(parts, "; "));
  }
  if (auto skipped = number_field(*dataset, "skipped_files"))
    facts.facts.emplace_back("skipped files", format_thousands(std::llround(*skipped)) +
                                                  (*skipped > 0 ? " (unreadable or not images; see data scan)" : ""));
  if (!facts.facts.empty()) section.blocks.emplace_back(std::move(facts));
  add_table(section, dataset_counts_table(*dataset));
  return section;
}

Section preprocessing_section(const json& results) {
  Section section{ids::kPreprocessing, "Preprocessing", {}};
  const json* pre = object_field(results, "preprocessing");
  if (!pre) {
    section.blocks.emplace_back(Paragraph{"No preprocessing description in the results."});
    return section;
  }
  FactList facts;
  static const std::pair<const char*, const char*> kLabels[] = {
      {"denoise", "denoising"},          {"crop_to_cell", "crop to the cell"}, {"crop_margin", "crop margin"},
      {"size", "image size"},            {"interpolation", "interpolation"},   {"normalise", "normalisation"},
      {"augment", "augmentation"}};
  for (const auto& label : kLabels)
    if (const json* value = field(*pre, label.first)) {
      std::string text = scalar_text(*value);
      if (std::string(label.first) == "size" && value->is_number()) text += " × " + text + " px";
      if (std::string(label.first) == "crop_margin" && value->is_number())
        text = format_plain_number(value->get<double>() * 100) + " % of the cell's box on each side";
      facts.facts.emplace_back(label.second, text);
    }
  // Keys a newer study adds still show, under their own name.
  for (const auto& item : pre->items()) {
    bool known = std::any_of(std::begin(kLabels), std::end(kLabels), [&](const auto& l) { return item.key() == l.first; });
    if (!known && !item.value().is_structured()) facts.facts.emplace_back(item.key(), scalar_text(item.value()));
  }
  section.blocks.emplace_back(std::move(facts));
  return section;
}

Section models_section(const json& results) {
  Section section{ids::kModels, "Models", {}};
  add_table(section, models_table(results));
  return section;
}

Section main_results_section(const json& results, const PlotSet& plots) {
  Section section{ids::kMainResults, "Main results", {}};
  add_table(section, main_results_table(results));
  add_figures(section, plots,
              {{plot_names::kMainMetrics,
                "Accuracy and macro precision, recall and F1 per model; whiskers: 95 % bootstrap CI. The axis "
                "starts above zero so that differences near 1 stay visible.",
                true}});
  return section;
}

Section pairwise_section(const json& results) {
  Section section{ids::kPairwise, "Pairwise comparison", {}};
  Table table = pairwise_table(results);
  if (table.rows.empty())
    section.blocks.emplace_back(Paragraph{"No pairwise tests in the results (fewer than two models evaluated on the same images)."});
  add_table(section, std::move(table));
  return section;
}

Section per_class_section(const json& results) {
  Section section{ids::kPerClass, "Per-class results", {}};
  const json& models = models_of(results);
  for (size_t i = 0; i < models.size(); ++i) {
    Table table = per_class_table(results, models[i]);
    if (table.rows.empty()) continue;
    if (section.blocks.empty())
      section.blocks.emplace_back(Paragraph{
          "Each class against the rest. Most confused with: the class it is most often mistaken for, with the "
          "number of its images predicted as that class (the largest off-diagonal count of its confusion-matrix row)."});
    section.blocks.emplace_back(Subheading{model_name(models[i], i)});
    section.blocks.emplace_back(std::move(table));
  }
  if (section.blocks.empty()) section.blocks.emplace_back(Paragraph{"No per-class metrics in the results."});
  return section;
}

Section training_curves_section(const PlotSet& plots) {
  Section section{ids::kTrainingCurves, "Training curves", {}};
  add_figures(section, plots,
              {{plot_names::kTrainingCurves,
                "Left: training and validation loss per epoch (log scale). Right: validation macro-F1; the circle "
                "marks the epoch whose weights were kept.",
                true}});
  return section;
}

Section per_model_figures(const json& results, const PlotSet& plots, const char* id, const char* title,
                          std::string (*stem)(const std::string&), const std::string& caption) {
  Section section{id, title, {}};
  const json& models = models_of(results);
  std::vector<std::string> model_id_list = model_ids(results);
  std::vector<Figure> figures;
  for (size_t i = 0; i < models.size(); ++i) figures.push_back({stem(model_id_list[i]), model_name(models[i], i), false});
  add_figures(section, plots, figures);
  if (!plots.svgs.empty() && !section.blocks.empty()) section.blocks.emplace_back(Paragraph{caption});
  return section;
}

Section robustness_section(const json& results, const PlotSet& plots) {
  Section section{ids::kRobustness, "Robustness", {}};
  Table table = robustness_table(results);
  if (table.rows.empty()) {
    section.blocks.emplace_back(Paragraph{"No robustness sweep in the results (evaluate with --distortions)."});
    return section;
  }
  add_figures(section, plots,
              {{plot_names::kRobustness,
                "Macro-F1 against distortion severity, one panel per family, one line per model; severity 0 is the "
                "clean test split. Shaded panels: families held out of training.",
                true}});
  section.blocks.emplace_back(std::move(table));
  return section;
}

Section calibration_section(const json& results) {
  Section section{ids::kCalibration, "Calibration", {}};
  Table table = calibration_table(results);
  if (table.rows.empty()) section.blocks.emplace_back(Paragraph{"No calibration figures in the results."});
  add_table(section, std::move(table));
  return section;
}

Section ablation_section(const json& ablation, const PlotSet& plots) {
  Section section{ids::kAblation, "Distortion-handling ablation", {}};
  FactList facts;
  if (auto model = text_field(ablation, "model")) facts.facts.emplace_back("model", *model);
  if (auto baseline = text_field(ablation, "baseline")) facts.facts.emplace_back("baseline strategy", *baseline);
  std::vector<std::string> trained = string_list(ablation, "trained_families");
  std::vector<std::string> held = string_list(ablation, "held_out_families");
  if (!trained.empty()) facts.facts.emplace_back("families seen in training", join(trained, ", "));
  if (!held.empty()) facts.facts.emplace_back("families held out", join(held, ", "));
  if (!facts.facts.empty()) section.blocks.emplace_back(std::move(facts));
  add_table(section, ablation_table(ablation));
  if (const json* strategies = array_field(ablation, "strategies")) {
    FactList descriptions;
    for (const auto& s : *strategies)
      if (auto description = text_field(s, "description"))
        descriptions.facts.emplace_back(text_field(s, "name").value_or("?"), *description);
    if (!descriptions.facts.empty()) {
      section.blocks.emplace_back(Subheading{"Strategies"});
      section.blocks.emplace_back(std::move(descriptions));
    }
  }
  add_figures(section, plots,
              {{plot_names::kAblationRobustness,
                "Mean macro-F1 over distortion families against severity, one line per strategy (severity 0: clean).",
                true},
               {plot_names::kAblationBars,
                "Clean, mean corrupted and held-out-family macro-F1 per strategy; whiskers: 95 % CI where known.",
                true}});
  std::vector<std::string> findings = string_list(ablation, "findings");
  if (!findings.empty()) {
    section.blocks.emplace_back(Subheading{"Findings"});
    section.blocks.emplace_back(BulletList{findings});
  }
  return section;
}

Section reproducibility_section(const json& results) {
  Section section{ids::kReproducibility, "Reproducibility", {}};
  FactList facts;
  static const std::pair<const char*, const char*> kFacts[] = {{"leukoscope_version", "leukoscope version"},
                                                               {"git_commit", "git commit"},
                                                               {"generated", "generated"},
                                                               {"command", "command"},
                                                               {"schema", "results schema"}};
  for (const auto& f : kFacts)
    if (auto text = text_field(results, f.first)) facts.facts.emplace_back(f.second, *text);
  if (!facts.facts.empty()) section.blocks.emplace_back(std::move(facts));
  add_table(section, runs_table(results));
  return section;
}

bool any_patient_level(const json& results) {
  for (const auto& model : models_of(results))
    if (const json* eval = eval_of(model))
      // evaluate writes {"available": false, "reason": ...} on data without patient ids: no section then.
      if (const json* p = object_field(*eval, "patient_level"); p && p->value("available", true)) return true;
  return false;
}

}  // namespace

Document build_document(const json& results, const PlotSet& plots) {
  Document document;
  document.title = text_field(results, "title").value_or("leukoscope report");
  if (auto generated = text_field(results, "generated")) document.byline.push_back("generated " + *generated);
  if (auto version = text_field(results, "leukoscope_version")) document.byline.push_back("leukoscope " + *version);
  if (auto commit = text_field(results, "git_commit")) document.byline.push_back("commit " + *commit);

  auto& s = document.sections;
  s.push_back(summary(results, plots));
  s.push_back(dataset_section(results));
  s.push_back(preprocessing_section(results));
  s.push_back(models_section(results));
  s.push_back(main_results_section(results, plots));
  s.push_back(pairwise_section(results));
  s.push_back(per_class_section(results));
  s.push_back(training_curves_section(plots));
  s.push_back(per_model_figures(results, plots, ids::kConfusion, "Confusion matrices", plot_names::confusion,
                                "Rows: true class; columns: predicted class. Numbers are image counts; the colour "
                                "is the share of the true class, so rare classes read as clearly as common ones."));
  s.push_back(per_model_figures(results, plots, ids::kRoc, "ROC curves", plot_names::roc,
                                "One-vs-rest ROC curve per class, with its area under the curve (AUC). Where every AUC "
                                "is above 0.9 an inset magnifies the top-left corner, where the curves crowd together."));
  s.push_back(robustness_section(results, plots));
  s.push_back(calibration_section(results));
  if (!trust_table(results).rows.empty()) {
    Section section{ids::kTrust, "Knowing when not to trust a prediction", {}};
    add_table(section, trust_table(results));
    Table ood = ood_table(results);
    if (!ood.rows.empty()) {
      section.blocks.emplace_back(Subheading{"Images the models never saw"});
      add_table(section, std::move(ood));
    }
    s.push_back(std::move(section));
  }
  if (any_patient_level(results)) {
    Section section{ids::kPatientLevel, "Patient-level results", {}};
    add_table(section, patient_level_table(results));
    s.push_back(std::move(section));
  }
  if (const json* ablation = object_field(results, "ablation")) s.push_back(ablation_section(*ablation, plots));
  s.push_back(reproducibility_section(results));

  // Sections whose data or plots are all absent still appear (stable ids), saying so.
  for (auto& section : s)
    if (section.blocks.empty()) section.blocks.emplace_back(Paragraph{"Nothing to show: the results have no data for this section."});
  return document;
}

}  // namespace leuko::report
