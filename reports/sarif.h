// SARIF 2.1.0: the result model as static-analysis results (code-scanning dashboards read it).
#pragma once

#include <string>

#include "generators/json.h"

namespace evh::reports {

/// The SARIF log for `result` (one result object, or an array of them merged into one run):
/// tool.driver "evh" whose rules are every invariant id in the result (shortDescription = the
/// invariant's summary), and one `error` result per finding: ruleId = invariant id, the message,
/// a location whose artifactLocation.uri is the finding file relative to the report directory
/// (findings/<invariant>/<sha1>.json), and properties seed, case, mutations and replay command.
/// Pure: no file is read.
Json sarif_log(const Json& result);

/// sarif_log() as text (two-space indented, newline-terminated).
std::string render_sarif(const Json& result);

}  // namespace evh::reports
