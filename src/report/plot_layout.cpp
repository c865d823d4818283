#include "report/plot_layout.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "report/gnuplot_runner.h"

namespace leuko::report {

std::string gp_number(double value) {
  if (!std::isfinite(value)) return "NaN";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

std::string gp_number(const std::optional<double>& value) { return value ? gp_number(*value) : "NaN"; }

std::string gp_colour(const std::string& hex) { return "rgb " + gnuplot_quote(hex); }

std::string shade(const std::string& hex, double t) {
  unsigned r = 0, g = 0, b = 0;
  if (hex.size() != 7 || std::sscanf(hex.c_str() + 1, "%02x%02x%02x", &r, &g, &b) != 3) return hex;
  auto mix = [t](unsigned c) {
    double v = t >= 0 ? c + (255 - c) * t : c * (1 + t);
    return static_cast<unsigned>(std::lround(std::clamp(v, 0.0, 255.0)));
  };
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "#%02x%02x%02x", mix(r), mix(g), mix(b));
  return buffer;
}

double tidy_floor(double value, double step) { return std::max(0.0, std::floor(value / step + 1e-9) * step); }

PanelGrid::Area PanelGrid::area(int row, int column) const {
  const double panel_width = (width - left - right - column_gap * (columns - 1.0)) / columns;
  const double panel_height = (height - top - bottom - legend_strip_ - row_gap * (rows - 1.0)) / rows;
  const double x0 = left + column * (panel_width + column_gap);
  const double y0 = top + row * (panel_height + row_gap);  // from the top edge
  return {x0 / width, (x0 + panel_width) / width, 1 - (y0 + panel_height) / height, 1 - y0 / height};
}

std::string PanelGrid::place(int row, int column) const {
  const Area a = area(row, column);
  std::ostringstream out;
  out << "set lmargin at screen " << gp_number(a.left) << "\n"
      << "set rmargin at screen " << gp_number(a.right) << "\n"
      << "set tmargin at screen " << gp_number(a.top) << "\n"
      << "set bmargin at screen " << gp_number(a.bottom) << "\n";
  return out.str();
}

void PanelGrid::set_legend(std::vector<LegendEntry> entries) {
  legend_ = std::move(entries);
  if (legend_.empty()) {
    legend_rows_ = legend_strip_ = 0;
    return;
  }
  // gnuplot gives every key column the width of the longest title (about 7 px a character at
  // 12 pt) plus the line sample; mirror that to know how many rows the key will need.
  size_t longest = 0;
  for (const auto& e : legend_) longest = std::max(longest, e.title.size());
  const double column = 7.2 * longest + 60;
  const int per_row = std::max(1, static_cast<int>(width * 0.96 / column));
  legend_rows_ = static_cast<int>((legend_.size() + per_row - 1) / per_row);
  legend_strip_ = 12 + 19 * legend_rows_;
}

std::string PanelGrid::legend() const {
  if (legend_.empty()) return "";
  std::ostringstream out;
  out << "set lmargin at screen 0.01\nset rmargin at screen 0.99\n"
      << "set tmargin at screen " << gp_number(static_cast<double>(legend_strip_) / height) << "\n"
      << "set bmargin at screen 0\n"
      << "unset title\nunset xlabel\nunset ylabel\nunset border\nunset tics\nunset grid\nunset object\nunset label\n"
      << "unset arrow\nunset logscale\nset xrange [0:1]\nset yrange [0:1]\n"
      << "set key center center horizontal maxrows " << legend_rows_ << " samplen 2.5 spacing 1.05 width -1\n"
      << "plot ";
  for (size_t i = 0; i < legend_.size(); ++i)
    out << (i ? ", " : "") << "NaN " << legend_[i].style << " title " << gnuplot_quote(legend_[i].title);
  out << "\n";
  return out.str();
}

std::string bar_chart_script(const std::string& title, const std::vector<std::string>& groups,
                             const std::vector<BarSeries>& series, const std::string& ylabel) {
  const double cluster = 0.8;  // share of a group's width the bars take
  const double bar = cluster / std::max<size_t>(1, series.size());
  double lowest = 1.0, highest = 0.0;
  std::ostringstream body;
  for (size_t k = 0; k < series.size(); ++k) {
    body << "$bars" << k << " << EOD\n";
    for (size_t g = 0; g < groups.size(); ++g) {
      const double x = g + (k - (series.size() - 1) / 2.0) * bar;
      std::optional<double> v = g < series[k].values.size() ? series[k].values[g] : std::nullopt;
      auto ci = g < series[k].intervals.size() ? series[k].intervals[g] : std::nullopt;
      body << gp_number(x) << " " << gp_number(v) << " " << gp_number(ci ? std::optional<double>(ci->first) : std::nullopt)
           << " " << gp_number(ci ? std::optional<double>(ci->second) : std::nullopt) << "\n";
      if (v) lowest = std::min(lowest, ci ? std::min(*v, ci->first) : *v);
      if (v) highest = std::max(highest, ci ? std::max(*v, ci->second) : *v);
    }
    body << "EOD\n";
  }
  std::string tics = "(";
  for (size_t g = 0; g < groups.size(); ++g) tics += (g ? ", " : "") + gnuplot_quote(groups[g]) + " " + std::to_string(g);
  tics += ")";
  const double floor_value = tidy_floor(lowest - 0.03, 0.05);
  const double ceiling = std::min(1.0, highest) + 0.01;
  body << "set xrange [-0.55:" << gp_number(groups.size() - 0.45) << "]\n"
       << "set xtics " << tics << " scale 0\n"
       << "set yrange [" << gp_number(floor_value) << ":" << gp_number(ceiling) << "]\n"
       << "set ytics format '%.2f'\nset grid noxtics ytics\n"
       << "set ylabel " << gnuplot_quote(ylabel) << "\n"
       << "set title " << gnuplot_quote(title) << "\n"
       << "set boxwidth " << gp_number(bar * 0.92) << " absolute\n"
       << "set style fill solid 0.92 border rgb '#2b2b2b'\n"
       << "set key outside bottom center horizontal samplen 1.2 spacing 1 width 2\n"
       << "plot ";
  for (size_t k = 0; k < series.size(); ++k)
    body << (k ? ", " : "") << "$bars" << k << " using 1:2 with boxes lc " << gp_colour(series[k].colour)
         << " title " << gnuplot_quote(series[k].name);
  // Whiskers after every bar so no neighbouring bar paints over one.
  for (size_t k = 0; k < series.size(); ++k)
    // Vectors with flat heads rather than yerrorbars: those paint a white disc behind the point.
    body << ", $bars" << k << " using 1:3:(0):($4-$3) with vectors heads size screen 0.007,90 lc rgb '#222222' lw 1.4";
  body << "\n";
  return body.str();
}

}  // namespace leuko::report
