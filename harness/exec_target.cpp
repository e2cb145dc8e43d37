// The subprocess targets (docs/exec-protocol.md): exec:CMD runs one process per invocation
// (event on stdin, result on stdout, context in environment variables); exec-persistent:CMD
// keeps one process and speaks newline-delimited JSON with it. Whatever the process does
// (crash, hang, garbage, protocol mistakes) is an Outcome, never an evh error, and every wait
// ends at the invocation's timeout.
#include <chrono>
#include <optional>
#include <string_view>

#include "harness/internal/subprocess.h"
#include "harness/internal/targets.h"

namespace evh::harness::internal {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// SEMANTICS.md §1: the largest response a sync invoke returns (6 MiB + 100 B).
constexpr std::size_t kResponseMaxBytes = 6291556;
// SEMANTICS.md §1: every AWS-recorded function error, timeout and runtime exit is "Unhandled".
constexpr const char* kUnhandled = "Unhandled";
// SEMANTICS.md §1 (Invoke API errors), §8.6: a body that is not JSON is refused with 400.
constexpr int kInvalidRequestStatus = 400;
constexpr const char* kInvalidRequestType = "InvalidRequestContentException";
constexpr const char* kInvalidRequestMessage = "Could not parse request body into json";
// SEMANTICS.md §1: DryRun answers 204 and runs nothing.
constexpr int kDryRunStatus = 204;
// SEMANTICS.md §8: unqualified invokes run $LATEST.
constexpr const char* kLatestVersion = "$LATEST";
// errorType of an error the process reported as plain text (exit status ≠ 0, or stderr only).
constexpr const char* kTextErrorType = "Error";
// errorType of an exec-persistent answer that breaks the protocol (evh's name, in the family of
// the Runtime API's fatal errors, SEMANTICS.md §1 / §8).
constexpr const char* kInvalidResponseType = "Runtime.InvalidResponse";
// exec-persistent start: a process that ends this soon never served (e.g. exit 127).
constexpr milliseconds kStartProbe{200};
// exec: after the process exited, how long background children it left may keep the pipes open
// before the group is killed.
constexpr milliseconds kExitGrace{100};
// exec: how often the read loop looks whether the process has exited.
constexpr milliseconds kReadSlice{50};
// Reading what is left after a kill: the pipes close as soon as the group is gone.
constexpr milliseconds kDrainAfterKill{500};
// exec-persistent: how long a process that closed its stdout may take to exit.
constexpr milliseconds kCloseGrace{500};
// Longest errorMessage / detail excerpt taken from the process's own output.
constexpr std::size_t kExcerptChars = 512;

// Environment variables (docs/exec-protocol.md).
constexpr const char* kEnvRequestId = "EVH_REQUEST_ID";
constexpr const char* kEnvDeadlineMs = "EVH_DEADLINE_MS";
constexpr const char* kEnvFunctionArn = "EVH_FUNCTION_ARN";
constexpr const char* kEnvEffectsUrl = "EVH_EFFECTS_URL";
constexpr const char* kEnvClientContext = "EVH_CLIENT_CONTEXT";
constexpr const char* kEnvCognitoIdentity = "EVH_COGNITO_IDENTITY";
constexpr const char* kEnvTraceId = "_X_AMZN_TRACE_ID";
constexpr const char* kEnvFunctionName = "AWS_LAMBDA_FUNCTION_NAME";
constexpr const char* kEnvMemorySize = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE";
constexpr const char* kEnvVersion = "AWS_LAMBDA_FUNCTION_VERSION";
constexpr const char* kEnvRegion = "AWS_REGION";
constexpr const char* kEnvDefaultRegion = "AWS_DEFAULT_REGION";

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

std::string trim_newlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string excerpt(std::string_view s) {
  return s.size() > kExcerptChars ? std::string(s.substr(0, kExcerptChars)) + "..." : std::string(s);
}

// The last non-blank line: where a stack trace or a shell puts the reason.
std::string last_line(std::string_view text) {
  std::size_t end = text.size();
  while (end > 0) {
    std::size_t start = text.rfind('\n', end - 1);
    start = start == std::string_view::npos ? 0 : start + 1;
    std::string_view line = text.substr(start, end - start);
    if (!blank(line)) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
      return excerpt(line);
    }
    if (start == 0) break;
    end = start - 1;
  }
  return "";
}

