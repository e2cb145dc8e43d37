// Runtime API error reports (SEMANTICS.md §8 "Error reporting"): see runtime_api_protocol.h.
#include "harness/internal/runtime_api_protocol.h"

#include <utility>

namespace evh::harness::internal {
namespace {

// --- Protocol strings (SEMANTICS.md §8) --------------------------------------------------------
constexpr const char* kJsonContentType = "application/json";
// An /error body with an X-Ray cause embedded (SEMANTICS.md §8 "Error reporting"); the cause is
// stripped from what the caller sees, as the RIE does.
constexpr const char* kErrorCauseContentType = "application/vnd.aws.lambda.error.cause+json";
// X-Amz-Function-Error: AWS-recorded value for every failure kind (SEMANTICS.md §1).
constexpr const char* kFunctionErrorUnhandled = "Unhandled";
// Used when a runtime reports an error with neither a header nor a body errorType ([RIE]
// fatalerror.go, SEMANTICS.md §1).
constexpr const char* kUnknownErrorType = "Runtime.Unknown";
// The platform's status for a function error (SEMANTICS.md §1).
constexpr int kStatusOk = 200;

/// `doc[key]` when `doc` is an object holding a string there, else "".
std::string string_member(const Json& doc, const char* key) {
  if (!doc.is_object()) return "";
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Outcome platform_error(OutcomeKind kind, const Json& doc, std::string detail) {
  Outcome o;
  o.kind = kind;
  o.status = kStatusOk;
  o.function_error = kFunctionErrorUnhandled;
  o.error_type = string_member(doc, "errorType");
  o.error_message = string_member(doc, "errorMessage");
  o.payload = dump(doc);
  o.content_type = kJsonContentType;
  o.detail = std::move(detail);
  return o;
}

Outcome reported_error(ErrorReport report, const std::string& detail) {
  std::string body = std::move(report.body);
  std::string content_type = std::move(report.content_type);
  Json doc = parse_untrusted(body);
  if (!doc.is_discarded() && doc.is_object() && content_type == kErrorCauseContentType) {
    doc.erase("errorCause");
    body = dump(doc);
    content_type = kJsonContentType;
  }
  Outcome o;
  o.kind = OutcomeKind::kFunctionError;
  o.status = kStatusOk;
  o.function_error = kFunctionErrorUnhandled;
  o.detail = detail;
  std::string body_type;
  if (!doc.is_discarded() && doc.is_object()) {
    body_type = string_member(doc, "errorType");
    o.error_message = string_member(doc, "errorMessage");
  }
  // The errorType the Invoke caller sees is the body's; the header names it when there is no
  // body (SEMANTICS.md §8 "Error reporting"). The official Node RIC sends no header on /error.
  o.error_type = !body_type.empty()                   ? body_type
                 : !report.error_type_header.empty() ? report.error_type_header
                                                      : kUnknownErrorType;
  if (doc.is_discarded()) {
    // Lambda builds the document from the header when the runtime gives no usable body.
    o.error_message = body.empty() ? o.error_type : body;
    o.payload = dump(Json{{"errorType", o.error_type}, {"errorMessage", o.error_message}});
    o.content_type = kJsonContentType;
  } else {
    o.payload = std::move(body);
    o.content_type = content_type.empty() ? kJsonContentType : content_type;
  }
  return o;
}

}  // namespace evh::harness::internal
