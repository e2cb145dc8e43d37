// Outcome: what came back from one invocation, as the platform would see it (SEMANTICS.md §1,
// §8). A target never fails with an evh error for anything the function did: crashes, hangs,
// resets and garbage are outcomes, and the invariants judge them.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "generators/json.h"

namespace evh::harness {

enum class OutcomeKind {
  kSuccess,        ///< the function returned; `payload` is its result (may be empty: `null`)
  kFunctionError,  ///< the function reported an error (thrown, /error, X-Amz-Function-Error, exit code)
  kTimeout,        ///< no answer within the function timeout (Sandbox.Timedout)
  kCrash,          ///< the runtime or process died during the invocation (Runtime.ExitError)
  kInvokeError,    ///< the Invoke API refused before the function ran (400/413/429/5xx)
  kNoAnswer,       ///< connection refused, reset or closed without an HTTP answer
  kDryRun,         ///< DryRun accepted (204): nothing ran
  kQueued,         ///< Event accepted (202): nothing to assess here
};

const char* to_string(OutcomeKind k);

struct Outcome {
  OutcomeKind kind = OutcomeKind::kSuccess;
  int status = 200;              ///< Invoke API HTTP status as the platform reports it
  std::string payload;           ///< response bytes: the result, or the error document
  std::string content_type;      ///< as the target sent it ("" = unknown)
  std::string function_error;    ///< X-Amz-Function-Error ("Unhandled") when kind == kFunctionError
  std::string error_type;        ///< errorType / Lambda-Runtime-Function-Error-Type / Sandbox.Timedout / Runtime.ExitError / exception name
  std::string error_message;     ///< errorMessage, or what went wrong in one line
  std::string detail;            ///< what evh observed, for the trace ("exit status 139", "connection reset")
  int64_t duration_ms = 0;       ///< virtual duration of the invocation
  std::vector<Json> effects;     ///< effects reported during this invocation (any channel)
  bool restarted = false;        ///< the target restarted its runtime after this invocation

  bool ran() const { return kind == OutcomeKind::kSuccess || kind == OutcomeKind::kFunctionError || kind == OutcomeKind::kTimeout || kind == OutcomeKind::kCrash; }
  /// Makes the text fields (function_error, error_type, error_message, detail, content_type)
  /// valid UTF-8 (utf8_text): they can carry bytes from outside (headers, stderr, a body that is
  /// not JSON) and end up in findings and JSON reports. `payload` is bytes and stays as it is.
  void make_text_utf8();
  /// The outcome as the trace and reports show it; every string in it is valid UTF-8.
  Json to_json() const;
};

/// `bytes` as UTF-8 text: each byte that does not belong to a well-formed UTF-8 sequence
/// (RFC 3629: no overlong forms, surrogates or code points past U+10FFFF) becomes U+FFFD, as the
/// trace's dump() does. nlohmann's strict dump() throws on anything else.
std::string utf8_text(std::string_view bytes);

/// Error documents the platform writes (SEMANTICS.md §8.6).
Json timeout_error(const std::string& request_id, std::chrono::milliseconds timeout);
Json exit_error(const std::string& request_id, const std::string& reason);
Json response_too_large_error();

}  // namespace evh::harness