std::string with_stderr(std::string detail, std::string_view err) {
  std::string line = last_line(err);
  if (!line.empty()) detail += "; stderr: " + line;
  return detail;
}

std::string string_field(const Json& doc, const char* key, const std::string& fallback) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// DryRun and non-JSON bodies are answered by the Invoke API itself, as for every target kind.
std::optional<Outcome> answered_before_running(const Invocation& inv) {
  Outcome o;
  if (inv.type == InvokeType::kDryRun) {
    o.kind = OutcomeKind::kDryRun;
    o.status = kDryRunStatus;
    return o;
  }
  if (inv.event == nullptr && !Json::accept(inv.payload)) {
    o.kind = OutcomeKind::kInvokeError;
    o.status = kInvalidRequestStatus;
    o.error_type = kInvalidRequestType;
    o.error_message = kInvalidRequestMessage;
    return o;
  }
  return std::nullopt;
}

Outcome success(std::string payload) {
  Outcome o;
  o.kind = OutcomeKind::kSuccess;
  o.content_type = "application/json";
  if (payload.size() > kResponseMaxBytes) {
    // SEMANTICS.md §1 / §8.6: an oversized response fails the invocation.
    Json doc = response_too_large_error();
    o.kind = OutcomeKind::kFunctionError;
    o.function_error = kUnhandled;
    o.error_type = doc["errorType"].get<std::string>();
    o.error_message = doc["errorMessage"].get<std::string>();
    o.detail = "response of " + std::to_string(payload.size()) + " bytes";
    o.payload = dump(doc);
    return o;
  }
  o.payload = std::move(payload);
  return o;
}

// A function error, timeout or crash carrying the error document `doc` as its payload.
Outcome failure(OutcomeKind kind, const Json& doc, std::string detail, std::string payload = {}) {
  Outcome o;
  o.kind = kind;
  o.function_error = kUnhandled;
  o.error_type = string_field(doc, "errorType", kTextErrorType);
  o.error_message = string_field(doc, "errorMessage", "");
  o.payload = payload.empty() ? dump(doc) : std::move(payload);
  o.content_type = "application/json";
  o.detail = std::move(detail);
  return o;
}

Outcome text_error(const std::string& message, std::string detail) {
  return failure(OutcomeKind::kFunctionError, Json{{"errorType", kTextErrorType}, {"errorMessage", message}},
                 std::move(detail));
}

Outcome timed_out(const Invocation& inv, std::string detail) {
  return failure(OutcomeKind::kTimeout, timeout_error(inv.request_id, inv.timeout), std::move(detail));
}

Outcome crashed(const Invocation& inv, const std::string& reason, std::string detail) {
  return failure(OutcomeKind::kCrash, exit_error(inv.request_id, reason), std::move(detail));
}

Outcome not_started(const Error& e) {
  Outcome o;
  o.kind = OutcomeKind::kNoAnswer;
  o.status = 0;
  o.error_message = e.message;
  o.detail = "the process could not be started";
  return o;
}

// Environment every process of a target gets (docs/exec-protocol.md).
std::map<std::string, std::string> function_env(const TargetOptions& options) {
  const FunctionConfig& fn = options.function;
  std::map<std::string, std::string> env{
      {kEnvFunctionName, fn.name},     {kEnvMemorySize, std::to_string(fn.memory_mb)},
      {kEnvVersion, kLatestVersion},   {kEnvRegion, fn.region},
      {kEnvDefaultRegion, fn.region},  {kEnvFunctionArn, fn.arn()},
  };
  if (!options.effects_url.empty()) env[kEnvEffectsUrl] = options.effects_url;
  return env;
}

// The deadline a process sees: real wall-clock epoch ms (now + the function timeout), like the
// runtime-api target's Lambda-Runtime-Deadline-Ms, so that `deadline - Date.now()` is the time
// left. The virtual deadline stays in the trace; a process cannot read evh's virtual clock.
int64_t real_deadline_ms(const Invocation& inv) {
  auto now = std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  return (now + inv.timeout).count();
}

std::string ms(milliseconds d) { return std::to_string(d.count()) + " ms"; }

