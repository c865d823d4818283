#pragma once
// The report's Markdown twin (GitHub-flavoured): the same sections and tables, with the plots
// linked as plots/<stem>.svg beside it.
#include <string>

#include "report/report_document.h"

namespace leuko::report {

std::string write_markdown(const Document& document);

}  // namespace leuko::report
