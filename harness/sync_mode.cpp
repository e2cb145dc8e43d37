// Sync mode (RequestResponse and DryRun): SEMANTICS.md §1. Lambda invokes once per request and
// never retries; the caller does (SDKs retry throttles and timeouts), which is where the
// lost-response and timeout faults lead to a second delivery of the same event.
#include <algorithm>

#include "generators/format.h"
#include "harness/contract.h"
#include "harness/run.h"

namespace evh::harness::internal {
namespace {

// SEMANTICS.md §1 / §8b: a sync request over 6 MiB is refused with 413 before any invocation.
constexpr std::size_t kSyncRequestMaxBytes = 6291456;
// Deliveries of one case, the first included: bounds redeliveries that faults cause.
constexpr int kMaxDeliveries = 4;
// SEMANTICS.md §1/§7: the caller backs off after a 429; SDKs start near 1 s and double.
constexpr int64_t kThrottleBackoffMs = 1000;
// The `delay` fault: how late an event may reach the function (virtual ms).
constexpr int64_t kMaxDelayMs = 30000;
// A stream of draws for faults and request ids, apart from generation and mutation.
constexpr uint64_t kFaultSalt = 0x6661756c7473ULL;  // "faults"

Json fault_names(const std::vector<FaultId>& faults) {
  Json a = Json::array();
  for (auto f : faults) a.push_back(to_string(f));
  return a;
}

// The record ids of an event, as the source names them (for the trace).
Json record_ids(const Source& source, const Json& event) {
  Json ids = Json::array();
  if (!source.batched() || source.identity.id.empty()) return ids;
  for (const auto& p : record_pointers(source, event)) {
    const Json* rec = find_at(event, p);
    const Json* id = rec ? find_at(*rec, source.identity.id) : nullptr;
    if (id) ids.push_back(*id);
  }
  return ids;
}

bool report_batch_item_failures(const RunConfig& config) {
  // In sync mode the event is invoked directly and nothing reads the response; evh judges it
  // as an event source mapping with ReportBatchItemFailures would, since that is why a
  // handler returns batchItemFailures at all.
  if (config.mode == Mode::kSync) return true;
  const Json& esm = config.scenario.event_source_mapping;
  auto it = esm.find("FunctionResponseTypes");
  if (it == esm.end() || !it->is_array()) return false;
  return std::find(it->begin(), it->end(), Json("ReportBatchItemFailures")) != it->end();
}

Json contract_json(const ContractVerdict& v) {
  Json j{{"ok", v.ok}};
  if (v.http_status) j["httpStatus"] = v.http_status;
  if (!v.problems.empty()) {
    Json p = Json::array();
    for (const auto& pr : v.problems) p.push_back({{"pointer", pr.pointer}, {"message", pr.message}});
    j["problems"] = std::move(p);
  }
  return j;
}

}  // namespace

CaseRun run_sync_case(RunState& state, std::size_t index, const Case& kase) {
  const RunConfig& config = state.config;
  const Source& source = *config.source;
  CaseRun run;
  run.index = index;
  run.kase = &kase;
  Rng rng(mix64(kase.seed ^ kFaultSalt ^ (static_cast<uint64_t>(index) << 1)));
  const int64_t start = state.clock.now_ms() - state.clock.elapsed_ms();
  const std::string payload = dump(kase.event);
  const Json ids = record_ids(source, kase.event);

  state.trace.add(state.clock.now_ms(), start, "request",
                  {{"case", index}, {"seed", kase.seed}, {"mutations", kase.mutations}, {"expect", to_string(kase.expect)},
                   {"bytes", payload.size()}, {"records", ids}});
  if (payload.size() > kSyncRequestMaxBytes) {
    run.rejected = true;
    run.rejected_reason = "RequestEntityTooLargeException: Request must be smaller than 6291456 bytes for the InvokeFunction operation";
    state.trace.add(state.clock.now_ms(), start, "reject", {{"case", index}, {"status", 413}, {"reason", run.rejected_reason}});
    return run;
  }

  const bool rbif = report_batch_item_failures(config);
  int pending = 1;
  int64_t backoff = kThrottleBackoffMs;
  while (pending > 0 && static_cast<int>(run.attempts.size()) < kMaxDeliveries) {
    --pending;
    Attempt a;
    a.number = static_cast<int>(run.attempts.size()) + 1;
    a.faults = config.faults.draw(rng);
    a.request_id = uuid(rng);
    if (a.fired(FaultId::kColdStart)) {
      state.trace.add(state.clock.now_ms(), start, "fault", {{"case", index}, {"fault", "cold-start"}});
      (void)state.target.restart();
    }
    if (a.fired(FaultId::kDelay)) {
      int64_t d = rng.range(1, kMaxDelayMs);
      state.clock.advance(d);
      state.trace.add(state.clock.now_ms(), start, "fault", {{"case", index}, {"fault", "delay"}, {"delayMs", d}});
    }
    a.at_ms = state.clock.now_ms();
    // SEMANTICS.md §7: reserved concurrency 0 throttles every synchronous call. evh delivers
    // sync cases one at a time, so a reserved concurrency of 1 or more is never exceeded here.
    const bool zero_concurrency = config.scenario.reserved_concurrency && *config.scenario.reserved_concurrency == 0;
    if (a.fired(FaultId::kThrottle) || zero_concurrency) {
      // SEMANTICS.md §1 (429 body), §7: the function does not run; the caller retries later.
      a.outcome.kind = OutcomeKind::kInvokeError;
      a.outcome.status = 429;
      a.outcome.error_type = "TooManyRequestsException";
      a.outcome.error_message = "Rate Exceeded.";
      a.outcome.payload = R"({"Type":"User","message":"Rate Exceeded.","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"})";
      state.trace.add(a.at_ms, start, "throttle",
                      {{"case", index}, {"attempt", a.number}, {"requestId", a.request_id}, {"status", 429},
                       {zero_concurrency ? "reason" : "fault", zero_concurrency ? "ReservedConcurrentExecutions 0" : "throttle"}});
      state.clock.advance(backoff);
      backoff *= 2;
      run.attempts.push_back(std::move(a));
      ++pending;
      continue;
    }

    Invocation inv = make_invocation(state, a, payload, &kase.event, rng);
    inv.type = config.invoke_type;

    invoke_once(state, inv, a);

    // Faults that act after the invocation; their trace lines follow the invoke line.
    std::vector<Json> after;
    const bool can_redeliver = static_cast<int>(run.attempts.size()) + 1 < kMaxDeliveries;
    if (a.fired(FaultId::kTimeout) && a.outcome.ran()) {
      // The platform stops the function at its deadline whatever it was about to answer.
      a.response_discarded = true;
      after.push_back({{"case", index}, {"fault", "timeout"}, {"requestId", a.request_id}});
      (void)state.target.restart();
      ++pending;  // the caller (SDK) retries a timed-out request
    } else if (a.fired(FaultId::kLostResponse) && a.outcome.ran()) {
      a.response_discarded = true;
      after.push_back({{"case", index}, {"fault", "lost-response"}, {"requestId", a.request_id}});
      ++pending;
    } else if (a.fired(FaultId::kDuplicateDelivery) && a.outcome.ran() && can_redeliver) {
      after.push_back({{"case", index}, {"fault", "duplicate-delivery"}, {"requestId", a.request_id}});
      ++pending;
    } else {
      // Not acted on: keep the attempt's fault list to what really happened.
      a.faults.erase(std::remove(a.faults.begin(), a.faults.end(), FaultId::kDuplicateDelivery), a.faults.end());
    }

    if (!a.response_discarded) {
      if (a.outcome.kind == OutcomeKind::kSuccess) {
        a.verdict = assess_response(source, kase.event, a.outcome.payload, rbif);
        a.client_status = a.verdict->http_status;
      } else if (a.outcome.ran() || a.outcome.kind == OutcomeKind::kNoAnswer) {
        a.client_status = http_status_for_failure(source, a.outcome);
      }
    }

    Json entry{{"case", index}, {"requestId", a.request_id}, {"attempt", a.number}, {"type", to_string(inv.type)},
               {"records", ids}, {"outcome", a.outcome.to_json()}};
    if (!a.faults.empty()) entry["faults"] = fault_names(a.faults);
    if (a.response_discarded) entry["responseDiscarded"] = true;
    if (a.verdict) entry["contract"] = contract_json(*a.verdict);
    if (a.client_status) entry["clientStatus"] = a.client_status;
    if (!a.outcome.effects.empty()) entry["effects"] = a.outcome.effects;
    state.trace.add(a.at_ms, start, "invoke", std::move(entry));
    for (auto& f : after) state.trace.add(state.clock.now_ms(), start, "fault", std::move(f));
    for (const auto& e : a.outcome.effects) run.effects.push_back(e);
    run.attempts.push_back(std::move(a));
  }
  return run;
}

}  // namespace evh::harness::internal