// The program a command starts, when the shell cannot find it: every invocation would exit 127
// ("not found"), which is a target that cannot run (exit 3), not a handler's bug. Only a plain
// first word is checked; `cd dir && ...`, variables and quoting are left to the shell. "" = found
// or not checked.
std::string missing_program(const std::string& command) {
  const auto begin = command.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  const std::string first = command.substr(begin, command.find_first_of(" \t\n", begin) - begin);
  if (first.find_first_of(";&|<>()$`'\"\\=*?[]{}~#") != std::string::npos) return "";
  Subprocess::Options o;
  o.command = "command -v -- '" + first + "' >/dev/null 2>&1";
  o.pipe_stdin = false;
  auto p = Subprocess::spawn(o);
  if (!p) return "";
  const auto deadline = steady_clock::now() + std::chrono::seconds(5);
  std::string out, err;
  p->read_all(out, err, deadline);
  const Subprocess::Exit e = p->wait(deadline);
  return e.exited && e.code != 0 ? first : "";
}

// ---------------------------------------------------------------------------------------------
// exec:CMD

class ExecTarget final : public Target {
 public:
  ExecTarget(std::string command, const TargetOptions& options) : command_(std::move(command)), options_(options) {}

  std::string describe() const override { return "exec:" + command_; }

  Status start() override {
    if (blank(command_)) return make_error(ErrorCode::kUsage, "--target exec: needs a command, e.g. exec:'node handler.js'");
    if (auto missing = missing_program(command_); !missing.empty())
      return make_error(ErrorCode::kUnreachable, "exec:'" + command_ + "': the shell finds no program '" + missing +
                                                     "' (not on PATH, or not an executable file)");
    return Ok{};
  }

  Outcome invoke(const Invocation& inv) override {
    if (auto o = answered_before_running(inv)) return *o;
    Subprocess::Options so;
    so.command = command_;
    so.env = invocation_env(inv);
    const Deadline deadline = steady_clock::now() + inv.timeout;
    auto proc = Subprocess::spawn(so);
    if (!proc) return not_started(proc.error());

    // A process that does not read its stdin (EPIPE) still answers: the write result is moot.
    (void)proc->write_stdin(inv.payload, deadline);
    proc->close_stdin();

    std::string out, err;
    bool eof = false;
    while (!eof && steady_clock::now() < deadline) {
      eof = proc->read_all(out, err, std::min<Deadline>(deadline, steady_clock::now() + kReadSlice));
      if (!eof && proc->poll().exited) {
        // The process is done but something it started in the background holds the pipes: the
        // invocation ended with the process (docs/exec-protocol.md); the leftovers are killed.
        eof = proc->read_all(out, err, std::min<Deadline>(deadline, steady_clock::now() + kExitGrace));
        if (!eof) {
          proc->kill();
          (void)proc->read_all(out, err, steady_clock::now() + kDrainAfterKill);
          eof = true;
        }
      }
    }
    Subprocess::Exit exit = proc->poll();
    if (!exit.exited) exit = proc->wait(deadline);
    if (!exit.exited) {
      proc->kill();
      return timed_out(inv, with_stderr("no exit within " + ms(inv.timeout) + "; the process group was killed", err));
    }
    return classify(inv, exit, out, err);
  }

 private:
  std::map<std::string, std::string> invocation_env(const Invocation& inv) const {
    auto env = function_env(options_);
    env[kEnvRequestId] = inv.request_id;
    env[kEnvDeadlineMs] = std::to_string(real_deadline_ms(inv));
    if (!inv.function_arn.empty()) env[kEnvFunctionArn] = inv.function_arn;
    if (!inv.function_name.empty()) env[kEnvFunctionName] = inv.function_name;
    if (!inv.trace_id.empty()) env[kEnvTraceId] = inv.trace_id;
    if (!inv.client_context.empty()) env[kEnvClientContext] = inv.client_context;
    if (!inv.cognito_identity.empty()) env[kEnvCognitoIdentity] = inv.cognito_identity;
    for (const auto& [k, v] : options_.env) env[k] = v;  // the user's word is last
    return env;
  }

