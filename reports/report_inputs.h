// ReportInputs: what every report is rendered from — the result model, plus the finding
// documents and trace lines the run wrote beside it (DESIGN.md: the report directory).
#pragma once

#include <string>
#include <vector>

#include "generators/error.h"
#include "generators/json.h"

namespace evh::reports {

struct ReportInputs {
  Json result;                 ///< result.json: one result object (or an array of them)
  std::vector<Json> findings;  ///< the document of result["findings"][i] (null when there is none)
  std::vector<Json> trace;     ///< trace.jsonl, one object per line
};

/// Reads, from the report directory `dir`, the finding documents of `result`
/// (dir/findings/<invariant>/<name of the finding's "file">) and dir/trace.jsonl.
/// A finding without a "file" gets a null document; an unreadable or malformed file is an error
/// (ErrorCode::kIo / kConfig) naming it. A missing trace.jsonl is an empty trace.
Result<ReportInputs> load_report_inputs(const std::string& dir, Json result);

}  // namespace evh::reports
