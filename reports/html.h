// HTML: the result model as one self-contained page (inline CSS, no external URL, no script).
#pragma once

#include <string>
#include <vector>

#include "generators/json.h"

namespace evh::reports {

/// Renders one page for `result` (one result object, or an array of them): the verdict per
/// invariant; every finding with its message, mutations, replay command, shrunk event (pretty
/// JSON) and a timeline of the trace lines of its case (virtual time, action, outcome); and per
/// run the coverage of mutators (cases and findings per mutation) and faults (the fault plan and
/// how often each fired).
/// `findings[i]` is the finding document (findings/<invariant>/<sha1>.json) of the i-th finding
/// of the result, counting across runs (null or missing: that finding is shown from result.json
/// alone); `trace` holds the lines of trace.jsonl (used when `result` is a single run; a finding
/// without trace lines falls back to its document's trace excerpt). Pure: no file is read.
std::string render_html(const Json& result, const std::vector<Json>& findings = {}, const std::vector<Json>& trace = {});

}  // namespace evh::reports
