#include "harness/run.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <unordered_map>

#include "harness/internal/subprocess.h"
#include "harness/shrink.h"

namespace evh::harness {
namespace {

// --effects-cmd: a user command printing the system's state as effects (DESIGN.md Trace and
// Effects). Bounded: a command that does not finish in time is killed and reported.
constexpr auto kEffectsCmdTimeout = std::chrono::seconds(60);

struct EffectsCmdResult {
  std::vector<Json> effects;
  std::string error;  ///< one line, "" when fine
};

EffectsCmdResult run_effects_cmd(const std::string& command) {
  EffectsCmdResult r;
  internal::Subprocess::Options o;
  o.command = command;
  o.pipe_stdin = false;
  auto p = internal::Subprocess::spawn(o);
  if (!p) {
    r.error = "--effects-cmd: " + p.error().message;
    return r;
  }
  std::string out, err;
  auto deadline = std::chrono::steady_clock::now() + kEffectsCmdTimeout;
  bool done = p->read_all(out, err, deadline);
  auto exit = done ? p->wait(deadline) : p->kill();
  if (!done) {
    r.error = "--effects-cmd '" + command + "' did not finish within 60 s";
    return r;
  }
  if (exit.code != 0) {
    r.error = "--effects-cmd '" + command + "' failed: " + exit.describe();
    return r;
  }
  auto parsed = parse_effects(out, "--effects-cmd output");
  if (!parsed) {
    r.error = parsed.error().message;
    return r;
  }
  r.effects = std::move(*parsed);
  return r;
}

// `trace_from`: the first trace entry of this case when a case's entries are contiguous (sync),
// kTraceInterleaved when cases interleave in time (async).
constexpr std::size_t kTraceInterleaved = static_cast<std::size_t>(-1);

InvariantContext context_of(const RunConfig& config, const RunResult& result) {
  InvariantContext ctx{*config.source};
  // SEMANTICS.md §4: partial batch responses are read only when the mapping asks for them.
  if (config.mode == Mode::kPoll) {
    const Json& types = config.scenario.event_source_mapping.value("FunctionResponseTypes", Json::array());
    ctx.report_batch_item_failures = types.is_array() && std::find(types.begin(), types.end(), Json("ReportBatchItemFailures")) != types.end();
    ctx.parallelization_factor = config.scenario.event_source_mapping.value("ParallelizationFactor", 1);
  }
  ctx.async = config.mode == Mode::kAsync;
  const Json& eic = config.scenario.event_invoke_config;
  ctx.max_retry_attempts = eic.value("MaximumRetryAttempts", 2);
  ctx.max_event_age_ms = eic.value("MaximumEventAgeInSeconds", int64_t{21600}) * 1000;
  ctx.trace = &result.trace.entries();
  return ctx;
}

// A finding the same case already produced (same invariant, same message): a batch retried until
// its retention ends, or an async event's retries, fail the same way on every attempt. One finding
// carries the count (evidence.repeats) instead of one identical finding per attempt. The index
// maps (case, invariant, message) to the finding's position, so a run with many findings stays
// linear.
using FindingIndex = std::unordered_map<std::string, std::size_t>;

// Records `f` as a new finding, or counts it on the one it repeats; true when it is new.
template <typename TraceOf>
bool add_finding(RunResult& result, FindingIndex& index, Finding f, const Case& kase, TraceOf&& trace_of) {
  std::string key = std::to_string(f.case_index) + '\n' + f.invariant + '\n' + f.message;
  auto [it, added] = index.try_emplace(std::move(key), result.findings.size());
  if (!added) {
    Json& evidence = result.findings[it->second].finding.evidence;
    evidence["repeats"] = evidence.value("repeats", 1) + 1;
    return false;
  }
  result.findings.push_back(FindingRecord{std::move(f), kase, trace_of()});
  return true;
}

// Run-level invariants over `runs` (every case run of an async or poll run; one case in sync mode).
void judge_runs(const RunConfig& config, const std::vector<const Invariant*>& selected, const std::vector<const CaseRun*>& runs,
                RunResult& result, std::vector<InvariantVerdict>& verdicts, FindingIndex& index) {
  const InvariantContext ctx = context_of(config, result);
  for (std::size_t i = 0; i < selected.size(); ++i) {
    if (selected[i]->check_runs == nullptr) continue;
    std::vector<RunFinding> found;
    verdicts[i].exercised += selected[i]->check_runs(runs, ctx, found);
    for (auto& rf : found) {
      const CaseRun& cr = *runs[rf.run];
      verdicts[i].findings += add_finding(result, index, std::move(rf.finding), *cr.kase, [&] { return result.trace.for_case(cr.index); });
    }
  }
}

void judge(const RunConfig& config, const std::vector<const Invariant*>& selected, const CaseRun& cr, RunResult& result,
           std::vector<InvariantVerdict>& verdicts, FindingIndex& index, std::size_t trace_from) {
  const InvariantContext ctx = context_of(config, result);
  for (std::size_t i = 0; i < selected.size(); ++i) {
    if (selected[i]->check == nullptr) continue;
    std::vector<Finding> found;
    if (selected[i]->check(cr, ctx, found)) ++verdicts[i].exercised;
    for (auto& f : found) {
      verdicts[i].findings += add_finding(result, index, std::move(f), *cr.kase, [&] {
        const auto& entries = result.trace.entries();
        return trace_from == kTraceInterleaved ? result.trace.for_case(cr.index)
                                               : std::vector<Json>(entries.begin() + static_cast<std::ptrdiff_t>(trace_from), entries.end());
      });
    }
  }
}

// --shard K/N (harness/shard.h): the shard's cases made exactly as the whole run makes them
// (generated from derive_seed(run seed, i), or --input line i), delivered under their run-wide
// indices, so every per-case draw, trace line, finding and replay is the unsharded run's.
Result<RunResult> run_shard(const RunConfig& config, Target& target, EffectsSink& sink, const Shard& shard) {
  const uint64_t total = config.input.empty() ? config.cases : config.input.size();
  std::vector<Case> cases;
  std::vector<std::size_t> indices;
  cases.reserve(shard.size_of(total));
  indices.reserve(shard.size_of(total));
  std::optional<EventGenerator> gen;
  if (config.input.empty()) {
    gen.emplace(*config.source, config.payload ? *config.payload : PayloadContract::builtin());
    gen->set_batch_size(config.batch_size);
  }
  for (uint64_t i = shard.index - 1; i < total; i += shard.count) {
    cases.push_back(gen ? make_case(*gen, derive_seed(config.seed, i), config.mutate) : config.input[i]);
    indices.push_back(static_cast<std::size_t>(i));
  }
  auto r = run_cases(config, target, sink, cases, indices);
  if (!r) return r;
  r->cases_requested = cases.size();
  r->shard = ShardRun{shard, total, std::move(indices)};
  // Shrinking re-runs one case alone (single_case_config drops the shard), under its run-wide index.
  if (config.shrink) shrink_findings(config, target, sink, *r);  // harness/shrink.cpp
  return r;
}

}  // namespace

namespace internal {

// Virtual duration of an out-of-process invocation that answered: real durations would make
// traces differ run to run, and no verdict depends on it.
constexpr int64_t kNominalInvokeMs = 10;

Invocation make_invocation(const RunState& state, const Attempt& a, std::string payload, const Json* event, Rng& rng) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  const FunctionConfig& fn = state.config.scenario.function;
  Invocation inv;
  inv.request_id = a.request_id;
  inv.payload = std::move(payload);
  inv.event = event;
  inv.now_ms = a.at_ms;
  inv.timeout = fn.timeout;
  inv.deadline_ms = a.at_ms + fn.timeout.count();
  inv.function_name = fn.name;
  inv.function_arn = fn.arn();
  inv.trace_id = "Root=1-" + rng.chars(8, kHex) + "-" + rng.chars(24, kHex) + ";Parent=" + rng.chars(16, kHex) + ";Sampled=0";
  inv.attempt = a.number;
  return inv;
}

void invoke_once(RunState& state, const Invocation& inv, Attempt& a, bool advance_clock) {
  const int64_t timeout_ms = state.config.scenario.function.timeout.count();
  state.sink.set_current(inv.request_id);
  a.outcome = state.target.invoke(inv);
  a.outcome.make_text_utf8();  // headers, stderr, bodies that are not JSON: findings and reports quote them
  ++state.invocations;
  for (auto& e : state.sink.take()) a.outcome.effects.push_back(std::move(e));
  state.sink.set_current("");
  a.invoked = a.outcome.kind != OutcomeKind::kInvokeError && a.outcome.kind != OutcomeKind::kDryRun &&
              a.outcome.kind != OutcomeKind::kQueued;
  int64_t duration = a.outcome.duration_ms > 0 ? a.outcome.duration_ms : kNominalInvokeMs;
  if (a.outcome.kind == OutcomeKind::kTimeout) duration = timeout_ms;
  a.outcome.duration_ms = std::min<int64_t>(duration, timeout_ms);
  if (advance_clock) state.clock.advance(a.outcome.duration_ms);
}

}  // namespace internal

