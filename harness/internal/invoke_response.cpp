// Reading an Invoke API answer (SEMANTICS.md §1 Invoke API, §8 RIE): see invoke_response.h.
// Two dialects, because the RIE differs from the cloud where it matters to a judge: it never
// sends X-Amz-Function-Error (a function error is a 200 whose body is the error document), it
// answers a timeout with the plain text "Task timed out after N.00 seconds", and it ignores the
// invocation type.
#include "harness/internal/invoke_response.h"

#include <cctype>
#include <cstdint>
#include <initializer_list>

namespace evh::harness::internal {
namespace {

using std::chrono::milliseconds;

// --- Protocol strings (SEMANTICS.md §1 Invoke API, §8 RIE) ---------------------------------------
constexpr const char* kHeaderFunctionError = "X-Amz-Function-Error";
constexpr const char* kHeaderExecutedVersion = "X-Amz-Executed-Version";
constexpr const char* kHeaderErrorType = "x-amzn-ErrorType";
constexpr const char* kHeaderRetryAfter = "Retry-After";
constexpr const char* kHeaderContentType = "Content-Type";
constexpr const char* kJsonType = "application/json";
/// The value every AWS-recorded function error carries (SEMANTICS.md §1).
constexpr const char* kUnhandled = "Unhandled";
/// Platform error types that mean "timed out" and "the runtime died" (SEMANTICS.md §1, §8.6).
constexpr const char* kTimeoutErrorType = "Sandbox.Timedout";
constexpr const char* kExitErrorType = "Runtime.ExitError";
/// The RIE's timeout body: "Task timed out after N.00 seconds" (SEMANTICS.md §8, rie/handlers.go).
constexpr std::string_view kRieTimeoutPrefix = "Task timed out after ";
constexpr std::string_view kRieTimeoutSuffix = " seconds";
/// Statuses of the Invoke API (SEMANTICS.md §1).
constexpr int kStatusOk = 200;
constexpr int kStatusQueued = 202;    // Event
constexpr int kStatusDryRun = 204;    // DryRun
constexpr int kStatusBadRequest = 400;
constexpr int kStatusBadGateway = 502;  // RIE: init or invoke failure, with the error body
/// A "... seconds" value past this is not a timeout the RIE could have written.
constexpr int64_t kMaxRieTimeoutSeconds = 1'000'000'000;

bool equals_icase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::string string_field(const Json& doc, std::initializer_list<const char*> keys) {
  if (!doc.is_object()) return "";
  for (const char* k : keys) {
    auto it = doc.find(k);
    if (it != doc.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) return it->get<std::string>();
  }
  return "";
}

/// The exception name an Invoke API status stands for when the answer does not name one
/// (SEMANTICS.md §1, error shapes from [BOTO]). 400, 502 and others are ambiguous: no default.
const char* default_invoke_error_type(int status) {
  switch (status) {
    case 404: return "ResourceNotFoundException";
    case 409: return "ResourceConflictException";
    case 413: return "RequestEntityTooLargeException";  // wire code of RequestTooLargeException
    case 415: return "UnsupportedMediaTypeException";
    case 429: return "TooManyRequestsException";
    case 500: return "ServiceException";
    default: return "";
  }
}

/// A function error answer (header, RIE error document or RIE 502): the platform's own timeout
/// and crash documents become kTimeout and kCrash, as every other target kind reports them.
void set_function_error(Outcome& o, const std::string& header_value) {
  Json doc = parse_untrusted(o.payload);
  o.function_error = header_value.empty() ? kUnhandled : header_value;
  o.error_type = string_field(doc, {"errorType"});
  o.error_message = string_field(doc, {"errorMessage"});
  if (o.error_type == kTimeoutErrorType) o.kind = OutcomeKind::kTimeout;
  else if (o.error_type == kExitErrorType) o.kind = OutcomeKind::kCrash;
  else o.kind = OutcomeKind::kFunctionError;
}

/// 4xx/5xx from the Invoke API: the function did not run (SEMANTICS.md §1 error shapes).
Outcome invoke_error(Outcome o, const InvokeAnswer& res, bool lambda) {
  o.kind = OutcomeKind::kInvokeError;
  Json doc = parse_untrusted(o.payload);
  std::string type = res.header(kHeaderErrorType);
  type = type.substr(0, type.find(':'));  // "TooManyRequestsException:http://internal..."
  if (type.empty()) {
    type = string_field(doc, {"__type"});
    if (auto hash = type.rfind('#'); hash != std::string::npos) type = type.substr(hash + 1);
  }
  if (type.empty()) type = string_field(doc, {"errorType", "code", "Code"});
  if (type.empty()) {
    // `Type` is usually the fault side ("User", "Service"), only sometimes an exception name.
    std::string t = string_field(doc, {"Type"});
    if (t.size() > 9 && t.compare(t.size() - 9, 9, "Exception") == 0) type = t;
  }
  if (type.empty()) type = default_invoke_error_type(res.status);
  o.error_type = type;
  o.error_message = string_field(doc, {"message", "Message", "errorMessage"});
  std::string detail = "HTTP " + std::to_string(res.status);
  if (!type.empty()) detail += " " + type;
  if (std::string reason = string_field(doc, {"Reason"}); !reason.empty()) detail += "; Reason " + reason;
  if (res.has_header(kHeaderRetryAfter)) detail += "; Retry-After " + res.header(kHeaderRetryAfter);
  if (!lambda && res.status == kStatusBadRequest && o.payload.empty())
    detail += "; the RIE answers an empty 400 when an invocation is already running (it runs one at a time)";
  if (o.error_message.empty()) o.error_message = "HTTP " + std::to_string(res.status) + (res.reason.empty() ? "" : " " + res.reason);
  o.detail = std::move(detail);
  return o;
}

}  // namespace

const char* dialect_name(Dialect d) {
  switch (d) {
    case Dialect::kAuto: return "auto";
    case Dialect::kLambda: return "lambda";
    case Dialect::kRie: return "rie";
  }
  return "?";
}

bool InvokeAnswer::has_header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (equals_icase(k, name)) return true;
  return false;
}

