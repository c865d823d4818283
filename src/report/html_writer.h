#pragma once
// The report as one self-contained HTML page: inline CSS, the plots' SVG inline, no script and
// no external reference, so it opens from disk, offline, and can be mailed as a single file.
#include <map>
#include <string>

#include "report/report_document.h"

namespace leuko::report {

// `svgs`: plot stem -> SVG document, as gnuplot wrote it.
std::string write_html(const Document& document, const std::map<std::string, std::string>& svgs);

// An SVG document made fit to sit inside HTML: no XML prolog, no <title> tooltip, and every id
// prefixed with `id_prefix` so that two plots' identical internal ids cannot collide.
std::string inline_svg(const std::string& svg, const std::string& id_prefix, const std::string& label);

}  // namespace leuko::report
