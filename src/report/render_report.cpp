#include "report/render_report.h"

#include <filesystem>
#include <system_error>

#include "common/atomic_file.h"
#include "common/error.h"
#include "report/gnuplot_runner.h"
#include "report/html_writer.h"
#include "report/markdown_writer.h"
#include "report/plots.h"
#include "report/report_sections.h"

namespace leuko {

void render_report(const nlohmann::json& results, const std::string& out_dir, const RenderOptions& options) {
  namespace fs = std::filesystem;
  if (!results.is_object()) throw UserError(out_dir + ": the results to report are not a JSON object");
  auto models = results.find("models");
  if (models == results.end() || !models->is_array())
    throw UserError(out_dir + ": the results to report have no \"models\" list");

  report::PlotSet plots = report::render_plots(results, report::GnuplotRunner(options.gnuplot));
  report::Document document = report::build_document(results, plots);

  // Plots from an earlier render of this folder would be linked by nothing and mislead a reader
  // browsing plots/; only ours are left.
  const fs::path plot_dir = fs::path(out_dir) / "plots";
  std::error_code ec;
  if (fs::is_directory(plot_dir, ec))
    for (const auto& entry : fs::directory_iterator(plot_dir, ec))
      if (entry.path().extension() == ".svg" && !plots.svgs.count(entry.path().stem().string()))
        fs::remove(entry.path(), ec);
  for (const auto& [stem, svg] : plots.svgs) write_file_atomically((plot_dir / (stem + ".svg")).string(), svg);

  write_file_atomically((fs::path(out_dir) / "report.md").string(), report::write_markdown(document));
  // The HTML last: its presence means the report is complete.
  write_file_atomically((fs::path(out_dir) / "report.html").string(), report::write_html(document, plots.svgs));
}

}  // namespace leuko
