#include "report/html_writer.h"

#include <regex>
#include <sstream>

#include "report/text_format.h"

namespace leuko::report {

namespace {

const char* const kStyle = R"CSS(
:root { --ink: #1c2330; --muted: #5d6677; --rule: #e2e6ec; --zebra: #f6f8fa; --head: #eef1f5; }
* { box-sizing: border-box; }
html { background: #fff; }
body { margin: 0; color: var(--ink);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 36px 28px 72px; }
h1 { font-size: 27px; line-height: 1.25; margin: 0 0 6px; letter-spacing: -0.01em; }
h2 { font-size: 21px; margin: 44px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--rule); }
h3 { font-size: 16px; margin: 24px 0 6px; }
p { margin: 8px 0 12px; max-width: 920px; }
.byline { color: var(--muted); font-size: 13px; margin: 0 0 18px; }
nav.toc { background: #f7f8fa; border: 1px solid var(--rule); border-radius: 8px; padding: 10px 18px 12px; }
nav.toc .toc-title { font-weight: 600; font-size: 13px; text-transform: uppercase; letter-spacing: 0.06em;
  color: var(--muted); margin: 2px 0 4px; }
nav.toc ol { columns: 3; column-gap: 28px; margin: 0; padding-left: 22px; font-size: 14px; }
nav.toc li { margin: 1px 0; }
a { color: #0a5d9c; text-decoration: none; }
a:hover { text-decoration: underline; }
.table-wrap { overflow-x: auto; margin: 10px 0 4px; }
table { border-collapse: collapse; font-size: 13.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 11px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--rule); }
th { background: var(--head); font-weight: 600; border-bottom: 2px solid #cdd4de; white-space: nowrap; }
tbody tr:nth-child(even) { background: var(--zebra); }
td.num, th.num { text-align: right; white-space: nowrap; }
td .ci { display: block; color: var(--muted); font-size: 11.5px; font-weight: 400; }
td:first-child .ci { white-space: normal; max-width: 19em; }
td strong { font-weight: 700; }
tr.reference td, tr.reference-note td { font-style: italic; color: #6b5714; background: #fcf7e4; }
tr.reference-note td { border-top: 2px dashed #d8c583; border-bottom: none; font-size: 12.5px; padding-bottom: 0; }
td:first-child { white-space: nowrap; }
tr.reference-note td:first-child { white-space: normal; }
tr.held-out td { background: #fff4e8; }
tr.held-out td:first-child { color: #9a4a00; }
.caption { color: var(--muted); font-size: 13px; margin: 6px 0 18px; max-width: 920px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 7px; }
.notice { border-left: 4px solid #e69f00; background: #fff8e6; color: #5c4600; padding: 7px 12px;
  margin: 10px 0; font-size: 14px; }
ul.findings { padding-left: 22px; }
ul.findings li { margin: 5px 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 20px; margin: 10px 0 16px;
  font-size: 14px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.figures { display: flex; flex-wrap: wrap; gap: 14px 18px; margin: 8px 0 6px; }
figure { margin: 0; }
figure.wide { flex: 1 1 100%; }
figure.narrow { flex: 1 1 300px; max-width: 354px; }
figure svg { display: block; width: 100%; height: auto; }
figure svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--rule); padding-top: 10px; }
@media print { main { max-width: none; padding: 0; } nav.toc { display: none; } h2 { break-after: avoid; }
  figure, table { break-inside: avoid; } }
)CSS";

bool numeric_column(const Table& table, size_t column) {
  bool any = false;
  for (const auto& row : table.rows) {
    if (column >= row.cells.size() || row.cells[column].text.empty()) continue;
    if (!row.cells[column].numeric) return false;
    any = true;
  }
  return any;
}

void write_cell(std::ostringstream& out, const Cell& cell, bool numeric_column) {
  out << (cell.numeric || numeric_column ? "<td class=\"num\">" : "<td>");
  if (!cell.swatch.empty()) out << "<span class=\"swatch\" style=\"background:" << escape_html(cell.swatch) << "\"></span>";
  std::string text = escape_html(cell.text);
  out << (cell.strong ? "<strong>" + text + "</strong>" : text);
  if (!cell.detail.empty()) out << "<span class=\"ci\">" << escape_html(cell.detail) << "</span>";
  out << "</td>";
}

void write_table(std::ostringstream& out, const Table& table) {
  std::vector<bool> numeric;
  for (size_t c = 0; c < table.header.size(); ++c) numeric.push_back(numeric_column(table, c));
  out << "<div class=\"table-wrap\"><table>\n<thead><tr>";
  for (size_t c = 0; c < table.header.size(); ++c)
    out << (numeric[c] ? "<th class=\"num\">" : "<th>") << escape_html(table.header[c]) << "</th>";
  out << "</tr></thead>\n<tbody>\n";
  for (const auto& row : table.rows) {
    if (!row.note.empty())
      out << "<tr class=\"" << (row.style == RowStyle::reference ? "reference-note" : "note") << "\"><td colspan=\""
          << table.header.size() << "\">" << escape_html(row.note) << "</td></tr>\n";
    out << (row.style == RowStyle::reference ? "<tr class=\"reference\">"
            : row.style == RowStyle::held_out ? "<tr class=\"held-out\">"
                                              : "<tr>");
    for (size_t c = 0; c < table.header.size(); ++c)
      write_cell(out, c < row.cells.size() ? row.cells[c] : Cell{}, numeric[c]);
    out << "</tr>\n";
  }
  out << "</tbody></table></div>\n";
  if (!table.caption.empty()) out << "<p class=\"caption\">" << escape_html(table.caption) << "</p>\n";
}

struct BlockWriter {
  std::ostringstream& out;
  const std::map<std::string, std::string>& svgs;
  int& figure_counter;

  void operator()(const Paragraph& p) const { out << "<p>" << escape_html(p.text) << "</p>\n"; }
  void operator()(const Subheading& h) const { out << "<h3>" << escape_html(h.text) << "</h3>\n"; }
  void operator()(const BulletList& list) const {
    out << "<ul class=\"findings\">\n";
    for (const auto& item : list.items) out << "<li>" << escape_html(item) << "</li>\n";
    out << "</ul>\n";
  }
  void operator()(const FactList& list) const {
    out << "<dl class=\"facts\">\n";
    for (const auto& [label, value] : list.facts)
      out << "<dt>" << escape_html(label) << "</dt><dd>" << escape_html(value) << "</dd>\n";
    out << "</dl>\n";
  }
  void operator()(const Notice& n) const { out << "<p class=\"notice\">" << escape_html(n.text) << "</p>\n"; }
  void operator()(const Table& t) const { write_table(out, t); }
  void operator()(const FigureGroup& group) const {
    out << "<div class=\"figures\">\n";
    for (const auto& f : group.figures) {
      auto svg = svgs.find(f.plot_name);
      if (svg == svgs.end()) continue;
      out << "<figure class=\"" << (f.wide ? "wide" : "narrow") << "\" id=\"plot-" << escape_html(f.plot_name) << "\">\n"
          << inline_svg(svg->second, "p" + std::to_string(figure_counter++) + "-", f.caption) << "\n"
          // A narrow figure's caption is its model's name, already the plot's title.
          << (f.wide ? "<figcaption>" + escape_html(f.caption) + "</figcaption>\n" : "") << "</figure>\n";
    }
    out << "</div>\n";
  }
};

}  // namespace

std::string inline_svg(const std::string& svg, const std::string& id_prefix, const std::string& label) {
  size_t start = svg.find("<svg");
  std::string body = start == std::string::npos ? svg : svg.substr(start);
  static const std::regex kTitle("<title>[^<]*</title>\\s*");
  static const std::regex kId("\\bid=(['\"])");
  static const std::regex kHref("href=(['\"])#");
  static const std::regex kUrl("url\\(#");
  body = std::regex_replace(body, kTitle, "", std::regex_constants::format_first_only);
  body = std::regex_replace(body, kId, "id=$1" + id_prefix);
  body = std::regex_replace(body, kHref, "href=$1#" + id_prefix);
  body = std::regex_replace(body, kUrl, "url(#" + id_prefix);
  body.insert(4, " role=\"img\" aria-label=\"" + escape_html(label) + "\"");
  while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.pop_back();
  return body;
}

std::string html_page_start(const std::string& title, const std::vector<std::string>& byline,
                            const std::vector<std::pair<std::string, std::string>>& contents,
                            const std::string& extra_style) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>" << escape_html(title) << "</title>\n<style>" << kStyle << extra_style << "</style>\n</head>\n<body>\n<main>\n"
      << "<header>\n<h1>" << escape_html(title) << "</h1>\n";
  if (!byline.empty()) {
    out << "<p class=\"byline\">";
    for (size_t i = 0; i < byline.size(); ++i) out << (i ? " · " : "") << escape_html(byline[i]);
    out << "</p>\n";
  }
  out << "</header>\n<nav class=\"toc\">\n<p class=\"toc-title\">Contents</p>\n<ol>\n";
  for (const auto& [id, section_title] : contents)
    out << "<li><a href=\"#" << escape_html(id) << "\">" << escape_html(section_title) << "</a></li>\n";
  out << "</ol>\n</nav>\n";
  return out.str();
}

std::string html_page_end(const std::string& footer) {
  return "<footer>" + escape_html(footer) + "</footer>\n</main>\n</body>\n</html>\n";
}

std::string html_block(const Block& block) {
  std::ostringstream out;
  const std::map<std::string, std::string> no_svgs;
  int figure_counter = 0;
  std::visit(BlockWriter{out, no_svgs, figure_counter}, block);
  return out.str();
}

std::string write_html(const Document& document, const std::map<std::string, std::string>& svgs) {
  std::vector<std::pair<std::string, std::string>> contents;
  for (const auto& section : document.sections) contents.emplace_back(section.id, section.title);
  std::ostringstream out;
  out << html_page_start(document.title, document.byline, contents);
  int figure_counter = 0;
  for (const auto& section : document.sections) {
    out << "<section>\n<h2 id=\"" << escape_html(section.id) << "\">" << escape_html(section.title) << "</h2>\n";
    for (const auto& block : section.blocks) std::visit(BlockWriter{out, svgs, figure_counter}, block);
    out << "</section>\n";
  }
  out << html_page_end("Written by leukoscope. Self-contained: the plots are inline SVG; the same plots are in plots/ "
                       "beside this file, and report.md is its Markdown twin.");
  return out.str();
}

}  // namespace leuko::report
