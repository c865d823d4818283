// `leukoscope compare RUN... --out DIR`: the study's report from finished runs.
#include "cli/verbs.h"

#include <filesystem>
#include <iostream>

#include "common/json_text.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "study/collect_results.h"
#include "report/render_report.h"

namespace leuko::cli {

void add_compare_verb(CLI::App& app, const std::string* command_line) {
  struct Options {
    std::vector<std::string> runs;
    std::string out = "compare-out", title = "leukoscope comparison";
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("compare", "the comparison report (HTML, Markdown, results.json) of finished, evaluated runs");
  cmd->add_option("RUN", o->runs, "run directories (each with eval.json from `leukoscope evaluate`)")->required();
  cmd->add_option("--out", o->out, "report folder (default compare-out)");
  cmd->add_option("--title", o->title, "report title");
  cmd->callback([o, command_line] {
    CollectOptions co;
    co.title = o->title;
    co.command = command_line ? *command_line : "leukoscope compare";
    // The same run twice would be compared with itself: two identical rows, McNemar p = 1.
    for (size_t i = 0; i < o->runs.size(); ++i)
      for (size_t j = i + 1; j < o->runs.size(); ++j)
        if (std::error_code ec; std::filesystem::equivalent(o->runs[i], o->runs[j], ec))
          throw UserError(o->runs[j] + ": given twice (also as " + o->runs[i] + "); compare different runs");
    nlohmann::json results = collect_results(o->runs, co);
    std::filesystem::create_directories(o->out);
    write_file_atomically(o->out + "/results.json", json_text(results, 2) + "\n");
    render_report(results, o->out);
    std::cout << "report: " << o->out << "/report.html, " << o->out << "/report.md, " << o->out << "/results.json\n";
    for (const auto& f : results["findings"]) std::cout << "- " << f.get<std::string>() << "\n";
  });
}

}  // namespace leuko::cli
