// Target: what is being tested, behind one interface (DESIGN.md Target). Kinds, one table in
// target.cpp: builtin:NAME, in-process handler, http://HOST:PORT[/path] (Invoke API, Lambda
// or RIE dialect), runtime-api:'CMD' (evh serves the Runtime API 2018-06-01 and starts CMD),
// exec:'CMD' (one process per invocation), exec-persistent:'CMD' (newline-delimited JSON).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "generators/error.h"
#include "harness/context.h"
#include "harness/effects.h"
#include "harness/invocation.h"
#include "harness/outcome.h"

namespace evh::harness {

/// The function's configuration as the target needs it (scenario "function" block).
struct FunctionConfig {
  std::string name = "evh-function";
  std::string region = "us-east-1";
  std::string account = "123456789012";
  std::chrono::milliseconds timeout{3000};  ///< Timeout (SEMANTICS.md §1: 1–900 s, default 3 s)
  int memory_mb = 128;                      ///< MemorySize
  std::string handler = "index.handler";    ///< _HANDLER for runtime-api targets

  std::string arn() const { return "arn:aws:lambda:" + region + ":" + account + ":function:" + name; }
};

struct TargetOptions {
  FunctionConfig function;
  int concurrency = 1;                 ///< runtime processes (runtime-api) / parallel slots
  std::string effects_url;             ///< EVH_EFFECTS_URL passed to out-of-process targets ("" = none)
  EffectsSink* effects = nullptr;      ///< where in-process effects go (and HTTP sink effects)
  std::map<std::string, std::string> env;  ///< extra environment for processes
  /// Resolves builtin:NAME (the example handlers live outside the harness library).
  std::function<const Handler*(const std::string& name)> builtin;
};

class Target {
 public:
  virtual ~Target() = default;
  /// "runtime-api:node examples/node/handler.js" — for the trace and reports.
  virtual std::string describe() const = 0;
  /// Brings the target up (starts processes, checks the endpoint answers). An endpoint that
  /// cannot be reached at all is ErrorCode::kUnreachable (exit 3).
  virtual Status start() = 0;
  /// One invocation. Never throws, never hangs past the invocation's timeout plus a bounded
  /// grace: anything the function does is an Outcome.
  virtual Outcome invoke(const Invocation& inv) = 0;
  /// A cold start: a fresh runtime before the next invocation (no-op where meaningless).
  virtual Status restart() { return Ok{}; }
  /// Stops processes; idempotent.
  virtual void stop() {}
  /// How many invocations may run at once (concurrency of runtime processes).
  virtual int slots() const { return 1; }
  /// Whether invoke() reads Invocation::payload when Invocation::event is set. An in-process
  /// handler takes the event itself, so poll modes need not serialize every batch for it.
  virtual bool reads_payload_bytes() const { return true; }
  /// Whether an invocation that times out costs real time (a process runs until it is killed)
  /// rather than virtual time (an in-process handler spends its deadline on the virtual clock).
  /// Shrinking bounds its timed-out re-runs by it (harness/shrink.h).
  virtual bool timeouts_take_real_time() const { return true; }
};

/// Builds a target from its spec string (the --target flag). Unknown kinds, empty commands
/// and malformed URLs are ErrorCode::kUsage.
Result<std::unique_ptr<Target>> make_target(const std::string& spec, const TargetOptions& options);

/// An in-process target around a handler (also what builtin:NAME makes).
std::unique_ptr<Target> make_in_process_target(Handler handler, std::string name, const TargetOptions& options);

/// One line per target kind, for `evh list targets` and the docs.
struct TargetKind {
  const char* prefix;   ///< "builtin:", "http://", "runtime-api:", "exec:", "exec-persistent:"
  const char* summary;
};
const std::vector<TargetKind>& target_kinds();

}  // namespace evh::harness
