// The report renderer on fixtures assembled from real runs (tests/report/fixtures/make_fixture.py:
// the three small presets trained on the Aria leukemia set): every section in both formats, a
// self-contained HTML page, one inline SVG per plot file, the right numbers in bold, escaping,
// and a report that survives a missing or failing gnuplot.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/test_paths.h"
#include "report/render_report.h"
#include "report/text_format.h"

namespace leuko {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json load_fixture(const std::string& name) {
  return json::parse(read_file_to_string(std::string(LEUKO_SOURCE_DIR) + "/tests/report/fixtures/" + name));
}

struct Rendered {
  std::string html, markdown;
  std::vector<std::string> plot_files;  // stems of plots/*.svg
};

Rendered render(const json& results, const std::string& dir, const RenderOptions& options = {}) {
  render_report(results, dir, options);
  Rendered r{read_file_to_string(dir + "/report.html"), read_file_to_string(dir + "/report.md"), {}};
  if (fs::is_directory(dir + "/plots"))
    for (const auto& entry : fs::directory_iterator(dir + "/plots"))
      if (entry.path().extension() == ".svg") r.plot_files.push_back(entry.path().stem().string());
  return r;
}

bool gnuplot_installed() {
  for (const char* dir : {"/usr/bin/", "/usr/local/bin/", "/bin/"})
    if (::access((std::string(dir) + "gnuplot").c_str(), X_OK) == 0) return true;
  return false;
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// The HTML from a section's <h2> to the next one.
std::string html_section(const std::string& html, const std::string& id) {
  size_t start = html.find("<h2 id=\"" + id + "\">");
  if (start == std::string::npos) return "";
  size_t end = html.find("<h2 ", start + 1);
  return html.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string markdown_section(const std::string& md, const std::string& title) {
  size_t start = md.find("\n## " + title + "\n");
  if (start == std::string::npos) return "";
  size_t end = md.find("\n## ", start + 1);
  return md.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The <td> cells of the first table row in `html` whose first cell mentions `first_cell`.
std::vector<std::string> html_row(const std::string& html, const std::string& first_cell) {
  static const std::regex kRow("<tr[^>]*>(.*?)</tr>");
  static const std::regex kCell("<td[^>]*>(.*?)</td>");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), kRow); it != std::sregex_iterator(); ++it) {
    std::string row = (*it)[1];
    std::vector<std::string> cells;
    for (auto c = std::sregex_iterator(row.begin(), row.end(), kCell); c != std::sregex_iterator(); ++c)
      cells.push_back((*c)[1]);
    if (!cells.empty() && cells[0].find(first_cell) != std::string::npos) return cells;
  }
  return {};
}

std::vector<std::string> markdown_row(const std::string& md, const std::string& first_cell) {
  std::istringstream in(md);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| " + first_cell + " |", 0) != 0) continue;
    std::vector<std::string> cells;
    size_t at = 1;
    while (at < line.size()) {
      size_t next = line.find(" |", at);
      if (next == std::string::npos) break;
      cells.push_back(line.substr(at + 1, next - at - 1));
      at = next + 2;
    }
    return cells;
  }
  return {};
}

const std::vector<std::pair<std::string, std::string>> kAlwaysSections = {
    {"summary", "Summary"},
    {"dataset", "Dataset"},
    {"preprocessing", "Preprocessing"},
    {"models", "Models"},
    {"main-results", "Main results"},
    {"pairwise-comparison", "Pairwise comparison"},
    {"per-class-results", "Per-class results"},
    {"training-curves", "Training curves"},
    {"confusion-matrices", "Confusion matrices"},
    {"roc-curves", "ROC curves"},
    {"robustness", "Robustness"},
    {"calibration", "Calibration"},
    {"reproducibility", "Reproducibility"},
};

void expect_sections_in_order(const Rendered& r, std::vector<std::pair<std::string, std::string>> sections) {
  size_t html_at = 0, md_at = 0;
  for (const auto& [id, title] : sections) {
    size_t h = r.html.find("<h2 id=\"" + id + "\">" + title + "</h2>");
    size_t m = r.markdown.find("\n## " + title + "\n");
    ASSERT_NE(h, std::string::npos) << "HTML lacks section " << id;
    ASSERT_NE(m, std::string::npos) << "Markdown lacks section " << title;
    EXPECT_GT(h, html_at) << id << " out of order in the HTML";
    EXPECT_GT(m, md_at) << title << " out of order in the Markdown";
    html_at = h, md_at = m;
    EXPECT_NE(r.html.find("href=\"#" + id + "\""), std::string::npos) << "table of contents lacks " << id;
  }
}

