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

namespace {

// The bytes past `i` that form one well-formed UTF-8 sequence (RFC 3629 Table 3-7), 0 if none.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = at(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlong form
    if (c == 0xED) hi = 0x9F;  // no surrogate
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // no overlong form
    if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size() || at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if ((at(i + k) & 0xC0) != 0x80) return 0;
  return n;
}

// Responses kept as text in the trace are cut to this many bytes (then "...").
constexpr std::size_t kMaxResponseTextBytes = 4096;

}  // namespace

std::string utf8_text(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const std::size_t n = utf8_sequence(bytes, i);
    if (n == 0) break;
    i += n;
  }
  if (i == bytes.size()) return std::string(bytes);  // well-formed: the usual case
  std::string out(bytes.substr(0, i));
  while (i < bytes.size()) {
    const std::size_t n = utf8_sequence(bytes, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(bytes.substr(i, n));
      i += n;
    }
  }
  return out;
}

void Outcome::make_text_utf8() {
  for (std::string* s : {&function_error, &error_type, &error_message, &detail, &content_type}) *s = utf8_text(*s);
}

Json Outcome::to_json() const {
  Json j{{"kind", to_string(kind)}, {"status", status}};
  if (!function_error.empty()) j["functionError"] = utf8_text(function_error);
  if (!error_type.empty()) j["errorType"] = utf8_text(error_type);
  if (!error_message.empty()) j["errorMessage"] = utf8_text(error_message);
  if (!detail.empty()) j["detail"] = utf8_text(detail);
  j["durationMs"] = duration_ms;
  // The response as sent when it is JSON; the raw text otherwise (garbage is evidence).
  Json parsed = parse_untrusted(payload);
  if (payload.empty()) {
    j["response"] = nullptr;
  } else if (!parsed.is_discarded()) {
    j["response"] = std::move(parsed);
  } else {
    // Cut, then made text: a sequence the cut splits becomes U+FFFD.
    j["responseText"] = payload.size() > kMaxResponseTextBytes
                            ? utf8_text(std::string_view(payload).substr(0, kMaxResponseTextBytes)) + "..."
                            : utf8_text(payload);
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
