// Async mode (InvocationType Event): SEMANTICS.md §2 and the recorded behaviour of §8.1–§8.2.
// The Invoke API queues the event (202); a poller invokes the function; function errors are
// retried MaximumRetryAttempts times about 1 and 2 minutes later; throttles and 5xx before the
// function ran back off from 1 s to 5 min without counting; an event older than
// MaximumEventAgeInSeconds is discarded; the end of every event goes to its destination
// (OnSuccess / OnFailure) and, on failure, to the function's DLQ. Hours pass in microseconds.
#include <algorithm>
#include <queue>

#include "generators/format.h"
#include "harness/contract.h"
#include "harness/run.h"

namespace evh::harness::internal {
namespace {

// The retry spacing (SEMANTICS.md §8.2: 30.5–91.5 s then 91.5–213.5 s after the invoke), the
// throttle backoff (§2: 1 s up to 5 min) and the payload cap (§1: 1 MiB) are not confirmed
// (§9): they come from the scenario's "platform" block (platform_settings(), whose defaults
// are those values; docs/scenario.md `platform`); the payload cap through
// RunConfig::async_max_payload_bytes, which evh run sets from platform.asyncMaxPayloadBytes.
// Events of a run reach the queue this far apart (virtual ms).
constexpr int64_t kArrivalSpacingMs = 100;
// SEMANTICS.md §2: the DLQ's ErrorMessage attribute carries the first 1 KB.
constexpr std::size_t kDlqErrorMessageBytes = 1024;
constexpr uint64_t kAsyncSalt = 0x6173796e63ULL;  // "async"

struct EventState {
  std::size_t index = 0;   // run-wide case index (RunState::index_of): trace, draws, arrival
  std::size_t pos = 0;     // position in `cases`, `runs` and `events`
  const Case* kase = nullptr;
  std::string payload;
  std::string request_id;  // SEMANTICS.md §8.2: every attempt of one event reuses it
  Rng rng{0};
  int invokes = 0;         // function invocations of the event (approximateInvokeCount)
  int errors = 0;          // function errors so far (retries used)
  int64_t backoff = 0;     // the next throttle backoff (platform.throttleBackoffMs)
  bool done = false;
  bool duplicated = false;
  int last = -1;           // index in the case's attempts of the last one that ran
};

struct Due {
  int64_t at;
  uint64_t seq;
  std::size_t event;
  bool duplicate;
  bool operator>(const Due& o) const { return at != o.at ? at > o.at : seq > o.seq; }
};

std::string service_of(const std::string& arn) {
  // arn:aws:<service>:<region>:<account>:<resource>
  auto a = arn.find(':');
  auto b = a == std::string::npos ? a : arn.find(':', a + 1);
  auto c = b == std::string::npos ? b : arn.find(':', b + 1);
  return c == std::string::npos ? "" : arn.substr(b + 1, c - b - 1);
}

const std::string* destination(const Json& eic, const char* which) {
  auto dc = eic.find("DestinationConfig");
  if (dc == eic.end() || !dc->is_object()) return nullptr;
  auto w = dc->find(which);
  if (w == dc->end() || !w->is_object()) return nullptr;
  auto d = w->find("Destination");
  return d != w->end() && d->is_string() ? &d->get_ref<const std::string&>() : nullptr;
}

Json parse_or_text(const std::string& s) {
  if (s.empty()) return nullptr;  // SEMANTICS.md §8.6: no result is null
  Json j = parse_untrusted(s);
  return j.is_discarded() ? Json(s) : j;
}

}  // namespace

std::vector<CaseRun> run_async(RunState& state, const std::vector<Case>& cases) {
  const RunConfig& config = state.config;
  const Source& source = *config.source;
  const FunctionConfig& fn = config.scenario.function;
  const Json& eic = config.scenario.event_invoke_config;
  const int max_retries = eic.value("MaximumRetryAttempts", 2);
  const int64_t max_age_ms = eic.value("MaximumEventAgeInSeconds", int64_t{21600}) * 1000;
  const PlatformSettings platform = platform_settings(config.scenario);
  const std::string qualified_arn = fn.arn() + ":$LATEST";  // SEMANTICS.md §8.1: async records are qualified
  const int64_t start = state.clock.now_ms() - state.clock.elapsed_ms();
  std::string dlq;
  if (config.scenario.dead_letter_config.is_object())
    dlq = config.scenario.dead_letter_config.value("TargetArn", std::string());

  std::vector<CaseRun> runs(cases.size());
  std::vector<EventState> events(cases.size());
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> queue;
  uint64_t seq = 0;

  auto deliver = [&](EventState& ev, const std::string& to, const std::string& kind, Json message) {
    Json entry{{"to", to}, {"kind", kind}, {"message", message}};
    state.trace.add(state.clock.now_ms(), start, "destination", {{"case", ev.index}, {"to", to}, {"kind", kind}, {"message", std::move(message)}});
    runs[ev.pos].deliveries.push_back(std::move(entry));
  };

  // SEMANTICS.md §2 / §8.1: the invocation record and where it goes.
  auto finish = [&](EventState& ev, const std::string& condition) {
    ev.done = true;
    CaseRun& run = runs[ev.pos];
    run.condition = condition;
    Json record{{"version", "1.0"},
                {"timestamp", iso8601(state.clock.now_ms(), true)},
                {"requestContext", {{"requestId", ev.request_id}, {"functionArn", qualified_arn}, {"condition", condition},
                                    {"approximateInvokeCount", ev.invokes}}},
                {"requestPayload", ev.kase->event.is_null() ? Json::object() : ev.kase->event}};
    const Outcome* last = ev.last >= 0 ? &run.attempts[static_cast<std::size_t>(ev.last)].outcome : nullptr;
    if (last != nullptr && condition != "ZeroReservedConcurrency") {
      Json rc{{"statusCode", 200}, {"executedVersion", "$LATEST"}};
      if (condition != "Success") rc["functionError"] = "Unhandled";
      record["responseContext"] = std::move(rc);
      record["responsePayload"] = parse_or_text(last->payload);
    }
    state.trace.add(state.clock.now_ms(), start, "complete", {{"case", ev.index}, {"requestId", ev.request_id}, {"condition", condition},
                                                              {"approximateInvokeCount", ev.invokes}});
    const std::string* to = destination(eic, condition == "Success" ? "OnSuccess" : "OnFailure");
    if (to != nullptr) {
      const std::string service = service_of(*to);
      if (service == "events") {
        // SEMANTICS.md §8.1: the EventBridge envelope (plain hyphen in detail-type, as recorded).
        Json env{{"version", "0"}, {"id", uuid(ev.rng)},
                 {"detail-type", condition == "Success" ? "Lambda Function Invocation Result - Success" : "Lambda Function Invocation Result - Failure"},
                 {"source", "lambda"}, {"account", fn.account}, {"time", iso8601(state.clock.now_ms(), false)}, {"region", fn.region},
                 {"resources", {*to, qualified_arn}}, {"detail", record}};
        deliver(ev, *to, "eventbridge", std::move(env));
      } else if (service == "sqs") {
        deliver(ev, *to, "sqs", Json{{"body", dump(record)}});
      } else if (service == "sns") {
        deliver(ev, *to, "sns", Json{{"Message", dump(record)}});
      } else if (service == "lambda") {
        deliver(ev, *to, "lambda", record);
      } else if (service == "s3") {
        deliver(ev, *to, "s3", Json{{"body", dump(record)}});
      } else {
        deliver(ev, *to, service, record);
      }
    }
    if (condition != "Success" && !dlq.empty()) {
      // SEMANTICS.md §8.1: the DLQ gets the original payload with RequestID, ErrorCode, ErrorMessage.
      std::string message = last != nullptr ? last->error_message : condition;
      if (message.size() > kDlqErrorMessageBytes) message.resize(kDlqErrorMessageBytes);
      Json attrs{{"RequestID", {{"DataType", "String"}, {"StringValue", ev.request_id}}},
                 {"ErrorCode", {{"DataType", "Number"}, {"StringValue", "200"}}},
                 {"ErrorMessage", {{"DataType", "String"}, {"StringValue", message}}}};
      deliver(ev, dlq, "dlq", Json{{"body", ev.payload}, {"messageAttributes", std::move(attrs)}});
    }
  };

  for (std::size_t i = 0; i < cases.size(); ++i) {
    EventState& ev = events[i];
    // A shard's cases keep their run-wide index: the same draws and arrival time as unsharded.
    const std::size_t index = state.index_of(i);
    ev.index = index;
    ev.pos = i;
    ev.kase = &cases[i];
    ev.payload = dump(cases[i].event);
    ev.rng = Rng(mix64(cases[i].seed ^ kAsyncSalt ^ (static_cast<uint64_t>(index) << 1)));
    ev.request_id = uuid(ev.rng);
    ev.backoff = platform.throttle_backoff_initial_ms;
    CaseRun& run = runs[i];
    run.index = index;
    run.kase = &cases[i];
    run.queued_ms = start + static_cast<int64_t>(index) * kArrivalSpacingMs;
    Json request{{"case", index}, {"seed", cases[i].seed}, {"mutations", cases[i].mutations}, {"expect", to_string(cases[i].expect)},
                 {"type", "Event"}, {"requestId", ev.request_id}, {"bytes", ev.payload.size()}};
    if (ev.payload.size() > config.async_max_payload_bytes) {
      run.rejected = true;
      run.rejected_reason = "RequestEntityTooLargeException: async payload over " + std::to_string(config.async_max_payload_bytes) + " bytes";
      request["status"] = 413;
      state.trace.add(run.queued_ms, start, "request", std::move(request));
      ev.done = true;
      continue;
    }
    request["status"] = 202;
    state.trace.add(run.queued_ms, start, "request", std::move(request));
    queue.push({run.queued_ms, seq++, i, false});
  }

  const bool zero_concurrency = config.scenario.reserved_concurrency && *config.scenario.reserved_concurrency == 0;
  while (!queue.empty()) {
    Due due = queue.top();
    queue.pop();
    EventState& ev = events[due.event];
    CaseRun& run = runs[due.event];
    if (ev.done && !due.duplicate) continue;
    state.clock.advance_to(due.at);
    if (zero_concurrency) {
      // SEMANTICS.md §2, §8.1: no attempt; straight to failure handling.
      finish(ev, "ZeroReservedConcurrency");
      continue;
    }
    const int64_t age = state.clock.now_ms() - run.queued_ms;
    if (!due.duplicate && age > max_age_ms) {
      finish(ev, "EventAgeExceeded");
      continue;
    }
    Attempt a;
    a.number = static_cast<int>(run.attempts.size()) + run.throttles + 1;
    a.duplicate = due.duplicate;
    a.request_id = ev.request_id;
    a.faults = config.faults.draw(ev.rng);
    if (a.fired(FaultId::kColdStart)) {
      state.trace.add(state.clock.now_ms(), start, "fault", {{"case", ev.index}, {"fault", "cold-start"}});
      (void)state.target.restart();
    }
    if (a.fired(FaultId::kDelay)) {
      int64_t d = ev.rng.range(1, 30000);
      state.clock.advance(d);
      state.trace.add(state.clock.now_ms(), start, "fault", {{"case", ev.index}, {"fault", "delay"}, {"delayMs", d}});
    }
    a.at_ms = state.clock.now_ms();
    // SEMANTICS.md §2: a throttle or an error before the function ran is not a retry: the event
    // backs off (platform.throttleBackoffMs: by default 1 s doubling to 5 min); §8.2: an expiry
    // Lambda can foresee is reported early.
    // The retry time is said on the throttle / invoke line itself.
    auto back_off = [&](const char* action, Json line) {
      const int64_t next = state.clock.now_ms() + ev.backoff;
      ev.backoff = std::min(ev.backoff * 2, platform.throttle_backoff_max_ms);
      const bool expires = next - run.queued_ms > max_age_ms;
      if (!expires) line["retryAt"] = iso8601(next, true);
      state.trace.add(a.at_ms, start, action, std::move(line));
      if (expires) {
        finish(ev, "EventAgeExceeded");
      } else {
        queue.push({next, seq++, ev.pos, false});
      }
    };
    if (a.fired(FaultId::kThrottle) && !due.duplicate) {
      ++run.throttles;
      back_off("throttle", {{"case", ev.index}, {"requestId", ev.request_id}, {"attempt", a.number}, {"status", 429}, {"fault", "throttle"}});
      continue;
    }

    Invocation inv = make_invocation(state, a, ev.payload, &ev.kase->event, ev.rng);
    inv.function_arn = qualified_arn;  // the internal poller invokes synchronously, the qualified ARN
    invoke_once(state, inv, a);

    bool failed = a.outcome.kind != OutcomeKind::kSuccess;
    if (a.invoked && (a.fired(FaultId::kTimeout) || a.fired(FaultId::kLostResponse))) {
      // The function ran; the platform counts the attempt as failed and retries it.
      a.response_discarded = true;
      failed = true;
      if (a.fired(FaultId::kTimeout)) (void)state.target.restart();
    }
    if (a.outcome.kind == OutcomeKind::kSuccess && !a.response_discarded) {
      a.verdict = assess_response(source, ev.kase->event, a.outcome.payload, false);
      a.client_status = a.verdict->http_status;
    }
    Json entry{{"case", ev.index}, {"requestId", ev.request_id}, {"attempt", a.number}, {"type", "Event"}, {"outcome", a.outcome.to_json()}};
    if (!a.faults.empty()) {
      Json f = Json::array();
      for (auto id : a.faults) f.push_back(to_string(id));
      entry["faults"] = std::move(f);
    }
    if (a.duplicate) entry["duplicate"] = true;
    if (a.response_discarded) entry["responseDiscarded"] = true;
    if (!a.outcome.effects.empty()) entry["effects"] = a.outcome.effects;
    for (const auto& e : a.outcome.effects) run.effects.push_back(e);
    const bool duplicate_fault = a.fired(FaultId::kDuplicateDelivery);
    // An extra delivery's fate is already decided; otherwise an error before the function ran
    // backs off.
    if (!due.duplicate && (a.outcome.kind == OutcomeKind::kInvokeError || !a.invoked)) {
      back_off("invoke", std::move(entry));
      run.attempts.push_back(std::move(a));
      continue;
    }
    state.trace.add(a.at_ms, start, "invoke", std::move(entry));
    run.attempts.push_back(std::move(a));
    if (due.duplicate) continue;
    ++ev.invokes;
    ev.last = static_cast<int>(run.attempts.size()) - 1;
    if (!failed) {
      if (duplicate_fault && !ev.duplicated) {
        // SEMANTICS.md §2: at-least-once; the same event may be delivered again without error.
        ev.duplicated = true;
        const int64_t at = state.clock.now_ms() + ev.rng.range(1, 1000);
        state.trace.add(state.clock.now_ms(), start, "fault", {{"case", ev.index}, {"fault", "duplicate-delivery"}});
        queue.push({at, seq++, ev.pos, true});
      }
      finish(ev, "Success");
      continue;
    }
    ++ev.errors;
    if (ev.errors > max_retries) {
      finish(ev, "RetriesExhausted");
      continue;
    }
    // SEMANTICS.md §8.2 (platform.asyncRetryDelaysMs): the retry's window after the invoke.
    const auto& window = platform.async_retry_delays_ms[std::min(ev.errors, 2) - 1];
    const int64_t next = run.queued_ms + ev.rng.range(window[0], window[1]);
    const int64_t at = std::max(next, state.clock.now_ms() + 1);
    if (at - run.queued_ms > max_age_ms) {
      finish(ev, "EventAgeExceeded");  // SEMANTICS.md §8.2: reported early, not waited out
      continue;
    }
    state.trace.add(state.clock.now_ms(), start, "requeue", {{"case", ev.index}, {"reason", "function error"}, {"retry", ev.errors}, {"retryAt", iso8601(at, true)}});
    queue.push({at, seq++, ev.pos, false});
  }
  return runs;
}

}  // namespace evh::harness::internal