Json RunResult::to_json() const {
  Json j{{"evh", "0.1.0"},
         {"source", source},
         {"mode", mode},
         {"target", target},
         {"seed", seed}};
  if (shard) j["shard"] = shard->to_json();
  j["verdict"] = verdict_of(findings.size(), gave_up);
  if (gave_up) j["gaveUp"] = gave_up_reason;
  j["statistics"] = {{"casesRequested", cases_requested}, {"casesRun", cases_run}, {"invocations", invocations},
                     {"findings", findings.size()}, {"virtualMs", virtual_ms}, {"realSeconds", real_seconds}};
  j["configuration"] = config;
  j["faults"] = faults;
  Json inv = Json::array();
  for (const auto& v : verdicts)
    inv.push_back({{"id", v.id}, {"status", v.status()}, {"exercised", v.exercised}, {"findings", v.findings}});
  j["invariants"] = std::move(inv);
  Json fs = Json::array();
  for (const auto& f : findings) {
    Json fj = f.finding.to_json();
    fj["seed"] = f.kase.seed;
    fj["mutations"] = f.kase.mutations;
    fj["expect"] = to_string(f.kase.expect);
    if (Json sj = shrink_json(f); !sj.is_null()) fj["shrink"] = std::move(sj);
    fs.push_back(std::move(fj));
  }
  j["findings"] = std::move(fs);
  if (!effects.empty()) j["effects"] = effects;
  if (!destinations.empty()) j["destinations"] = destinations;
  return j;
}

