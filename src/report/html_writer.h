#pragma once
// The report as one self-contained HTML page: inline CSS, the plots' SVG inline, no script and
// no external reference, so it opens from disk, offline, and can be mailed as a single file.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "report/report_document.h"

namespace leuko::report {

// `svgs`: plot stem -> SVG document, as gnuplot wrote it.
std::string write_html(const Document& document, const std::map<std::string, std::string>& svgs);

// An SVG document made fit to sit inside HTML: no XML prolog, no <title> tooltip, and every id
// prefixed with `id_prefix` so that two plots' identical internal ids cannot collide.
std::string inline_svg(const std::string& svg, const std::string& id_prefix, const std::string& label);

// The pieces of a report page, for the other pages leukoscope writes (the review page of
// `predict --report`): one stylesheet and one escaper, so every page looks and behaves alike.
//
// From <!DOCTYPE> to the contents list: the report's stylesheet followed by `extra_style` (the
// page's own rules), the title, the byline joined by " · ", and a link per (anchor id, title).
std::string html_page_start(const std::string& title, const std::vector<std::string>& byline,
                            const std::vector<std::pair<std::string, std::string>>& contents,
                            const std::string& extra_style = "");
// The footer line (plain text) and the closing tags.
std::string html_page_end(const std::string& footer);
// One block as the report writes it. A FigureGroup needs its SVGs: only write_html renders those.
std::string html_block(const Block& block);

}  // namespace leuko::report