  // docs/exec-protocol.md, "exec: outcomes".
  static Outcome classify(const Invocation& inv, const Subprocess::Exit& exit, const std::string& out,
                          const std::string& err) {
    if (exit.signal != 0) return crashed(inv, exit.describe(), with_stderr(exit.describe(), err));
    if (exit.code != 0) {
      std::string text = trim_newlines(out);
      Json doc = parse_untrusted(text);
      if (doc.is_object() && ((doc.contains("errorType") && doc["errorType"].is_string()) ||
                              (doc.contains("errorMessage") && doc["errorMessage"].is_string()))) {
        return failure(OutcomeKind::kFunctionError, doc, with_stderr(exit.describe(), err), std::move(text));
      }
      if (!blank(out) || !blank(err)) {
        std::string message = last_line(err);
        if (message.empty()) message = last_line(out);
        return text_error(message, with_stderr(exit.describe(), err));
      }
      // Silent non-zero exit: what Lambda reports for a runtime that exits (SEMANTICS.md §8.6).
      return crashed(inv, exit.describe(), exit.describe() + " without output");
    }
    if (blank(out)) {
      if (!blank(err)) {
        return text_error(last_line(err), "stderr-only: exit status 0 with no result on stdout and text on stderr");
      }
      return success("null");  // SEMANTICS.md §8.6: no result is the payload null
    }
    return success(trim_newlines(out));
  }

  std::string command_;
  TargetOptions options_;
};

// ---------------------------------------------------------------------------------------------
// exec-persistent:CMD

class ExecPersistentTarget final : public Target {
 public:
  ExecPersistentTarget(std::string command, const TargetOptions& options)
      : command_(std::move(command)), options_(options) {}

  std::string describe() const override { return "exec-persistent:" + command_; }

  Status start() override {
    if (blank(command_))
      return make_error(ErrorCode::kUsage, "--target exec-persistent: needs a command, e.g. exec-persistent:'node handler.js'");
    if (proc_ && proc_->running()) return Ok{};
    if (auto st = spawn(); !st) return st;
    Subprocess::Exit e = proc_->wait(steady_clock::now() + kStartProbe);
    if (!e.exited) return Ok{};
    std::string why = last_line(proc_->take_stderr());
    proc_.reset();
    return make_error(ErrorCode::kUnreachable, "exec-persistent:'" + command_ + "': the process exited at start with " +
                                                   e.describe() + (why.empty() ? "" : " (" + why + ")"));
  }

  Status restart() override {
    proc_.reset();  // kills and reaps the group
    return spawn();
  }

  void stop() override { proc_.reset(); }

  Outcome invoke(const Invocation& inv) override {
    if (auto o = answered_before_running(inv)) return *o;
    std::string cold;
    if (!proc_ || !proc_->running()) {
      if (proc_) cold = "cold start: the previous process had ended (" + proc_->poll().describe() + "); ";
      if (auto st = spawn(); !st) return not_started(st.error());
    }
    const Deadline deadline = steady_clock::now() + inv.timeout;
    // A failed write means the process is gone or stopped reading: the read below tells which.
    (void)proc_->write_stdin(request_line(inv), deadline);

    while (true) {
      bool timeout = false;
      std::optional<std::string> line = proc_->read_line(deadline, &timeout);
      if (!line && timeout) {
        std::string err = proc_->take_stderr();
        Outcome o = timed_out(inv, with_stderr(cold + "no answer within " + ms(inv.timeout) + "; the process was killed", err));
        return restarted(std::move(o));
      }
      if (!line) {
        // stdout closed: the process is exiting (or closed it and lives on: then it is killed).
        Subprocess::Exit e = proc_->wait(std::min<Deadline>(deadline, steady_clock::now() + kCloseGrace));
        std::string reason = e.exited ? e.describe() : "stdout closed";
        std::string tail, err;
        if (e.exited) (void)proc_->read_all(tail, err, steady_clock::now() + kDrainAfterKill);
        err += proc_->take_stderr();
        std::string detail = cold + "the process ended during the invocation (" + reason + ")";
        if (!blank(tail)) detail += "; unterminated output: " + excerpt(tail);
        return restarted(crashed(inv, reason, with_stderr(detail, err)));
      }
      std::string text = trim_newlines(*line);
      if (blank(text)) continue;  // blank lines carry nothing (docs/exec-protocol.md)
      Outcome o = read_answer(inv, text);
      // Diagnostics explain the invocation that fails next; what came before it answered is old.
      if (proc_) (void)proc_->take_stderr();
      if (!cold.empty()) o.detail = cold + o.detail;
      return o;
    }
  }