TEST(RenderReport, EverySectionInBothFormatsAndOptionalOnesOnlyWithTheirData) {
  test::TempDir dir;
  Rendered r = render(load_fixture("results-small.json"), dir.str());
  expect_sections_in_order(r, kAlwaysSections);
  for (const char* absent : {"patient-level-results", "distortion-handling-ablation"})
    EXPECT_EQ(r.html.find(std::string("<h2 id=\"") + absent), std::string::npos) << absent;
  EXPECT_EQ(r.markdown.find("## Patient-level results"), std::string::npos);
  EXPECT_EQ(r.markdown.find("## Distortion-handling ablation"), std::string::npos);
  EXPECT_EQ(count(r.html, "<h2 "), kAlwaysSections.size());

  // What evaluate --patients writes on data without patient ids is no reason for a section.
  auto no_ids = load_fixture("results-small.json");
  for (auto& model : no_ids["models"])
    model["eval"]["patient_level"] = {{"available", false}, {"reason", "no patient ids in this dataset"}};
  test::TempDir dir2;
  EXPECT_EQ(render(no_ids, dir2.str()).markdown.find("## Patient-level results"), std::string::npos);
}

TEST(RenderReport, PatientLevelAndAblationSectionsWhenPresent) {
  json results = load_fixture("results-ablation.json");
  // Aria has no patient ids; a patient_level block (the same keys eval.json uses) is grafted on
  // to exercise the section.
  json& eval = results["models"][0]["eval"];
  eval["patient_level"] = {{"n_patients", 12},     {"accuracy", 0.9167}, {"balanced_accuracy", 0.9},
                           {"f1_macro", 0.8889},   {"auroc_macro", 0.97},
                           {"ci95", {{"f1_macro", {0.7, 1.0}}}}};
  test::TempDir dir;
  Rendered r = render(results, dir.str());
  auto sections = kAlwaysSections;
  sections.insert(sections.end() - 1, {"patient-level-results", "Patient-level results"});
  sections.insert(sections.end() - 1, {"distortion-handling-ablation", "Distortion-handling ablation"});
  expect_sections_in_order(r, sections);

  std::string ablation = html_section(r.html, "distortion-handling-ablation");
  for (const auto& s : results["ablation"]["strategies"]) EXPECT_NE(ablation.find(s["name"].get<std::string>()), std::string::npos);
  // mCE is lower-is-better: the bold one is the smallest.
  double best_mce = 1e9;
  std::string best_name;
  for (const auto& s : results["ablation"]["strategies"])
    if (s["mce"].get<double>() < best_mce) best_mce = s["mce"], best_name = s["name"];
  auto row = html_row(ablation, best_name);
  ASSERT_GE(row.size(), 5u);
  EXPECT_NE(row[4].find("<strong>" + report::format_metric(best_mce) + "</strong>"), std::string::npos) << row[4];
  for (const auto& finding : results["ablation"]["findings"])
    EXPECT_NE(ablation.find(report::escape_html(finding.get<std::string>())), std::string::npos);
  EXPECT_NE(html_section(r.html, "patient-level-results").find("0.889"), std::string::npos);
  if (gnuplot_installed()) {
    std::set<std::string> plots(r.plot_files.begin(), r.plot_files.end());
    EXPECT_TRUE(plots.count("ablation-robustness"));
    EXPECT_TRUE(plots.count("ablation-clean-vs-corrupted"));
  }
}

