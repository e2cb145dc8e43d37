// Run: one harness run — cases generated (or given), delivered to a target in a mode on the
// virtual clock with a fault plan, judged by the invariants; the result model every report is
// rendered from (DESIGN.md Result).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "generators/case.h"
#include "generators/mutation.h"
#include "generators/payload.h"
#include "generators/source.h"
#include "harness/clock.h"
#include "harness/effects.h"
#include "harness/fault_plan.h"
#include "harness/invariant.h"
#include "harness/scenario.h"
#include "harness/shard.h"
#include "harness/target.h"
#include "harness/trace.h"
#include "harness/workload.h"

namespace evh::harness {

// SEMANTICS.md §1: async requests are capped at 1 MB since Oct 2025 (exact bytes not confirmed:
// evh uses 1 MiB); before, at 256 KB (262,144 bytes), which --async-payload-limit 256KB restores.
inline constexpr std::size_t kAsyncMaxPayloadBytes = 1048576;
inline constexpr std::size_t kAsyncLegacyMaxPayloadBytes = 262144;

struct RunConfig {
  const Source* source = nullptr;
  Mode mode = Mode::kSync;
  InvokeType invoke_type = InvokeType::kRequestResponse;  ///< sync: RequestResponse or DryRun
  uint64_t seed = 0;
  uint64_t cases = 100;
  MutateFilter mutate = MutateFilter::kAny;
  const PayloadContract* payload = nullptr;  ///< nullptr = the builtin default payload
  int64_t batch_size = -1;                   ///< records per generated event (-1 = drawn)
  FaultPlan faults;
  Scenario scenario;                         ///< resolved (function config, ESM, ...)
  std::vector<const Invariant*> invariants;  ///< empty = all
  std::vector<Case> input;                   ///< exact cases instead of generated ones (replay, --input)
  std::vector<InputTiming> input_timing;     ///< --input: when each input case's record arrives (poll mode)
  std::size_t async_max_payload_bytes = kAsyncMaxPayloadBytes;  ///< async mode: larger events are refused
  std::string effects_cmd;                   ///< run after the run (stdout: effects as JSON array or JSONL)
  bool effects_cmd_each = false;             ///< ... and also after each case's deliveries
  std::string target_description;
  /// Called after each case (live progress). May be empty.
  std::function<void(const CaseRun&, std::size_t findings_so_far)> on_case;
  /// Shrink each finding's case before run() returns (harness/shrink.h): re-runs the target.
  bool shrink = true;
  /// --shard K/N: make every case of the run (or take every --input line) as unsharded, deliver
  /// only those of this shard (harness/shard.h). Sync and async modes; poll mode is refused.
  std::optional<Shard> shard;
};

struct InvariantVerdict {
  std::string id;
  std::size_t exercised = 0;  ///< cases that exercised it
  std::size_t findings = 0;
  /// "held", "violated" or "not-exercised"
  std::string status() const { return findings ? "violated" : exercised ? "held" : "not-exercised"; }
};

/// A finding with the case that produced it (event, seed, mutations): what replay needs.
struct FindingRecord {
  Finding finding;
  Case kase;
  std::vector<Json> trace;  ///< the trace entries of that case
  // Shrinking (RunConfig::shrink, harness/shrink.h): `kase` is then the smallest failing case,
  // and `finding` / `trace` are those of its last failing re-run.
  bool shrunk = false;              ///< shrinking ran and the case failed again alone
  std::size_t shrink_steps = 0;     ///< re-runs shrinking took (0 = did not run)
  bool shrink_capped = false;       ///< shrinking stopped at its step cap
  std::size_t original_records = 0; ///< records of the case as found
  std::string shrink_note;          ///< dimensions skipped, or why nothing shrank
  std::optional<Case> original;     ///< the case as found, when shrinking changed it
  std::optional<FaultPlan> faults;  ///< the fault plan the shrunk case fails with (nullopt = the run's)
};

struct RunResult {
  std::string source;
  std::string mode;
  std::string target;
  uint64_t seed = 0;
  uint64_t cases_requested = 0;
  uint64_t cases_run = 0;
  uint64_t invocations = 0;
  int64_t virtual_ms = 0;
  double real_seconds = 0;
  bool gave_up = false;         ///< the budget ran out before the requested cases ran
  std::string gave_up_reason;
  Json config = Json::object(); ///< the resolved configuration (AWS defaults filled in)
  Json faults = Json::array();
  std::vector<InvariantVerdict> verdicts;
  std::vector<FindingRecord> findings;
  std::vector<Json> effects;    ///< effects not tied to a case (--effects-cmd after the run)
  Json destinations = Json::object();  ///< async: what each destination / DLQ received, by ARN
  Trace trace;
  std::optional<ShardRun> shard;  ///< --shard K/N: which part of the run this is (result.json "shard")