std::string InvokeAnswer::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (equals_icase(k, name)) return v;
  return "";
}

bool shows_lambda_dialect(const InvokeAnswer& answer) {
  return answer.has_header(kHeaderFunctionError) || answer.has_header(kHeaderExecutedVersion);
}

std::optional<milliseconds> rie_timeout_text(std::string_view body) {
  auto first = body.find_first_not_of(" \t\r\n");
  auto last = body.find_last_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::nullopt;
  body = body.substr(first, last - first + 1);
  if (body.size() <= kRieTimeoutPrefix.size() + kRieTimeoutSuffix.size() || body.substr(0, kRieTimeoutPrefix.size()) != kRieTimeoutPrefix ||
      body.substr(body.size() - kRieTimeoutSuffix.size()) != kRieTimeoutSuffix)
    return std::nullopt;
  std::string_view number = body.substr(kRieTimeoutPrefix.size(), body.size() - kRieTimeoutPrefix.size() - kRieTimeoutSuffix.size());
  int64_t whole = 0, frac_ms = 0, scale = 100;
  std::size_t i = 0;
  for (; i < number.size() && std::isdigit(static_cast<unsigned char>(number[i])); ++i) {
    if (whole > kMaxRieTimeoutSeconds) return std::nullopt;
    whole = whole * 10 + (number[i] - '0');
  }
  if (i == 0) return std::nullopt;
  if (i < number.size()) {
    if (number[i] != '.') return std::nullopt;
    for (++i; i < number.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(number[i]))) return std::nullopt;
      frac_ms += (number[i] - '0') * scale;
      scale /= 10;
    }
  }
  return milliseconds(whole * 1000 + frac_ms);
}

bool looks_like_error_document(const Json& doc) {
  if (!doc.is_object()) return false;
  auto t = doc.find("errorType");
  auto m = doc.find("errorMessage");
  if (t == doc.end() || !t->is_string() || m == doc.end() || !m->is_string()) return false;
  for (const auto& [key, value] : doc.items()) {
    if (key != "errorType" && key != "errorMessage" && key != "trace" && key != "stackTrace" && key != "requestId" &&
        key != "cause")
      return false;
  }
  return true;
}

Outcome timeout_outcome(const Invocation& inv, milliseconds timeout, std::string detail) {
  Outcome o;
  o.kind = OutcomeKind::kTimeout;
  o.status = kStatusOk;  // SEMANTICS.md §1: a timeout is a 200 with X-Amz-Function-Error
  o.function_error = kUnhandled;
  Json t = timeout_error(inv.request_id, timeout);
  o.error_type = t["errorType"].get<std::string>();
  o.error_message = t["errorMessage"].get<std::string>();
  o.payload = dump(t);
  o.content_type = kJsonType;
  o.detail = std::move(detail);
  return o;
}

Outcome interpret_invoke_answer(InvokeAnswer res, bool lambda, Dialect dialect, const Invocation& inv) {
  const char* rules = lambda ? "lambda" : "rie";

  Outcome o;
  o.status = res.status;
  o.payload = std::move(res.body);
  o.content_type = res.header(kHeaderContentType);

  if (res.has_header(kHeaderFunctionError)) {  // unambiguous in either dialect
    set_function_error(o, res.header(kHeaderFunctionError));
    return o;
  }
  if (res.status == kStatusQueued) {
    o.kind = OutcomeKind::kQueued;
    return o;
  }
  if (res.status == kStatusDryRun) {
    o.kind = OutcomeKind::kDryRun;
    return o;
  }
  if (res.status >= 200 && res.status < 300) {
    if (!lambda) {
      if (auto secs = rie_timeout_text(o.payload)) {
        return timeout_outcome(inv, *secs, std::string("the server answered the RIE's timeout text (") + rules + " rules, " +
                                               dialect_name(dialect) + "): " + o.payload);
      }
      Json doc = parse_untrusted(o.payload);
      if (looks_like_error_document(doc)) {
        set_function_error(o, "");
        o.detail = std::string("a 200 whose body is an error document is a function error under the RIE rules (dialect ") +
                   dialect_name(dialect) + "; force #dialect=lambda if the handler returns such objects)";
        return o;
      }
    }
    o.kind = OutcomeKind::kSuccess;
    return o;
  }
  if (!lambda && res.status == kStatusBadGateway && !o.payload.empty()) {
    // SEMANTICS.md §8: the RIE answers an init (or invoke) failure with 502 and the error body.
    set_function_error(o, "");
    o.detail = "the RIE answers 502 with the error document when the runtime fails";
    return o;
  }
  return invoke_error(std::move(o), res, lambda);
}

}  // namespace evh::harness::internal