 private:
  Status spawn() {
    Subprocess::Options so;
    so.command = command_;
    so.env = function_env(options_);
    for (const auto& [k, v] : options_.env) so.env[k] = v;
    // stderr is piped and drained by every Subprocess wait (never a deadlock); its tail explains
    // start failures and crashes.
    auto p = Subprocess::spawn(so);
    if (!p) return p.error();
    proc_ = std::move(*p);
    return Ok{};
  }

  // Kill, then start a fresh process for the next invocation (a cold start).
  Outcome restarted(Outcome o) {
    proc_.reset();
    if (auto st = spawn(); !st) o.detail += "; restart failed: " + st.error().message;
    o.restarted = true;
    return o;
  }

  // One request line: the envelope, then the event bytes as sent (docs/exec-protocol.md).
  static std::string request_line(const Invocation& inv) {
    Json head{{"requestId", inv.request_id},
              {"deadlineMs", real_deadline_ms(inv)},
              {"functionArn", inv.function_arn},
              {"functionName", inv.function_name}};
    if (!inv.trace_id.empty()) head["traceId"] = inv.trace_id;
    if (!inv.client_context.empty()) head["clientContext"] = inv.client_context;
    if (!inv.cognito_identity.empty()) head["cognitoIdentity"] = inv.cognito_identity;
    std::string line = dump(head);
    line.pop_back();  // the closing brace: "event" comes last, unparsed
    line += ",\"event\":";
    // In valid JSON (checked before) a raw newline can only be whitespace between tokens.
    for (char c : inv.payload) line += (c == '\n' || c == '\r') ? ' ' : c;
    line += "}\n";
    return line;
  }

  // docs/exec-protocol.md, "exec-persistent: answers".
  Outcome read_answer(const Invocation& inv, const std::string& text) {
    Json doc = parse_untrusted(text);
    if (doc.is_discarded()) {
      // Not JSON: the only way to answer bytes the envelope cannot carry. It is the result, for
      // the contract checks to judge; the process restarts since its framing is in doubt.
      Outcome o = success(text);
      o.detail = "the answer line is not JSON: taken as the raw result";
      return restarted(std::move(o));
    }
    auto violation = [&](const std::string& what) {
      Json e{{"errorType", kInvalidResponseType}, {"errorMessage", "RequestId: " + inv.request_id + " Error: " + what}};
      return restarted(failure(OutcomeKind::kCrash, e, "protocol violation: " + what + ": " + excerpt(text)));
    };
    if (!doc.is_object() || !doc.contains("requestId")) return violation("the answer is JSON but has no requestId");
    if (!doc["requestId"].is_string() || doc["requestId"].get<std::string>() != inv.request_id)
      return violation("the answer is for requestId " + excerpt(doc["requestId"].dump()) + ", not " + inv.request_id);
    const bool has_result = doc.contains("result"), has_error = doc.contains("error");
    if (has_result == has_error) return violation("the answer must hold exactly one of \"result\" and \"error\"");
    if (has_result) return success(dump(doc["result"]));
    const Json& error = doc["error"];
    if (!error.is_object()) return violation("\"error\" is not an object");
    return failure(OutcomeKind::kFunctionError, error, "", dump(error));
  }

  std::string command_;
  TargetOptions options_;
  std::optional<Subprocess> proc_;
};

}  // namespace

Result<std::unique_ptr<Target>> make_exec_target(const std::string& command, const TargetOptions& options) {
  if (blank(command)) return make_error(ErrorCode::kUsage, "--target exec: needs a command, e.g. exec:'node handler.js'");
  return std::unique_ptr<Target>(std::make_unique<ExecTarget>(command, options));
}

Result<std::unique_ptr<Target>> make_exec_persistent_target(const std::string& command, const TargetOptions& options) {
  if (blank(command))
    return make_error(ErrorCode::kUsage, "--target exec-persistent: needs a command, e.g. exec-persistent:'node handler.js'");
  return std::unique_ptr<Target>(std::make_unique<ExecPersistentTarget>(command, options));
}

}  // namespace evh::harness::internal