Result<RunResult> run_cases(const RunConfig& config, Target& target, EffectsSink& sink, const std::vector<Case>& cases,
                            const std::vector<std::size_t>& indices) {
  EVH_CHECK(config.source != nullptr) << "RunConfig without a source";
  EVH_CHECK(indices.empty() || (indices.size() == cases.size() && config.mode != Mode::kPoll)) << "case indices without their cases";
  std::vector<const Invariant*> selected = config.invariants;
  if (selected.empty())
    for (const auto& inv : invariants()) selected.push_back(&inv);

  RunResult result;
  result.source = config.source->id;
  result.mode = to_string(config.mode);
  result.target = config.target_description.empty() ? target.describe() : config.target_description;
  result.seed = config.seed;
  result.cases_requested = cases.size();
  result.config = config.scenario.to_json();
  result.faults = config.faults.to_json();
  std::vector<InvariantVerdict> verdicts(selected.size());
  for (std::size_t i = 0; i < selected.size(); ++i) verdicts[i].id = selected[i]->id;
  FindingIndex seen;  // the findings so far, by case, invariant and message

  if (auto st = target.start(); !st) return st.error();
  const auto real_start = std::chrono::steady_clock::now();
  internal::RunState state{config, target, sink, VirtualClock(), result.trace};
  if (!indices.empty()) state.indices = &indices;
  if (config.mode == Mode::kAsync) {
    std::vector<CaseRun> runs = internal::run_async(state, cases);
    std::vector<const CaseRun*> all;
    for (auto& cr : runs) {
      judge(config, selected, cr, result, verdicts, seen, kTraceInterleaved);
      for (const auto& d : cr.deliveries) result.destinations[d["to"].get<std::string>()].push_back(d["message"]);
      ++result.cases_run;
      all.push_back(&cr);
      if (config.on_case) config.on_case(cr, result.findings.size());
    }
    judge_runs(config, selected, all, result, verdicts, seen);
  }
  std::deque<Case> batches;  // poll mode: the events the mapping built, referenced by findings
  if (config.mode == Mode::kPoll) {
    std::vector<CaseRun> runs = config.source->model == InvocationModel::kPollQueue ? internal::run_poll_queue(state, cases, batches)
                                                                                    : internal::run_poll_log(state, cases, batches);
    std::vector<const CaseRun*> all;
    for (auto& cr : runs) {
      for (const auto& d : cr.deliveries) result.destinations[d["to"].get<std::string>()].push_back(d["message"]);
      if (cr.kase == nullptr) continue;
      judge(config, selected, cr, result, verdicts, seen, kTraceInterleaved);
      all.push_back(&cr);
      if (config.on_case) config.on_case(cr, result.findings.size());
    }
    judge_runs(config, selected, all, result, verdicts, seen);
    result.cases_run = cases.size();
  }
  for (std::size_t i = 0; i < cases.size() && config.mode == Mode::kSync; ++i) {
    const std::size_t trace_from = result.trace.entries().size();
    const std::size_t index = state.index_of(i);
    CaseRun cr = internal::run_sync_case(state, index, cases[i]);
    if (config.effects_cmd_each && !config.effects_cmd.empty()) {
      // The system's state after this case's deliveries, tied to the case in the trace.
      auto r = run_effects_cmd(config.effects_cmd);
      const int64_t start = state.clock.now_ms() - state.clock.elapsed_ms();
      if (!r.error.empty()) {
        state.trace.add(state.clock.now_ms(), start, "effects-error", {{"case", index}, {"error", r.error}});
      } else {
        state.trace.add(state.clock.now_ms(), start, "effects", {{"case", index}, {"effects", r.effects}});
      }
      for (auto& e : r.effects) cr.effects.push_back(std::move(e));
    }
    judge(config, selected, cr, result, verdicts, seen, trace_from);
    judge_runs(config, selected, {&cr}, result, verdicts, seen);
    ++result.cases_run;
    if (config.on_case) config.on_case(cr, result.findings.size());
  }
  if (!config.effects_cmd.empty()) {
    auto r = run_effects_cmd(config.effects_cmd);
    if (!r.error.empty()) state.trace.add(state.clock.now_ms(), state.clock.now_ms() - state.clock.elapsed_ms(), "effects-error", {{"error", r.error}});
    result.effects = std::move(r.effects);
  }
  if (!state.gave_up.empty()) {
    result.gave_up = true;
    result.gave_up_reason = state.gave_up;
  }
  result.invocations = state.invocations;
  result.virtual_ms = state.clock.elapsed_ms();
  result.real_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
  result.verdicts = std::move(verdicts);
  return result;
}

