// Runtime API protocol: how evh's Runtime API server (harness/runtime_api_target.cpp) turns what
// a runtime posts into an Outcome (SEMANTICS.md §8 "Error reporting"). Pure functions, shared
// with fuzz/runtime_api_request_fuzzer.cpp: no socket, no httplib.
#pragma once

#include <string>

#include "generators/json.h"
#include "harness/outcome.h"

namespace evh::harness::internal {

/// A runtime's POST /2018-06-01/runtime/invocation/{id}/error or /runtime/init/error, as received.
struct ErrorReport {
  std::string error_type_header;  ///< Lambda-Runtime-Function-Error-Type ("" = absent)
  std::string content_type;       ///< Content-Type ("" = absent)
  std::string body;               ///< at most the sync response cap (the server counts the rest)
};

/// The function error a report stands for. The payload is the error document as posted (an
/// X-Ray errorCause stripped, as the RIE does); an empty or non-JSON body gets a synthesized
/// {errorType, errorMessage} from the header. The errorType is the body's, else the header's,
/// else Runtime.Unknown. `detail` is what evh observed. Never throws: any bytes are a report.
Outcome reported_error(ErrorReport report, const std::string& detail);

/// A platform-made error outcome (timeout, exit, oversize): HTTP 200 with X-Amz-Function-Error,
/// as the Invoke API reports them (SEMANTICS.md §1, §8.6). errorType and errorMessage are read
/// from `doc` when they are strings ("" otherwise).
Outcome platform_error(OutcomeKind kind, const Json& doc, std::string detail);

}  // namespace evh::harness::internal
