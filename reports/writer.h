// The report writer: renders the requested formats from a report directory's result model and
// writes them beside it (result.md, result.html, junit.xml, result.sarif).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "generators/error.h"
#include "generators/json.h"
#include "reports/report_format.h"

namespace evh::reports {

/// Writes each of `formats` into the report directory `dir`, as ReportFormat::file. The finding
/// documents and trace.jsonl are read from `dir` (so call it after they are written). The json
/// format rewrites result.json from `result`. Every format is attempted; the first error is
/// returned (ErrorCode::kIo naming the file, or the loader's error for a malformed finding file).
Status write_reports(const std::string& dir, const Json& result, const std::vector<const ReportFormat*>& formats);

/// The same with a --format list ("junit,sarif,html,md"); an unknown id is ErrorCode::kUsage.
Status write_reports(const std::string& dir, const Json& result, std::string_view formats);

}  // namespace evh::reports
