#pragma once
// The report as data: sections of blocks (paragraphs, lists, tables, figures) built once from
// results.json and rendered by two writers, HTML and Markdown. Every string here is plain text;
// escaping is the writers' job, so no builder can forget it.
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace leuko::report {

struct Cell {
  std::string text;
  bool numeric = false;  // right-aligned, tabular figures
  bool strong = false;   // the best value of its column
  std::string swatch;    // "#rrggbb": the model's plot colour, shown beside its name in HTML
  std::string detail;    // secondary text after the value (a CI): its own line in HTML, inline in Markdown
};

enum class RowStyle {
  normal,
  reference,  // figures from elsewhere (the paper): shown, but not to be read as our data
  held_out,   // a distortion family no model or strategy saw in training
};

struct Row {
  std::vector<Cell> cells;
  RowStyle style = RowStyle::normal;
  std::string note = {};  // a line about the whole row: HTML spans it across the table above the row,
                          // Markdown appends it to the first cell
};

struct Table {
  std::vector<std::string> header;
  std::vector<Row> rows;
  std::string caption;  // one sentence under the table saying how to read it
};

struct Paragraph {
  std::string text;
};

struct Subheading {
  std::string text;
};

struct BulletList {
  std::vector<std::string> items;
};

// "label: value" facts (the dataset root, the preprocessing options, ...).
struct FactList {
  std::vector<std::pair<std::string, std::string>> facts;
};

// A line that something was left out ("plots skipped: ..."): visible, not alarming.
struct Notice {
  std::string text;
};

struct Figure {
  std::string plot_name;  // stem of plots/<plot_name>.svg
  std::string caption;
  bool wide = false;      // spans the page; narrow figures sit side by side
};

struct FigureGroup {
  std::vector<Figure> figures;
};

using Block = std::variant<Paragraph, Subheading, BulletList, FactList, Notice, Table, FigureGroup>;

struct Section {
  std::string id;     // stable anchor, also the Markdown heading's text source
  std::string title;  // the <h2> / "## " text
  std::vector<Block> blocks;
};

struct Document {
  std::string title;
  std::vector<std::string> byline;  // generated time, version, ...: shown under the title
  std::vector<Section> sections;
};

}  // namespace leuko::report
