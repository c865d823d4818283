#include "report/markdown_writer.h"

#include <sstream>

#include "report/text_format.h"

namespace leuko::report {

namespace {

std::string cell_text(const Cell& cell) {
  std::string text = escape_markdown(cell.text);
  if (!cell.detail.empty()) text += " " + escape_markdown(cell.detail);
  if (cell.strong && !cell.text.empty()) text = "**" + text + "**";
  return text;
}

void write_table(std::ostringstream& out, const Table& table) {
  out << "|";
  for (const auto& h : table.header) out << " " << escape_markdown(h) << " |";
  out << "\n|";
  for (size_t c = 0; c < table.header.size(); ++c) {
    bool numeric = !table.rows.empty();
    for (const auto& row : table.rows)
      if (c < row.cells.size() && !row.cells[c].numeric && !row.cells[c].text.empty()) numeric = false;
    out << (numeric ? "---:|" : "---|");
  }
  out << "\n";
  for (const auto& row : table.rows) {
    out << "|";
    for (size_t c = 0; c < table.header.size(); ++c) {
      std::string text = c < row.cells.size() ? cell_text(row.cells[c]) : "";
      if (c == 0 && !row.note.empty()) text += (text.empty() ? "" : ", ") + escape_markdown(row.note);
      // Reference figures in italics: visibly not this run's results.
      if (row.style == RowStyle::reference && !text.empty()) text = "*" + text + "*";
      out << " " << text << " |";
    }
    out << "\n";
  }
  if (!table.caption.empty()) out << "\n" << escape_markdown(table.caption) << "\n";
  out << "\n";
}

struct BlockWriter {
  std::ostringstream& out;
  void operator()(const Paragraph& p) const { out << escape_markdown(p.text) << "\n\n"; }
  void operator()(const Subheading& h) const { out << "### " << escape_markdown(h.text) << "\n\n"; }
  void operator()(const BulletList& list) const {
    for (const auto& item : list.items) out << "- " << escape_markdown(item) << "\n";
    out << "\n";
  }
  void operator()(const FactList& list) const {
    for (const auto& [label, value] : list.facts) out << "- **" << escape_markdown(label) << ":** " << escape_markdown(value) << "\n";
    out << "\n";
  }
  void operator()(const Notice& n) const { out << "> " << escape_markdown(n.text) << "\n\n"; }
  void operator()(const Table& t) const { write_table(out, t); }
  void operator()(const FigureGroup& group) const {
    for (const auto& f : group.figures)
      out << "![" << f.plot_name << "](plots/" << f.plot_name << ".svg)\n\n"
          << "*" << escape_markdown(f.caption) << "*\n\n";
  }
};

}  // namespace

std::string write_markdown(const Document& document) {
  std::ostringstream out;
  out << "# " << escape_markdown(document.title) << "\n\n";
  if (!document.byline.empty()) {
    for (size_t i = 0; i < document.byline.size(); ++i) out << (i ? " · " : "") << escape_markdown(document.byline[i]);
    out << "\n\n";
  }
  out << "Contents: ";
  for (size_t i = 0; i < document.sections.size(); ++i)
    out << (i ? " · " : "") << "[" << escape_markdown(document.sections[i].title) << "](#" << document.sections[i].id << ")";
  out << "\n\n";
  for (const auto& section : document.sections) {
    out << "## " << escape_markdown(section.title) << "\n\n";
    for (const auto& block : section.blocks) std::visit(BlockWriter{out}, block);
  }
  return out.str();
}

}  // namespace leuko::report
