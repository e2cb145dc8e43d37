#include "harness/outcome.h"

#include <cstdio>

#include "harness/invocation.h"

namespace evh::harness {

const char* to_string(InvokeType t) {
  switch (t) {
    case InvokeType::kRequestResponse: return "RequestResponse";
    case InvokeType::kEvent: return "Event";
    case InvokeType::kDryRun: return "DryRun";
  }
  return "?";
}

const char* to_string(OutcomeKind k) {
  switch (k) {
    case OutcomeKind::kSuccess: return "success";
    case OutcomeKind::kFunctionError: return "function-error";
    case OutcomeKind::kTimeout: return "timeout";
    case OutcomeKind::kCrash: return "crash";
    case OutcomeKind::kInvokeError: return "invoke-error";
    case OutcomeKind::kNoAnswer: return "no-answer";
    case OutcomeKind::kDryRun: return "dry-run";
    case OutcomeKind::kQueued: return "queued";
  }
  return "?";
}

Json Outcome::to_json() const {
  Json j{{"kind", to_string(kind)}, {"status", status}};
  if (!function_error.empty()) j["functionError"] = function_error;
  if (!error_type.empty()) j["errorType"] = error_type;
  if (!error_message.empty()) j["errorMessage"] = error_message;
  if (!detail.empty()) j["detail"] = detail;
  j["durationMs"] = duration_ms;
  // The response as sent when it is JSON; the raw text otherwise (garbage is evidence).
  Json parsed = Json::parse(payload, nullptr, false);
  if (payload.empty()) {
    j["response"] = nullptr;
  } else if (!parsed.is_discarded()) {
    j["response"] = std::move(parsed);
  } else {
    j["responseText"] = payload.size() > 4096 ? payload.substr(0, 4096) + "..." : payload;
  }
  if (restarted) j["restarted"] = true;
  return j;
}

// SEMANTICS.md §8.6: the platform's own error documents.
Json timeout_error(const std::string& request_id, std::chrono::milliseconds timeout) {
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f", static_cast<double>(timeout.count()) / 1000.0);
  return Json{{"errorType", "Sandbox.Timedout"},
              {"errorMessage", "RequestId: " + request_id + " Error: Task timed out after " + secs + " seconds"}};
}

Json exit_error(const std::string& request_id, const std::string& reason) {
  return Json{{"errorType", "Runtime.ExitError"},
              {"errorMessage", "RequestId: " + request_id + " Error: " +
                                   (reason.empty() ? std::string("Runtime exited without providing a reason")
                                                   : "Runtime exited with error: " + reason)}};
}

Json response_too_large_error() {
  return Json{{"errorType", "Function.ResponseSizeTooLarge"},
              {"errorMessage", "Response payload size exceeded maximum allowed payload size (6291556 bytes)."}};
}

}  // namespace evh::harness
