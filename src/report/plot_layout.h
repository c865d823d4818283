#pragma once
// The gnuplot building blocks the report's figures share: number and colour literals, grids of
// panels placed in pixels (gnuplot's own multiplot layout crowds titles into tick labels), one
// legend for a whole grid, and a clustered bar chart with confidence whiskers.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace leuko::report {

// A data value for a gnuplot data block; absent or non-finite values become NaN, which gnuplot
// skips (a line breaks there, a bar or whisker is left out).
std::string gp_number(double value);
std::string gp_number(const std::optional<double>& value);

std::string gp_colour(const std::string& hex);  // "rgb '#0072B2'"

// The colour mixed towards white (t > 0) or black (t < 0).
std::string shade(const std::string& hex, double t);

struct LegendEntry {
  std::string style;  // a plot style, e.g. "with lines lw 2 lc rgb '#0072B2'"
  std::string title;
};

// A rows x columns grid of equal panels in a canvas of width x height pixels, with fixed pixel
// margins around each data area and, when set, a legend strip along the bottom shared by all.
struct PanelGrid {
  int width = 0, height = 0;
  int rows = 1, columns = 1;
  int left = 70, right = 20, top = 40, bottom = 56;  // outside the whole grid (bottom: above the legend strip)
  int column_gap = 40, row_gap = 76;                 // between neighbouring data areas

  // Data area of panel (row, column) as fractions of the canvas (gnuplot's screen coordinates).
  struct Area {
    double left, right, bottom, top;
  };
  Area area(int row, int column) const;

  // "set lmargin at screen ..." etc. placing the data area of panel (row, column).
  std::string place(int row, int column) const;

  // Reserves the bottom strip for these entries, laid out in as few rows as fit the width.
  // Call before place(): the strip takes its height from the panels.
  void set_legend(std::vector<LegendEntry> entries);
  // A plot that draws only the legend, centred in the strip.
  std::string legend() const;
  int legend_height() const { return legend_strip_; }

 private:
  std::vector<LegendEntry> legend_;
  int legend_rows_ = 0, legend_strip_ = 0;
};

struct BarSeries {
  std::string name, colour;
  std::vector<std::optional<double>> values;  // one per group
  std::vector<std::optional<std::pair<double, double>>> intervals;
};

// Groups along x (`groups` are their labels), one coloured bar per series in each, with a 95 %
// CI whisker where the series has one. The y axis starts at a tidy value below the lowest
// whisker so differences near 1.0 stay visible.
std::string bar_chart_script(const std::string& title, const std::vector<std::string>& groups,
                             const std::vector<BarSeries>& series, const std::string& ylabel);

// The largest multiple of `step` at or below `value`, not below 0: a tidy lower axis limit.
double tidy_floor(double value, double step);

}  // namespace leuko::report