TEST(RenderReport, HtmlIsSelfContained) {
  test::TempDir dir;
  Rendered r = render(load_fixture("results-ablation.json"), dir.str());
  // The SVG namespace declarations are names, not references: nothing is fetched from them.
  std::string html = std::regex_replace(r.html, std::regex(R"(xmlns(:xlink)?="http://www\.w3\.org/[^"]*")"), "");
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src=\""), std::string::npos);
  EXPECT_EQ(html.find("src='"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<?xml"), std::string::npos) << "an XML prolog inside HTML";
}

TEST(RenderReport, OneInlineSvgPerPlotFileAndTheMarkdownLinksEach) {
  test::TempDir dir;
  Rendered r = render(load_fixture("results-ablation.json"), dir.str());
  EXPECT_EQ(count(r.html, "<svg"), r.plot_files.size());
  for (const auto& stem : r.plot_files) EXPECT_NE(r.markdown.find("](plots/" + stem + ".svg)"), std::string::npos) << stem;
  if (!gnuplot_installed()) GTEST_SKIP() << "gnuplot is not installed: no plots to count";
  // Training curves, metrics bars, 3 confusion matrices, 3 ROC plots, robustness, 2 ablation plots.
  EXPECT_EQ(r.plot_files.size(), 11u);
  EXPECT_EQ(r.html.find("plot skipped"), std::string::npos);
  // Inline copies get per-plot ids: the same gnuplot marker ids in two plots must not collide.
  EXPECT_EQ(count(r.html, "id=\"p0-gnuplot_canvas\""), 1u);
  EXPECT_EQ(count(r.html, "id=\"gnuplot_canvas\""), 0u);
}

TEST(RenderReport, BestMacroF1IsBoldOnTheRightModel) {
  json results = load_fixture("results-small.json");
  std::string best;
  double best_f1 = -1;
  for (const auto& m : results["models"])
    if (m["eval"]["f1_macro"].get<double>() > best_f1) best_f1 = m["eval"]["f1_macro"], best = m["name"];
  ASSERT_EQ(best, "resnet50");  // what the fixture's real runs say; the assertions below hold for any
  test::TempDir dir;
  Rendered r = render(results, dir.str());
  std::string main_html = html_section(r.html, "main-results");
  std::string main_md = markdown_section(r.markdown, "Main results");
  constexpr size_t kF1Column = 5;  // model, accuracy, balanced accuracy, precision, recall, F1 (macro)
  for (const auto& m : results["models"]) {
    std::string name = m["name"];
    std::string value = report::format_metric(m["eval"]["f1_macro"].get<double>());
    auto row = html_row(main_html, name);
    ASSERT_GT(row.size(), kF1Column) << name;
    auto md_row = markdown_row(main_md, name);
    ASSERT_GT(md_row.size(), kF1Column) << name;
    if (name == best) {
      EXPECT_NE(row[kF1Column].find("<strong>" + value + "</strong>"), std::string::npos) << row[kF1Column];
      EXPECT_EQ(md_row[kF1Column].rfind("**" + value, 0), 0u) << md_row[kF1Column];
    } else {
      EXPECT_EQ(row[kF1Column].find("<strong>"), std::string::npos) << name << ": " << row[kF1Column];
      EXPECT_EQ(md_row[kF1Column].find("**"), std::string::npos) << name << ": " << md_row[kF1Column];
    }
  }
}

TEST(RenderReport, MainTableShowsTheResultsNumbersAndThePaperRow) {
  json results = load_fixture("results-small.json");
  test::TempDir dir;
  Rendered r = render(results, dir.str());
  std::string main_html = html_section(r.html, "main-results");
  const json& cnn = results["models"][0];
  ASSERT_EQ(cnn["name"], "simple-cnn");
  auto row = html_row(main_html, "simple-cnn");
  ASSERT_GT(row.size(), 5u);
  const json& ci = cnn["eval"]["ci95"]["f1_macro"];
  EXPECT_NE(row[5].find(report::format_metric(cnn["eval"]["f1_macro"].get<double>())), std::string::npos) << row[5];
  EXPECT_NE(row[5].find("[" + report::format_metric(ci[0].get<double>()) + ", " + report::format_metric(ci[1].get<double>()) + "]"),
            std::string::npos)
      << row[5];
  EXPECT_NE(main_html.find("class=\"reference\""), std::string::npos);
  EXPECT_NE(main_html.find("reported in the paper (C-NMC; for orientation, not comparable data)"), std::string::npos);
  std::string main_md = markdown_section(r.markdown, "Main results");
  EXPECT_NE(main_md.find(report::format_metric_ci(cnn["eval"]["f1_macro"].get<double>(),
                                                  std::make_pair(ci[0].get<double>(), ci[1].get<double>()))),
            std::string::npos);
}

TEST(RenderReport, PairwiseAndPerClassTablesReadTheirNumbers) {
  json results = load_fixture("results-small.json");
  test::TempDir dir;
  Rendered r = render(results, dir.str());
  std::string pairwise = html_section(r.html, "pairwise-comparison");
  for (const auto& p : results["pairwise"]) {
    EXPECT_NE(pairwise.find(report::format_p_value(p["p_value"].get<double>())), std::string::npos);
  }
  auto row = html_row(pairwise, "simple-cnn");
  ASSERT_EQ(row.size(), 7u);
  EXPECT_EQ(row[6], results["pairwise"][0]["p_value"].get<double>() < 0.05 ? "<strong>yes</strong>" : "no");

  // simple-cnn's confusion matrix row for "Early" is [3, 145, 0, 0]: most confused with Benign.
  const json& cm = results["models"][0]["eval"]["confusion_matrix"];
  ASSERT_EQ(cm[1][0].get<int>(), 3);
  std::string per_class = html_section(r.html, "per-class-results");
  auto early = html_row(per_class, "Early");
  ASSERT_EQ(early.size(), 8u);
  EXPECT_EQ(early[7], "Benign (3)");
}

TEST(RenderReport, TextFromTheResultsIsEscaped) {
  json results = load_fixture("results-small.json");
  const std::string evil = "Ben<&>ign";
  auto rename = [&](json& object) {
    if (object.contains("Benign")) {
      object[evil] = object["Benign"];
      object.erase("Benign");
    }
  };
  for (auto& c : results["dataset"]["classes"])
    if (c == "Benign") c = evil;
  for (auto& [split, per_class] : results["dataset"]["counts"].items()) rename(per_class);
  for (auto& m : results["models"]) {
    for (auto& c : m["eval"]["classes"])
      if (c == "Benign") c = evil;
    rename(m["eval"]["per_class"]);
    rename(m["roc"]);
  }
  results["models"][0]["name"] = "cnn|\"v2\"";
  results["title"] = "It's <b>bold</b>";
  test::TempDir dir;
  Rendered r = render(results, dir.str());
  EXPECT_EQ(r.html.find(evil), std::string::npos);
  EXPECT_EQ(r.html.find("<b>bold"), std::string::npos);
  EXPECT_NE(r.html.find("Ben&lt;&amp;&gt;ign"), std::string::npos);
  EXPECT_NE(r.html.find("It&#39;s &lt;b&gt;bold&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(r.html.find("cnn|&quot;v2&quot;"), std::string::npos);
  // Markdown: a '|' would split the cell, a '<' would open raw HTML.
  EXPECT_NE(r.markdown.find("| cnn\\|\"v2\" |"), std::string::npos);
  EXPECT_NE(r.markdown.find("Ben\\<&>ign"), std::string::npos);
  EXPECT_EQ(r.markdown.find("| cnn|"), std::string::npos);
}

TEST(RenderReport, WithoutGnuplotOnPathTheReportSaysPlotsSkipped) {
  const char* old_path = std::getenv("PATH");
  std::string saved = old_path ? old_path : "";
  ::setenv("PATH", "", 1);
  test::TempDir dir;
  Rendered r;
  EXPECT_NO_THROW(r = render(load_fixture("results-ablation.json"), dir.str()));
  ::setenv("PATH", saved.c_str(), 1);
  EXPECT_EQ(count(r.html, "plots skipped: "), 1u);
  EXPECT_EQ(count(r.markdown, "plots skipped: "), 1u);
  EXPECT_TRUE(r.plot_files.empty());
  EXPECT_EQ(count(r.html, "<svg"), 0u);
  expect_sections_in_order(r, {{"summary", "Summary"}, {"main-results", "Main results"}, {"reproducibility", "Reproducibility"}});
}

TEST(RenderReport, ANamedGnuplotThatIsMissingOrFailingNeverBreaksTheReport) {
  test::TempDir dir;
  json results = load_fixture("results-small.json");
  Rendered missing = render(results, dir.str() + "/missing", RenderOptions{dir.str() + "/no-such-gnuplot"});
  EXPECT_NE(missing.html.find("plots skipped: "), std::string::npos);

  // A gnuplot that runs but fails: each plot is skipped with gnuplot's message, the rest stands.
  std::string fake = dir.str() + "/failing-gnuplot";
  write_file_atomically(fake, "#!/bin/sh\necho 'line 3: undefined variable: boom' >&2\nexit 1\n");
  ::chmod(fake.c_str(), 0755);
  Rendered failing = render(results, dir.str() + "/failing", RenderOptions{fake});
  EXPECT_TRUE(failing.plot_files.empty());
  EXPECT_NE(failing.html.find("plot skipped: training-curves: gnuplot failed: line 3: undefined variable: boom"),
            std::string::npos);
  EXPECT_NE(failing.markdown.find("plot skipped: main-metrics"), std::string::npos);
  EXPECT_NE(failing.html.find("<h2 id=\"reproducibility\">"), std::string::npos);
}

TEST(RenderReport, MissingOptionalKeysAndOddTypesAreSkippedNotFatal) {
  test::TempDir dir;
  json minimal = {{"schema", "leukoscope-results/1"},
                  {"title", "minimal"},
                  {"dataset", {{"classes", {"a", "b"}}}},
                  {"models", {{{"name", "m"}, {"eval", json::object()}}}}};
  Rendered r = render(minimal, dir.str() + "/minimal");
  expect_sections_in_order(r, kAlwaysSections);

  json odd = load_fixture("results-small.json");
  odd["findings"] = 3;
  odd["pairwise"] = "none";
  odd["dataset"]["counts"]["train"] = nullptr;
  odd["models"][1]["eval"]["ci95"] = json::array();
  odd["models"][1]["eval"]["robustness"][0]["severity"] = "two";
  odd["models"][2]["curves"] = json::object();
  odd["models"][2]["eval"]["confusion_matrix"] = {{1, 2}, {3}};
  odd["models"][0].erase("eval");
  Rendered o = render(odd, dir.str() + "/odd");
  expect_sections_in_order(o, kAlwaysSections);

  EXPECT_THROW(render_report(json::array(), dir.str() + "/bad"), UserError);
  EXPECT_THROW(render_report(json{{"title", "x"}}, dir.str() + "/bad"), UserError);
}

TEST(RenderReport, RenderingAgainReplacesThePlotsFolder) {
  test::TempDir dir;
  render_report(load_fixture("results-ablation.json"), dir.str());
  Rendered again = render(load_fixture("results-small.json"), dir.str());
  EXPECT_EQ(count(again.html, "<svg"), again.plot_files.size());
  for (const auto& stem : again.plot_files) EXPECT_EQ(stem.rfind("ablation-", 0), std::string::npos) << stem;
}

TEST(ReportFormat, NumbersAsTheReportPrintsThem) {
  using namespace report;
  EXPECT_EQ(format_metric(0.98584), "0.986");
  EXPECT_EQ(format_metric_ci(0.98584, std::make_pair(0.9734, 0.996)), "0.986 [0.973, 0.996]");
  EXPECT_EQ(format_p_value(0.0123), "0.0123");
  EXPECT_EQ(format_p_value(0.6875), "0.688");
  EXPECT_EQ(format_p_value(0.109375), "0.109");
  EXPECT_EQ(format_p_value(1.0), "1.00");
  EXPECT_EQ(format_p_value(0.00012345), "0.000123");
  EXPECT_EQ(format_p_value(3e-7), "< 1e-4");
  EXPECT_EQ(format_duration(224.0), "3m44s");
  EXPECT_EQ(format_duration(2.1), "2.1s");
  EXPECT_EQ(format_duration(42.4), "42s");
  EXPECT_EQ(format_duration(3725), "1h02m05s");
  EXPECT_EQ(format_count_si(93988), "94.0 k");
  EXPECT_EQ(format_count_si(2015268), "2.02 M");
  EXPECT_EQ(format_thousands(2279), "2,279");
  EXPECT_EQ(escape_html("a<&>\"'b"), "a&lt;&amp;&gt;&quot;&#39;b");
  EXPECT_EQ(escape_markdown("a|b<c*"), "a\\|b\\<c\\*");
  EXPECT_EQ(slug("ViT Hybrid (R50)"), "vit-hybrid-r50");
}

}  // namespace
}  // namespace leuko