  /// "pass", "fail" or "gave-up" (never a pass when it gave up); `evh report merge` uses it too.
  static const char* verdict_of(std::size_t findings, bool gave_up) { return gave_up ? "gave-up" : findings ? "fail" : "pass"; }
  /// 0 all held, 1 findings (or gave up: never reported as a pass).
  static int exit_code_of(std::size_t findings, bool gave_up) { return findings == 0 && !gave_up ? 0 : 1; }
  int exit_code() const { return exit_code_of(findings.size(), gave_up); }
  Json to_json() const;
};

/// Runs `config` against a started-or-not target (run() starts it). Errors: the target is
/// unreachable at start (kUnreachable), the mode is not available (kUsage). Everything the
/// target does is an outcome, never an error.
Result<RunResult> run(const RunConfig& config, Target& target, EffectsSink& sink);

/// Re-runs one case (replay, shrinking): the same delivery logic, one case, fresh trace.
/// `indices`: the run-wide index of each case (a shard's cases); empty = their positions.
Result<RunResult> run_cases(const RunConfig& config, Target& target, EffectsSink& sink, const std::vector<Case>& cases,
                            const std::vector<std::size_t>& indices = {});

namespace internal {

/// State shared by the modes during one run.
struct RunState {
  const RunConfig& config;
  Target& target;
  EffectsSink& sink;
  VirtualClock clock;
  Trace& trace;
  uint64_t invocations = 0;
  std::string gave_up;  ///< set by a mode whose budget ran out before its work was done
  const std::vector<std::size_t>* indices = nullptr;  ///< run-wide index of each case (sharded runs); nullptr = position

  /// The run-wide index of the case at `pos` in the cases given to the mode: what the trace,
  /// findings and the per-case draws (seed ^ index) use.
  std::size_t index_of(std::size_t pos) const { return indices != nullptr ? (*indices)[pos] : pos; }
};

/// The invocation of `attempt` as every mode builds it: the function's name, ARN and timeout,
/// the virtual deadline from `attempt.at_ms`, and an X-Ray trace id drawn from `rng`.
Invocation make_invocation(const RunState& state, const Attempt& attempt, std::string payload, const Json* event, Rng& rng);

/// One invocation as every mode makes it: effects tagged with the request id and collected,
/// `attempt.invoked` set, the virtual duration fixed (SEMANTICS.md §0.12: a timeout lasts the
/// function Timeout; out-of-process answers a nominal 10 ms) and the clock advanced by it
/// (unless `advance_clock` is false: modes with concurrent lanes keep time themselves).
void invoke_once(RunState& state, const Invocation& inv, Attempt& attempt, bool advance_clock = true);

/// Sync mode (RequestResponse / DryRun): one case, its deliveries and their faults.
CaseRun run_sync_case(RunState& state, std::size_t index, const Case& kase);

/// Async mode (Event): every case queued, retried and expired on the virtual clock, with
/// destinations and the DLQ (SEMANTICS.md §2, §8.1, §8.2). Cases interleave in time.
std::vector<CaseRun> run_async(RunState& state, const std::vector<Case>& cases);

/// Poll mode on a queue (SQS standard and FIFO mappings, SEMANTICS.md §3.1, §4, §8.4): one
/// CaseRun per invocation (its batch is kept in `batches`), plus case-less runs that only carry
/// a redrive to the queue's DLQ.
std::vector<CaseRun> run_poll_queue(RunState& state, const std::vector<Case>& cases, std::deque<Case>& batches);

/// Poll mode on ordered logs (Kinesis and DynamoDB Streams shards, Kafka partitions, Amazon MQ,
/// DocumentDB change streams; SEMANTICS.md §3.2–§3.7, §4, §8.1, §8.3): one CaseRun per
/// invocation or throttle, plus case-less runs that only carry failure records / broker DLQ
/// messages.
std::vector<CaseRun> run_poll_log(RunState& state, const std::vector<Case>& cases, std::deque<Case>& batches);

}  // namespace internal

}  // namespace evh::harness
