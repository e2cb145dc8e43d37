// Invoke response: how the http:// target reads an Invoke API answer (status, headers, body) as
// an Outcome, in the Lambda service's dialect or the Runtime Interface Emulator's (SEMANTICS.md
// §1, §8; docs/http-target.md). Pure functions, shared by harness/http_target.cpp and
// fuzz/invoke_response_fuzzer.cpp: no socket, no httplib.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "generators/json.h"
#include "harness/invocation.h"
#include "harness/outcome.h"

namespace evh::harness::internal {

/// Which rules read an answer: `#dialect=lambda|rie|auto` on the target spec.
enum class Dialect { kAuto, kLambda, kRie };
const char* dialect_name(Dialect d);

/// An Invoke API answer as received. Header names compare case-insensitively (HTTP); a name
/// sent twice keeps both values, and the first is the one read.
struct InvokeAnswer {
  int status = 0;
  std::string reason;  ///< the status line's reason phrase ("" = none)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;    ///< at most the sync response cap: the caller stops reading past it

  bool has_header(std::string_view name) const;
  /// The first value of `name`, "" when absent.
  std::string header(std::string_view name) const;
};

/// True when the answer carries a header only the Lambda service sends (X-Amz-Function-Error,
/// X-Amz-Executed-Version): in the auto dialect it settles the Lambda rules for the rest of the run.
bool shows_lambda_dialect(const InvokeAnswer& answer);

/// The Outcome an answer stands for, under the Lambda rules (`lambda_rules`) or the RIE's.
/// `dialect` is the spec's, named in details; `inv` gives the request id of a timeout document.
/// Never throws: any status, headers and body are an outcome.
Outcome interpret_invoke_answer(InvokeAnswer answer, bool lambda_rules, Dialect dialect, const Invocation& inv);

/// The platform's timeout outcome (SEMANTICS.md §1: a 200 with X-Amz-Function-Error and a
/// Sandbox.Timedout document) after `timeout`.
Outcome timeout_outcome(const Invocation& inv, std::chrono::milliseconds timeout, std::string detail);

/// "Task timed out after 3.00 seconds" → 3000 ms; nullopt for anything else (SEMANTICS.md §8).
std::optional<std::chrono::milliseconds> rie_timeout_text(std::string_view body);

/// The RIE heuristic: an object with string errorType and errorMessage whose other keys are only
/// what runtimes add to an error (trace, stackTrace, requestId, cause).
bool looks_like_error_document(const Json& doc);

}  // namespace evh::harness::internal
