// Poll mode for queues (event source mappings on SQS standard and FIFO): SEMANTICS.md §3, §3.1,
// §4, §8.3, §8.4. Records of the generated cases are sent to a simulated queue; the mapping
// receives batches (BatchSize, MaximumBatchingWindowInSeconds, the 6 MB cap), invokes the
// function synchronously, deletes what succeeded (all of it, or what a partial batch response
// did not list), and failed messages reappear after the visibility timeout until the queue's
// redrive policy moves them to its DLQ. FIFO: per-MessageGroupId order, one in-flight batch per
// group. Several batches are in flight at once (SEMANTICS.md §3.1, §7: the mapping starts with 5
// concurrent invokes and adds up to 300 a minute, capped by ScalingConfig.MaximumConcurrency);
// invocations beyond the function's reserved concurrency are throttled. Ordered logs (streams,
// Kafka, MQ, DocumentDB) are in stream_mode.cpp.
#include <algorithm>
#include <cstdlib>
#include <deque>

#include "generators/format.h"
#include "harness/contract.h"
#include "harness/filter.h"
#include "harness/run.h"
#include "harness/workload.h"

namespace evh::harness::internal {
namespace {

// SEMANTICS.md §0.6, §3: the ESM batch cap.
constexpr std::size_t kBatchMaxBytes = 6291456;
// SEMANTICS.md §3.1, §7: a standard-queue mapping starts with 5 concurrent invokes, adds up to
// 300 per minute (5 per second) and stops at 1,250, or at ScalingConfig.MaximumConcurrency.
constexpr int64_t kInitialConcurrency = 5;
constexpr int64_t kScaleUpPerSecond = 5;
constexpr int64_t kMaxConcurrency = 1250;
// SQS FIFO: a message with the MessageDeduplicationId of one sent in the last 5 minutes is
// accepted but not delivered (SQS API).
constexpr int64_t kDedupWindowMs = 5 * 60 * 1000;
// A bound on invocations per run: a poison message without a redrive policy is retried until
// the retention period ends (4 days by default), which is bounded but long.
constexpr uint64_t kMaxInvocationsPerCase = 200;
constexpr uint64_t kPollSalt = 0x706f6c6cULL;  // "poll"
constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

struct Message {
  std::size_t case_index = 0;
  Json record;           // as generated; receive count and receipt handle change per receive
  std::size_t bytes = 0; // serialised size, for the 6 MB batch cap
  std::string id;
  std::string group;     // FIFO MessageGroupId ("" for standard queues)
  int64_t sent_at = 0;
  int64_t visible_at = 0;
  int receives = 0;
  int64_t received_at = 0;    // the last receive (the visibility timeout runs from it)
  int64_t first_receive = 0;  // ApproximateFirstReceiveTimestamp
  bool in_flight = false;
  bool final = false;    // deleted, redriven or expired
};

int64_t seconds(const Json& block, const char* key, int64_t fallback) {
  auto it = block.find(key);
  if (it == block.end()) return fallback;
  if (it->is_number()) return it->get<int64_t>();
  if (it->is_string()) return std::atoll(it->get<std::string>().c_str());  // SQS attributes are strings
  return fallback;
}

}  // namespace

std::vector<CaseRun> run_poll_queue(RunState& state, const std::vector<Case>& cases, std::deque<Case>& batches) {
  const RunConfig& config = state.config;
  const Source& source = *config.source;
  const Json& esm = config.scenario.event_source_mapping;
  const Json& queue_cfg = config.scenario.queue;
  const std::size_t batch_size = static_cast<std::size_t>(seconds(esm, "BatchSize", 10));
  const int64_t window_ms = seconds(esm, "MaximumBatchingWindowInSeconds", 0) * 1000;
  // SEMANTICS.md §3.1: with a batching window, when window + function timeout exceeds the
  // queue's visibility timeout, the mapping uses window + timeout + 30 s instead.
  const int64_t function_ms = config.scenario.function.timeout.count();
  int64_t visibility_ms = seconds(queue_cfg, "VisibilityTimeout", 30) * 1000;
  if (window_ms > 0 && window_ms + function_ms > visibility_ms) visibility_ms = window_ms + function_ms + 30000;
  const int64_t retention_ms = seconds(queue_cfg, "MessageRetentionPeriod", 345600) * 1000;
  int max_receives = 0;
  std::string dlq;
  if (auto rp = queue_cfg.find("RedrivePolicy"); rp != queue_cfg.end()) {
    Json policy = rp->is_string() ? parse_untrusted(rp->get<std::string>()) : *rp;
    if (policy.is_object()) {
      max_receives = static_cast<int>(seconds(policy, "maxReceiveCount", 0));
      dlq = policy.value("deadLetterTargetArn", std::string());
    }
  }
  bool rbif = false;
  if (auto frt = esm.find("FunctionResponseTypes"); frt != esm.end() && frt->is_array())
    rbif = std::find(frt->begin(), frt->end(), Json("ReportBatchItemFailures")) != frt->end();
  int64_t max_concurrency = kMaxConcurrency;
  if (auto sc = esm.find("ScalingConfig"); sc != esm.end() && sc->is_object())
    max_concurrency = seconds(*sc, "MaximumConcurrency", kMaxConcurrency);
  const std::optional<int> reserved = config.scenario.reserved_concurrency;
  const int64_t start = state.clock.now_ms() - state.clock.elapsed_ms();
  Rng rng(mix64(config.seed ^ kPollSalt));
  // SEMANTICS.md §5, §8b: FilterCriteria on `body`; a message that matches no filter is deleted
  // without being delivered. The scenario loader already refused invalid patterns.
  FilterCriteria filters;
  if (auto fc = esm.find("FilterCriteria"); fc != esm.end()) {
    auto parsed = FilterCriteria::parse(*fc);
    if (parsed) filters = std::move(*parsed);
  }

  // The producer: every record of every case is a message (shaped by the scenario's workload).
  std::vector<Message> messages;
  std::vector<std::pair<std::string, int64_t>> dedup;  // FIFO: deduplication id → sent at
  for (auto& p : produce(source, cases, config.scenario.workload, config.seed, start, &config.input_timing)) {
    Message m;
    m.case_index = p.case_index;
    m.record = std::move(p.record);
    if (!source.identity.ordering_key.empty()) {
      const Json* g = find_at(m.record, source.identity.ordering_key);
      m.group = g && g->is_string() ? g->get<std::string>() : "";
    }
    if (p.duplicate) {
      if (!m.group.empty()) {
        // FIFO: the producer's second send carries the same deduplication id: SQS drops it.
        const Json* d = find_at(m.record, "/attributes/MessageDeduplicationId");
        const std::string id = d && d->is_string() ? d->get<std::string>() : "";
        bool seen = std::any_of(dedup.begin(), dedup.end(), [&](const auto& e) { return e.first == id && p.at_ms - e.second < kDedupWindowMs; });
        if (seen) {
          state.trace.add(p.at_ms, start, "dedup", {{"case", m.case_index}, {"deduplicationId", id}});
          continue;
        }
      } else if (m.record.contains("messageId")) {
        m.record["messageId"] = uuid(rng);  // a standard queue takes the second send as a new message
      }
    }
    const Json* id = find_at(m.record, source.identity.id);
    m.id = id && id->is_string() ? id->get<std::string>() : "";
    if (!m.group.empty())
      if (const Json* d = find_at(m.record, "/attributes/MessageDeduplicationId"); d && d->is_string())
        dedup.emplace_back(d->get<std::string>(), p.at_ms);
    m.bytes = dump(m.record).size();
    m.sent_at = m.visible_at = p.at_ms;
    state.trace.add(p.at_ms, start, "send", {{"case", m.case_index}, {"id", m.id}, {"group", m.group}, {"duplicate", p.duplicate}, {"poison", p.poison}});
    messages.push_back(std::move(m));
  }

  // A batch whose invocation has started and not yet returned (virtual time).
  struct InFlight {
    int64_t end;
    std::vector<std::size_t> batch;
    Json failed;        // ids to leave in the queue
    std::size_t run;    // index in `runs`
    bool duplicate;     // the duplicate-delivery fault fired
  };
  std::vector<InFlight> in_flight;
  std::vector<CaseRun> runs;
  auto open = [&] { return std::any_of(messages.begin(), messages.end(), [](const Message& m) { return !m.final; }); };
  const uint64_t max_invocations = kMaxInvocationsPerCase * std::max<std::size_t>(cases.size(), 1);
  const uint64_t max_steps = max_invocations * 50;
  uint64_t invocations = 0, steps = 0;

  // The invocation that returned: delete what succeeded, the rest reappears after the
  // visibility timeout (SEMANTICS.md §0.8, §3.1).
  auto settle = [&](InFlight& f) {
    Json deleted = Json::array();
    for (auto k : f.batch) {
      Message& m = messages[k];
      m.in_flight = false;
      if (std::find(f.failed.begin(), f.failed.end(), Json(m.id)) != f.failed.end()) {
        m.visible_at = m.received_at + visibility_ms;
      } else {
        m.final = true;
        deleted.push_back(m.id);
      }
    }
    const std::size_t case_index = runs[f.run].index;
    if (!deleted.empty()) state.trace.add(f.end, start, "delete", {{"case", case_index}, {"records", deleted}});
    if (f.duplicate && !deleted.empty()) {
      // SEMANTICS.md §3: duplicates are possible for every source: one message of the batch is
      // delivered once more, even though it was deleted. Only a deleted one: a message left in
      // the queue comes back anyway, and a copy of it could share a FIFO batch with it.
      std::vector<std::size_t> gone;
      for (auto k : f.batch)
        if (messages[k].final) gone.push_back(k);
      Message copy = messages[gone[static_cast<std::size_t>(rng.below(gone.size()))]];
      copy.final = false;
      copy.in_flight = false;
      copy.visible_at = f.end + rng.range(1, 1000);
      state.trace.add(f.end, start, "fault", {{"case", copy.case_index}, {"fault", "duplicate-delivery"}, {"id", copy.id}});
      messages.push_back(std::move(copy));
    }
  };

  while ((open() || !in_flight.empty()) && invocations < max_invocations && steps++ < max_steps) {
    const int64_t now = state.clock.now_ms();
    // Invocations that have returned by now, in the order they returned.
    std::sort(in_flight.begin(), in_flight.end(), [](const InFlight& a, const InFlight& b) { return a.end < b.end; });
    while (!in_flight.empty() && in_flight.front().end <= now) {
      settle(in_flight.front());
      in_flight.erase(in_flight.begin());
    }
    // Retention: messages older than MessageRetentionPeriod are gone (SQS).
    for (auto& m : messages)
      if (!m.final && !m.in_flight && now - m.sent_at > retention_ms) {
        m.final = true;
        state.trace.add(now, start, "expire", {{"case", m.case_index}, {"id", m.id}});
      }
    const int64_t next_return = in_flight.empty() ? INT64_MAX : in_flight.front().end;
    // The mapping's concurrency now (SEMANTICS.md §3.1, §7).
    const int64_t allowed = std::min(max_concurrency, kInitialConcurrency + kScaleUpPerSecond * ((now - start) / 1000));
    if (static_cast<int64_t>(in_flight.size()) >= allowed) {
      state.clock.advance_to(next_return);
      continue;
    }
    // What a receive would return now, in send order (FIFO: per group, in order, one batch in flight).
    std::vector<std::size_t> batch;
    std::size_t bytes = 0;
    std::vector<std::string> blocked_groups;
    for (auto& m : messages) if (m.in_flight && !m.group.empty()) blocked_groups.push_back(m.group);
    std::vector<std::string> seen_groups_stopped;
    for (std::size_t k = 0; k < messages.size() && batch.size() < batch_size; ++k) {
      Message& m = messages[k];
      if (m.final || m.in_flight) continue;
      if (!m.group.empty()) {
        if (std::find(blocked_groups.begin(), blocked_groups.end(), m.group) != blocked_groups.end()) continue;
        if (std::find(seen_groups_stopped.begin(), seen_groups_stopped.end(), m.group) != seen_groups_stopped.end()) continue;
      }
      if (m.visible_at > now) {
        if (!m.group.empty()) seen_groups_stopped.push_back(m.group);  // order: nothing after it in its group
        continue;
      }
      // SEMANTICS.md §8.4: the receive that would exceed maxReceiveCount moves it to the DLQ.
      if (max_receives > 0 && m.receives + 1 > max_receives) {
        m.final = true;
        Json message{{"MessageId", m.id}, {"body", m.record.value("body", Json())}};
        state.trace.add(now, start, "redrive", {{"case", m.case_index}, {"id", m.id}, {"to", dlq}, {"receives", m.receives}});
        // A run with no attempt and no case: it only carries the DLQ message.
        CaseRun moved;
        moved.index = m.case_index;
        moved.deliveries.push_back(Json{{"to", dlq}, {"kind", "dlq"}, {"message", std::move(message)}});
        runs.push_back(std::move(moved));
        continue;
      }
      if (!filters.empty() && !filters.matches_record(m.record, DataKey::kBody)) {
        m.final = true;
        state.trace.add(now, start, "filter-drop", {{"case", m.case_index}, {"id", m.id}});
        continue;
      }
      if (!batch.empty() && bytes + m.bytes > kBatchMaxBytes) break;  // SEMANTICS.md §3: the 6 MB cap
      bytes += m.bytes;
      batch.push_back(k);
    }
    // The batching window: wait for more while the batch is short (SEMANTICS.md §3).
    int64_t next_event = next_return;
    for (const auto& m : messages)
      if (!m.final && !m.in_flight && m.visible_at > now) next_event = std::min(next_event, m.visible_at);
    if (!batch.empty() && batch.size() < batch_size && window_ms > 0) {
      const int64_t oldest = messages[batch.front()].visible_at;
      if (now < oldest + window_ms) {
        state.clock.advance_to(std::min(next_event, oldest + window_ms));
        continue;
      }
    }
    if (batch.empty()) {
      if (next_event == INT64_MAX) break;
      state.clock.advance_to(next_event);
      continue;
    }

    // Receive: the records as this receive presents them.
    Case kase;
    kase.source = source.id;
    kase.seed = config.seed;
    kase.event = Json{{source.identity.records.substr(1), Json::array()}};
    Json ids = Json::array();
    for (auto k : batch) {
      Message& m = messages[k];
      ++m.receives;
      m.in_flight = true;
      m.received_at = now;
      Json rec = m.record;
      if (rec.contains("attributes") && rec["attributes"].is_object()) {
        rec["attributes"]["ApproximateReceiveCount"] = std::to_string(m.receives);
        if (m.receives == 1) m.first_receive = now;
        rec["attributes"]["ApproximateFirstReceiveTimestamp"] = std::to_string(m.first_receive);
      }
      if (rec.contains("receiptHandle")) rec["receiptHandle"] = rng.chars(96, kAlnum);  // §8.4: new per receive
      kase.event[source.identity.records.substr(1)].push_back(std::move(rec));
      ids.push_back(m.id);
    }
    batches.push_back(std::move(kase));
    const Case& sent = batches.back();
    CaseRun run;
    run.index = messages[batch.front()].case_index;
    run.kase = &sent;
    state.trace.add(now, start, "receive", {{"case", run.index}, {"records", ids}});

    Attempt a;
    a.request_id = uuid(rng);
    a.faults = config.faults.draw(rng);
    if (a.fired(FaultId::kColdStart)) {
      state.trace.add(now, start, "fault", {{"case", run.index}, {"fault", "cold-start"}});
      (void)state.target.restart();
    }
    a.at_ms = now;
    const bool over = reserved && static_cast<int>(in_flight.size()) >= *reserved;
    if (over || a.fired(FaultId::kThrottle)) {
      // SEMANTICS.md §7: the mapping backs off; the messages reappear after the visibility
      // timeout and the receive counted toward maxReceiveCount.
      a.outcome.kind = OutcomeKind::kInvokeError;
      a.outcome.status = 429;
      a.outcome.error_type = "TooManyRequestsException";
      state.trace.add(now, start, "throttle", {{"case", run.index}, {"records", ids}, {"status", 429},
                                               {"reason", over ? "ReservedFunctionConcurrentInvocationLimitExceeded" : "fault"}});
      for (auto k : batch) {
        messages[k].in_flight = false;
        messages[k].visible_at = now + visibility_ms;
      }
      run.attempts.push_back(std::move(a));
      runs.push_back(std::move(run));
      continue;
    }
    Invocation inv = make_invocation(state, a, state.target.reads_payload_bytes() ? dump(sent.event) : std::string(), &sent.event, rng);
    invoke_once(state, inv, a, /*advance_clock=*/false);
    ++invocations;
    const int64_t end = now + a.outcome.duration_ms;

    // Which records failed: all of them unless the function returned and (with
    // ReportBatchItemFailures) listed some (SEMANTICS.md §4, §8.3).
    Json failed = ids;
    if (a.invoked && (a.fired(FaultId::kLostResponse) || a.fired(FaultId::kTimeout))) {
      // The function ran; the mapping never heard back: every message comes back (at-least-once).
      a.response_discarded = true;
      state.trace.add(end, start, "fault",
                      {{"case", run.index}, {"fault", a.fired(FaultId::kTimeout) ? "timeout" : "lost-response"}, {"requestId", a.request_id}});
      if (a.fired(FaultId::kTimeout)) (void)state.target.restart();
    } else if (a.outcome.kind == OutcomeKind::kSuccess) {
      a.verdict = assess_response(source, sent.event, a.outcome.payload, rbif);
      failed = a.verdict->effective.contains("failed") ? a.verdict->effective["failed"] : Json::array();
    }
    Json entry{{"case", run.index}, {"requestId", a.request_id}, {"records", ids}, {"outcome", a.outcome.to_json()}, {"failed", failed}};
    if (!a.outcome.effects.empty()) entry["effects"] = a.outcome.effects;
    state.trace.add(now, start, "invoke", std::move(entry));
    const bool duplicate = a.fired(FaultId::kDuplicateDelivery);
    for (const auto& e : a.outcome.effects) run.effects.push_back(e);
    run.attempts.push_back(std::move(a));
    runs.push_back(std::move(run));
    in_flight.push_back(InFlight{end, std::move(batch), std::move(failed), runs.size() - 1, duplicate});
  }
  for (auto& f : in_flight) settle(f);  // budget spent: what is in flight still returns
  if (open()) {
    std::size_t left = std::count_if(messages.begin(), messages.end(), [](const Message& m) { return !m.final; });
    state.gave_up = std::to_string(invocations) + " invocations spent with " + std::to_string(left) +
                    " message(s) still in the queue (no RedrivePolicy? a poison message is retried until MessageRetentionPeriod)";
  }
  return runs;
}

}  // namespace evh::harness::internal
