#include "report/plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "report/json_fields.h"
#include "report/palette.h"
#include "report/plot_layout.h"
#include "report/results_view.h"
#include "report/text_format.h"

namespace leuko::report {

namespace {

struct PlotJob {
  std::string stem;
  std::string body;
  int width = 0, height = 0;
};

// Axis tics from names: ('Benign' 0, 'Early' 1, ...).
std::string tic_list(const std::vector<std::string>& names) {
  std::string out = "(";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + gnuplot_quote(names[i]) + " " + std::to_string(i);
  return out + ")";
}

LegendEntry line_entry(const std::string& colour, const std::string& title, const std::string& extra = "") {
  return {"with lines lw 2 " + extra + " lc " + gp_colour(colour), title};
}

std::optional<PlotJob> training_curves(const json& results) {
  std::ostringstream data, loss_plot, f1_plot;
  std::vector<LegendEntry> legend;
  int series = 0;
  bool any_best = false;
  const json& models = models_of(results);
  for (size_t i = 0; i < models.size(); ++i) {
    const json* curves = array_field(models[i], "curves");
    if (!curves || curves->empty()) continue;
    const std::string block = "$curves" + std::to_string(i);
    std::optional<double> best_epoch = number_field(models[i], "best_epoch");
    std::optional<std::pair<double, double>> best_point;
    data << block << " << EOD\n";
    for (const auto& row : *curves) {
      std::optional<double> epoch = number_field(row, "epoch");
      if (!epoch) continue;
      std::optional<double> f1 = number_field(row, "val_f1_macro");
      // Epochs are stored from 0 (as log.jsonl counts them) and shown from 1, as `train` prints.
      data << gp_number(*epoch + 1) << " " << gp_number(number_field(row, "train_loss")) << " "
           << gp_number(number_field(row, "val_loss")) << " " << gp_number(f1) << "\n";
      if (best_epoch && f1 && *best_epoch == *epoch) best_point = std::make_pair(*epoch + 1, *f1);
    }
    data << "EOD\n";
    if (best_point)
      data << block << "best << EOD\n" << gp_number(best_point->first) << " " << gp_number(best_point->second) << "\nEOD\n";
    const std::string colour = gp_colour(series_colour(i));
    loss_plot << (series ? ", " : "") << block << " using 1:2 with lines lw 2 lc " << colour << ", " << block
              << " using 1:3 with lines lw 2 dt (5,3) lc " << colour;
    f1_plot << (series ? ", " : "") << block << " using 1:4 with linespoints lw 2 pt 7 ps 0.45 lc " << colour;
    if (best_point) f1_plot << ", " << block << "best using 1:2 with points pt 6 ps 2 lw 1.5 lc " << colour;
    any_best = any_best || best_point.has_value();
    legend.push_back(line_entry(series_colour(i), model_name(models[i], i)));
    ++series;
  }
  if (series == 0) return std::nullopt;
  legend.push_back(line_entry("#555555", "train loss"));
  legend.push_back(line_entry("#555555", "validation loss", "dt (5,3)"));
  if (any_best) legend.push_back({"with points pt 6 ps 2 lw 1.5 lc rgb '#555555'", "best epoch"});

  PanelGrid grid;
  grid.width = 1060, grid.columns = 2, grid.column_gap = 90;
  grid.set_legend(legend);
  grid.height = 400 + grid.legend_height();
  std::ostringstream body;
  body << data.str() << "set multiplot\n"
       << "set xlabel 'epoch'\nset mxtics\n" << grid.place(0, 0)
       << "set logscale y\nset ylabel 'cross-entropy loss (log scale)'\nset format y '%g'\n"
       << "set title 'Loss per epoch'\n"
       << "plot " << loss_plot.str() << "\n"
       << "unset logscale y\nset format y '%.2f'\n" << grid.place(0, 1)
       << "set title 'Validation macro-F1 per epoch'\nset ylabel 'macro-F1'\nset yrange [*:1.02]\n"
       << "plot " << f1_plot.str() << "\n"
       << grid.legend() << "unset multiplot\n";
  return PlotJob{plot_names::kTrainingCurves, body.str(), grid.width, grid.height};
}

std::optional<PlotJob> confusion_matrix(const json& results, const json& model, size_t index, const std::string& id) {
  const json* eval = eval_of(model);
  if (!eval) return std::nullopt;
  const json* matrix = array_field(*eval, "confusion_matrix");
  if (!matrix || matrix->empty()) return std::nullopt;
  std::vector<std::string> names = class_names(results, eval);
  const size_t n = matrix->size();
  if (names.size() != n) {
    names.clear();
    for (size_t k = 0; k < n; ++k) names.push_back("class " + std::to_string(k));
  }
  std::ostringstream body;
  body << "$cm << EOD\n";
  for (size_t t = 0; t < n; ++t) {
    const json& row = (*matrix)[t];
    if (!row.is_array() || row.size() != n) return std::nullopt;
    double total = 0;
    for (const auto& v : row) total += v.is_number() ? v.get<double>() : 0;
    for (size_t p = 0; p < n; ++p) {
      double count = row[p].is_number() ? row[p].get<double>() : 0;
      body << p << " " << t << " " << gp_number(count) << " " << gp_number(total > 0 ? count / total : 0) << "\n";
    }
  }
  body << "EOD\n";
  size_t longest = 0;
  for (const auto& name : names) longest = std::max(longest, name.size());
  const bool rotate = longest * n > 32;
  const int label_font = n <= 5 ? 13 : n <= 8 ? 11 : 9;
  // Colour: the share of the true class (rows differ in size), in the model's own colour; the
  // number written in the cell is the raw count.
  body << "unset grid\nset border 15 lc rgb '#bbbbbb'\nset tics scale 0\nunset colorbox\n"
       << "set size ratio 1\n"
       << "set xrange [-0.5:" << n - 0.5 << "]\nset yrange [" << n - 0.5 << ":-0.5]\n"
       << "set xtics " << tic_list(names) << (rotate ? " rotate by 30 right" : "") << "\n"
       << "set ytics " << tic_list(names) << "\n"
       << "set xlabel 'predicted class'\nset ylabel 'true class'\n"
       << "set title " << gnuplot_quote(model_name(model, index)) << "\n"
       << "set palette defined (0 '#ffffff', 1 " << gnuplot_quote(series_colour(index)) << ")\n"
       << "set cbrange [0:1]\n"
       << "plot $cm using 1:2:4 with image pixels, "
       << "$cm using 1:2:(sprintf('%d', $3)):($4 > 0.5 ? 0xffffff : 0x222222) with labels tc rgb variable font '," << label_font
       << "'\n";
  return PlotJob{plot_names::confusion(id), body.str(), 380, 370};
}

std::optional<PlotJob> roc_curves(const json& results, const json& model, size_t index, const std::string& id) {
  const json* roc = object_field(model, "roc");
  if (!roc || roc->empty()) return std::nullopt;
  const json* eval = eval_of(model);
  const json* per_class = eval ? object_field(*eval, "per_class") : nullptr;
  std::vector<std::string> order = class_names(results, eval);
  for (const auto& item : roc->items())
    if (std::find(order.begin(), order.end(), item.key()) == order.end()) order.push_back(item.key());

  std::ostringstream data, plot;
  std::vector<LegendEntry> legend;
  const std::string colour = series_colour(index);
  // A model's classes in shades of the model's colour, told apart by dash pattern as well.
  static const char* const kDashes[] = {"1", "(7,3)", "(2,2)", "(9,3,2,3)", "(4,4)", "(12,3,3,3,3,3)"};
  static const double kShades[] = {-0.45, 0.0, 0.4, -0.7, 0.6, 0.2};
  int drawn = 0;
  double worst_auc = 1.0;
  for (const auto& name : order) {
    const json* points = array_field(*roc, name);
    if (!points || points->empty()) continue;
    const std::string block = "$roc" + std::to_string(drawn);
    data << block << " << EOD\n";
    for (const auto& p : *points)
      if (p.is_array() && p.size() >= 2 && p[0].is_number() && p[1].is_number())
        data << gp_number(p[0].get<double>()) << " " << gp_number(p[1].get<double>()) << "\n";
    data << "EOD\n";
    std::string title = name;
    if (per_class)
      if (const json* stats = object_field(*per_class, name))
        if (auto auc = number_field(*stats, "auroc")) {
          title += " (AUC " + format_metric(*auc) + ")";
          worst_auc = std::min(worst_auc, *auc);
        }
    const std::string style = std::string("with lines lw 2 dt ") + kDashes[drawn % 6] + " lc " +
                              gp_colour(shade(colour, kShades[drawn % 6]));
    plot << (drawn ? ", " : "") << block << " using 1:2 " << style;
    legend.push_back({style, title});
    ++drawn;
  }
  if (drawn == 0) return std::nullopt;
  PanelGrid grid;
  grid.width = 380, grid.left = 58, grid.right = 18, grid.top = 34, grid.bottom = 50;
  grid.set_legend(legend);
  grid.height = 390 + grid.legend_height();
  std::ostringstream body;
  body << data.str() << "set multiplot\n" << grid.place(0, 0) << "set xrange [0:1]\nset yrange [0:1]\n"
       << "set xtics 0.2 format '%.1f'\nset ytics 0.2 format '%.1f'\n"
       << "set xlabel 'false positive rate'\nset ylabel 'true positive rate'\n"
       << "set title " << gnuplot_quote(model_name(model, index)) << "\n"
       << "set arrow 1 from 0,0 to 1,1 nohead dt (3,3) lc rgb '#aaaaaa'\n"
       << "plot " << plot.str() << "\n";
  // Good classifiers hug the top-left corner; an inset magnifies it so the classes can be told
  // apart. With a weak classifier the corner is empty and the inset would cover the curves.
  if (worst_auc >= 0.9) {
    const PanelGrid::Area a = grid.area(0, 0);
    const double w = a.right - a.left, h = a.top - a.bottom;
    body << "unset arrow 1\nunset title\nunset xlabel\nunset ylabel\n"
         << "set lmargin at screen " << gp_number(a.left + 0.4 * w) << "\nset rmargin at screen "
         << gp_number(a.left + 0.95 * w) << "\n"
         << "set bmargin at screen " << gp_number(a.bottom + 0.1 * h) << "\nset tmargin at screen "
         << gp_number(a.bottom + 0.62 * h) << "\n"
         << "set xrange [0:0.1]\nset yrange [0.9:1]\nset xtics 0.05 format '%.2f' font ',9'\n"
         << "set ytics 0.05 format '%.2f' font ',9'\nset border 15 lc rgb '#888888'\n"
         << "set object 1 rectangle from graph 0,0 to graph 1,1 behind fc rgb '#ffffff' fs solid noborder\n"
         << "set label 1 'corner, magnified' at graph 0.97, graph 0.08 right font ',9' tc rgb '#666666'\n"
         << "plot " << plot.str() << "\nunset label 1\n";
  }
  body << grid.legend() << "unset multiplot\n";
  return PlotJob{plot_names::roc(id), body.str(), grid.width, grid.height};
}

// Macro-F1 of one model on one family at severities 0..5 (0: the clean eval.f1_macro).
std::vector<std::optional<double>> severity_curve(const json& model, const std::string& family) {
  std::vector<std::optional<double>> curve(6);
  const json* eval = eval_of(model);
  if (!eval) return curve;
  curve[0] = number_field(*eval, "f1_macro");
  if (const json* rows = array_field(*eval, "robustness"))
    for (const auto& row : *rows) {
      auto severity = number_field(row, "severity");
      if (text_field(row, "distortion").value_or("") != family || !severity) continue;
      int s = static_cast<int>(*severity);
      if (s >= 1 && s <= 5) curve[s] = number_field(row, "f1_macro");
    }
  return curve;
}

const char* const kHeldOutFill =
    "set object 1 rectangle from graph 0,0 to graph 1,1 behind fc rgb '#fff1df' fs solid noborder\n";
const char* const kHeldOutTitleColour = " tc rgb '#9a4a00'";

std::optional<PlotJob> robustness(const json& results) {
  std::vector<DistortionFamily> families = robustness_families(results);
  if (families.empty()) return std::nullopt;
  const json& models = models_of(results);
  PanelGrid grid;
  grid.columns = static_cast<int>(std::min<size_t>(4, families.size()));
  grid.rows = static_cast<int>((families.size() + grid.columns - 1) / grid.columns);
  grid.width = 1060, grid.left = 64, grid.column_gap = 26;
  std::vector<LegendEntry> legend;
  for (size_t m = 0; m < models.size(); ++m)
    legend.push_back({"with linespoints lw 2 pt 7 ps 0.6 lc " + gp_colour(series_colour(m)), model_name(models[m], m)});
  grid.set_legend(legend);
  grid.height = 96 + 230 * grid.rows + grid.legend_height();
  std::ostringstream body;
  double lowest = 1.0;
  for (size_t f = 0; f < families.size(); ++f)
    for (size_t m = 0; m < models.size(); ++m) {
      auto curve = severity_curve(models[m], families[f].name);
      body << "$r" << f << "_" << m << " << EOD\n";
      for (int s = 0; s <= 5; ++s) {
        body << s << " " << gp_number(curve[s]) << "\n";
        if (curve[s]) lowest = std::min(lowest, *curve[s]);
      }
      body << "EOD\n";
    }
  body << "set multiplot\nset xrange [-0.3:5.3]\nset xtics 0,1,5\n"
       << "set yrange [" << gp_number(tidy_floor(lowest - 0.02, 0.1)) << ":1.02]\n";
  for (size_t f = 0; f < families.size(); ++f) {
    const int row = static_cast<int>(f) / grid.columns, column = static_cast<int>(f) % grid.columns;
    const bool held = families[f].held_out;
    body << grid.place(row, column)
         << "set title " << gnuplot_quote(families[f].name + (held ? " (held out)" : ""))
         << (held ? kHeldOutTitleColour : " tc rgb '#111111'") << "\n"
         << (held ? kHeldOutFill : "unset object 1\n")
         << (column == 0 ? "set ylabel 'macro-F1'\nset format y '%.1f'\n" : "unset ylabel\nset format y ''\n")
         << (row == grid.rows - 1 || f + grid.columns >= families.size() ? "set xlabel 'severity (0 = clean)'\n"
                                                                          : "unset xlabel\n")
         << "plot ";
    for (size_t m = 0; m < models.size(); ++m)
      body << (m ? ", " : "") << "$r" << f << "_" << m << " using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc "
           << gp_colour(series_colour(m));
    body << "\n";
  }
  body << grid.legend() << "unset multiplot\n";
  return PlotJob{plot_names::kRobustness, body.str(), grid.width, grid.height};
}

std::optional<PlotJob> main_metrics(const json& results) {
  static const std::pair<const char*, const char*> kMetrics[] = {
      {"accuracy", "accuracy"}, {"precision_macro", "precision (macro)"},
      {"recall_macro", "recall (macro)"}, {"f1_macro", "F1 (macro)"}};
  std::vector<std::string> groups;
  for (const auto& m : kMetrics) groups.push_back(m.second);
  std::vector<BarSeries> series;
  const json& models = models_of(results);
  for (size_t i = 0; i < models.size(); ++i) {
    const json* eval = eval_of(models[i]);
    if (!eval) continue;
    BarSeries s{model_name(models[i], i), series_colour(i), {}, {}};
    const json* ci = object_field(*eval, "ci95");
    bool any = false;
    for (const auto& m : kMetrics) {
      s.values.push_back(number_field(*eval, m.first));
      s.intervals.push_back(ci ? interval_field(*ci, m.first) : std::nullopt);
      any = any || s.values.back().has_value();
    }
    if (any) series.push_back(std::move(s));
  }
  if (series.empty()) return std::nullopt;
  return PlotJob{plot_names::kMainMetrics,
                 bar_chart_script("Test-set metrics, 95 % confidence intervals", groups, series, "score"), 1000, 400};
}

std::string strategy_name(const json& strategy, size_t index) {
  return text_field(strategy, "name").value_or("strategy " + std::to_string(index + 1));
}

std::optional<PlotJob> ablation_robustness(const json& ablation) {
  const json* strategies = array_field(ablation, "strategies");
  if (!strategies || strategies->empty()) return std::nullopt;
  std::set<std::string> held_out;
  if (const json* list = array_field(ablation, "held_out_families"))
    for (const auto& f : *list) held_out.insert(scalar_text(f));
  // Two panels when some families were held out: the mean over all families, and over the
  // held-out ones alone (the honest test of a strategy that trained on the others).
  std::ostringstream data, all_plot, held_plot;
  std::vector<LegendEntry> legend;
  double lowest = 1.0;
  bool any_held_rows = false;
  for (size_t i = 0; i < strategies->size(); ++i) {
    const json& s = (*strategies)[i];
    std::vector<double> sum_all(6, 0), sum_held(6, 0);
    std::vector<int> n_all(6, 0), n_held(6, 0);
    if (const json* rows = array_field(s, "robustness"))
      for (const auto& row : *rows) {
        auto severity = number_field(row, "severity");
        auto f1 = number_field(row, "f1_macro");
        if (!severity || !f1) continue;
        int sev = static_cast<int>(*severity);
        if (sev < 1 || sev > 5) continue;
        sum_all[sev] += *f1, ++n_all[sev];
        if (bool_field(row, "held_out").value_or(false) || held_out.count(text_field(row, "distortion").value_or("")))
          sum_held[sev] += *f1, ++n_held[sev];
      }
    std::optional<double> clean = number_field(s, "clean_f1");
    data << "$a" << i << " << EOD\n";
    bool any = false;
    for (int sev = 0; sev <= 5; ++sev) {
      auto mean = [&](const std::vector<double>& sum, const std::vector<int>& n) -> std::optional<double> {
        if (sev == 0) return clean;
        return n[sev] ? std::optional<double>(sum[sev] / n[sev]) : std::nullopt;
      };
      std::optional<double> all = mean(sum_all, n_all), held = mean(sum_held, n_held);
      for (auto v : {all, held})
        if (v) lowest = std::min(lowest, *v);
      any = any || (sev > 0 && all);
      any_held_rows = any_held_rows || (sev > 0 && held);
      data << sev << " " << gp_number(all) << " " << gp_number(held) << "\n";
    }
    data << "EOD\n";
    if (!any) continue;
    const std::string style = " with linespoints lw 2 pt 7 ps 0.6 lc " + gp_colour(strategy_colour(i));
    all_plot << (legend.empty() ? "" : ", ") << "$a" << i << " using 1:2" << style;
    held_plot << (legend.empty() ? "" : ", ") << "$a" << i << " using 1:3" << style;
    legend.push_back({style, strategy_name(s, i)});
  }
  if (legend.empty()) return std::nullopt;
  PanelGrid grid;
  grid.columns = any_held_rows ? 2 : 1;
  grid.width = any_held_rows ? 1060 : 700, grid.column_gap = 90;
  grid.set_legend(legend);
  grid.height = 400 + grid.legend_height();
  std::ostringstream body;
  body << data.str() << "set multiplot\nset xrange [-0.3:5.3]\nset xtics 0,1,5\nset xlabel 'severity (0 = clean)'\n"
       << "set yrange [" << gp_number(tidy_floor(lowest - 0.02, 0.1)) << ":1.02]\nset format y '%.1f'\n"
       << "set ylabel 'mean macro-F1 over families'\n"
       << grid.place(0, 0) << "set title 'All distortion families'\nplot " << all_plot.str() << "\n";
  if (any_held_rows)
    body << grid.place(0, 1) << "set title 'Held-out families only'" << kHeldOutTitleColour << "\n"
         << kHeldOutFill << "plot " << held_plot.str() << "\n";
  body << grid.legend() << "unset multiplot\n";
  return PlotJob{plot_names::kAblationRobustness, body.str(), grid.width, grid.height};
}

std::optional<PlotJob> ablation_bars(const json& ablation) {
  const json* strategies = array_field(ablation, "strategies");
  if (!strategies || strategies->empty()) return std::nullopt;
  std::vector<std::string> groups = {"clean", "mean corrupted"};
  bool any_held = false;
  for (const auto& s : *strategies) any_held = any_held || number_field(s, "held_out_f1").has_value();
  if (any_held) groups.push_back("held-out families");
  std::vector<BarSeries> series;
  for (size_t i = 0; i < strategies->size(); ++i) {
    const json& s = (*strategies)[i];
    BarSeries bars{strategy_name(s, i), strategy_colour(i), {}, {}};
    bars.values = {number_field(s, "clean_f1"), number_field(s, "corrupted_f1")};
    bars.intervals = {interval_field(s, "clean_f1_ci"), interval_field(s, "corrupted_f1_ci")};
    if (any_held) {
      bars.values.push_back(number_field(s, "held_out_f1"));
      bars.intervals.push_back(interval_field(s, "held_out_f1_ci"));
    }
    if (bars.values[0] || bars.values[1]) series.push_back(std::move(bars));
  }
  if (series.empty()) return std::nullopt;
  return PlotJob{plot_names::kAblationBars,
                 bar_chart_script("Macro-F1 per strategy, 95 % confidence intervals", groups, series, "macro-F1"), 1000,
                 400};
}

}  // namespace

std::vector<std::string> model_ids(const json& results) {
  std::vector<std::string> ids;
  std::set<std::string> taken;
  const json& models = models_of(results);
  for (size_t i = 0; i < models.size(); ++i) {
    std::string base = slug(model_name(models[i], i)), id = base;
    for (int k = 2; taken.count(id); ++k) id = base + "-" + std::to_string(k);
    taken.insert(id);
    ids.push_back(id);
  }
  return ids;
}

std::vector<DistortionFamily> robustness_families(const json& results) {
  std::vector<DistortionFamily> families;
  auto note = [&families](const std::string& name, bool held_out) {
    for (auto& f : families)
      if (f.name == name) {
        f.held_out = f.held_out || held_out;
        return;
      }
    families.push_back({name, held_out});
  };
  for (const auto& model : models_of(results)) {
    const json* eval = eval_of(model);
    const json* rows = eval ? array_field(*eval, "robustness") : nullptr;
    if (!rows) continue;
    for (const auto& row : *rows)
      if (auto name = text_field(row, "distortion")) note(*name, bool_field(row, "held_out").value_or(false));
  }
  if (const json* ablation = object_field(results, "ablation"))
    if (const json* list = array_field(*ablation, "held_out_families"))
      for (const auto& f : *list)
        for (auto& known : families)
          if (known.name == scalar_text(f)) known.held_out = true;
  return families;
}

PlotSet render_plots(const json& results, const GnuplotRunner& gnuplot) {
  std::vector<std::string> ids = model_ids(results);
  std::vector<std::optional<PlotJob>> jobs;
  jobs.push_back(training_curves(results));
  jobs.push_back(main_metrics(results));
  const json& models = models_of(results);
  for (size_t i = 0; i < models.size(); ++i) jobs.push_back(confusion_matrix(results, models[i], i, ids[i]));
  for (size_t i = 0; i < models.size(); ++i) jobs.push_back(roc_curves(results, models[i], i, ids[i]));
  jobs.push_back(robustness(results));
  if (const json* ablation = object_field(results, "ablation")) {
    jobs.push_back(ablation_robustness(*ablation));
    jobs.push_back(ablation_bars(*ablation));
  }

  PlotSet plots;
  for (const auto& job : jobs) {
    if (!job) continue;
    GnuplotOutcome outcome = gnuplot.render(job->body, job->width, job->height);
    if (outcome.ok) {
      plots.svgs[job->stem] = std::move(outcome.svg);
      continue;
    }
    if (outcome.program_missing) {
      plots.svgs.clear();
      plots.failures.clear();
      plots.skipped_reason = outcome.error;
      std::cerr << "warning: report: plots skipped: " << outcome.error << "\n";
      return plots;
    }
    plots.failures[job->stem] = outcome.error;
    std::cerr << "warning: report: plot " << job->stem << " skipped: " << outcome.error << "\n";
  }
  return plots;
}

}  // namespace leuko::report
