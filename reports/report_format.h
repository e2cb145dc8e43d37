// ReportFormat: the table of report formats (STYLE.md §7.4, §7.12) — JSON is the source of
// truth, JUnit XML, SARIF, HTML and Markdown are peers rendered from it. `--format` ids.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "generators/error.h"
#include "reports/report_inputs.h"

namespace evh::reports {

struct ReportFormat {
  const char* id;       ///< --format id: json, junit, sarif, html, md
  const char* file;     ///< file name in the report directory
  const char* summary;  ///< one line for `evh list formats`
  /// The whole file's text, from the inputs alone (no IO).
  std::string (*render)(const ReportInputs&);
};

/// Every format, in a fixed order (json first).
const std::vector<ReportFormat>& report_formats();

/// nullptr when no format has that id.
const ReportFormat* find_report_format(std::string_view id);

/// Parses a comma-separated --format list ("json,junit,sarif,html,md"; "all" = every format).
/// Duplicates are dropped; an empty item or unknown id is ErrorCode::kUsage naming it and the
/// known ids.
Result<std::vector<const ReportFormat*>> parse_report_formats(std::string_view list);

}  // namespace evh::reports