Result<RunResult> run(const RunConfig& config, Target& target, EffectsSink& sink) {
  EVH_CHECK(config.source != nullptr) << "RunConfig without a source";
  if (config.shard) {
    if (auto st = check_shard_mode(config.mode); !st) return st.error();
    return run_shard(config, target, sink, *config.shard);
  }
  // Given cases are used in place (a 100,000-record workload is not copied); generated ones are
  // owned here.
  if (!config.input.empty()) {
    auto r = run_cases(config, target, sink, config.input);
    if (r) r->cases_requested = config.input.size();
    if (r && config.shrink) shrink_findings(config, target, sink, *r);  // harness/shrink.cpp
    return r;
  }
  std::vector<Case> cases;
  {
    EventGenerator gen(*config.source, config.payload ? *config.payload : PayloadContract::builtin());
    gen.set_batch_size(config.batch_size);
    cases.reserve(config.cases);
    for (uint64_t i = 0; i < config.cases; ++i) cases.push_back(make_case(gen, derive_seed(config.seed, i), config.mutate));
    // workload.records: as many more cases as the producer needs (it stops at the count).
    if (const uint64_t want = internal::workload_records(config.scenario.workload); want > 0) {
      uint64_t have = 0;
      for (const auto& c : cases) have += record_pointers(*config.source, c.event).size();
      for (uint64_t i = cases.size(); have < want && i < want + config.cases; ++i) {
        cases.push_back(make_case(gen, derive_seed(config.seed, i), config.mutate));
        have += record_pointers(*config.source, cases.back().event).size();
      }
    }
  }
  auto r = run_cases(config, target, sink, cases);
  if (r) r->cases_requested = config.cases;
  if (r && config.shrink) shrink_findings(config, target, sink, *r);  // harness/shrink.cpp
  return r;
}

}  // namespace evh::harness
