#pragma once
// gnuplot as a subprocess: the one external program the report uses. Missing or failing, it
// must never take the report down with it, so every outcome comes back as a value.
#include <string>

namespace leuko::report {

struct GnuplotOutcome {
  bool ok = false;
  bool program_missing = false;  // not on PATH / not executable: no later plot will fare better
  std::string svg;
  std::string error;  // one line, for "plot skipped: <error>"
};

class GnuplotRunner {
 public:
  // `program` is looked up on PATH unless it contains a '/'.
  explicit GnuplotRunner(std::string program, int timeout_seconds = 60);

  // Runs `body` (data blocks and plot commands) after a preamble that sets the SVG terminal at
  // width x height pixels and the shared look (fonts, grid, border), in a private temporary folder.
  GnuplotOutcome render(const std::string& body, int width, int height) const;

 private:
  std::string program_;
  int timeout_seconds_;
};

// A gnuplot single-quoted string literal of any text ('' is the only escape it knows).
std::string gnuplot_quote(const std::string& text);

}  // namespace leuko::report
