// Poll mode for queues (event source mappings on SQS standard and FIFO): SEMANTICS.md §3, §3.1,
// §4, §8.3, §8.4. Records of the generated cases are sent to a simulated queue; the mapping
// receives batches (BatchSize, MaximumBatchingWindowInSeconds, the 6 MB cap), invokes the
// function synchronously, deletes what succeeded (all of it, or what a partial batch response
// did not list), and failed messages reappear after the visibility timeout until the queue's
// redrive policy moves them to its DLQ. FIFO: per-MessageGroupId order, one in-flight batch per
// group. Streams, Kafka, MQ and DocumentDB mappings come next.
#include <algorithm>
#include <cstdlib>
#include <deque>

#include "generators/format.h"
#include "harness/contract.h"
#include "harness/filter.h"
#include "harness/run.h"

namespace evh::harness::internal {
namespace {

// SEMANTICS.md §0.6, §3: the ESM batch cap.
constexpr std::size_t kBatchMaxBytes = 6291456;
// Records of a run reach the queue this far apart, per case (virtual ms).
constexpr int64_t kArrivalSpacingMs = 100;
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
  const int64_t visibility_ms = seconds(queue_cfg, "VisibilityTimeout", 30) * 1000;
  const int64_t retention_ms = seconds(queue_cfg, "MessageRetentionPeriod", 345600) * 1000;
  int max_receives = 0;
  std::string dlq;
  if (auto rp = queue_cfg.find("RedrivePolicy"); rp != queue_cfg.end()) {
    Json policy = rp->is_string() ? Json::parse(rp->get<std::string>(), nullptr, false) : *rp;
    if (policy.is_object()) {
      max_receives = static_cast<int>(seconds(policy, "maxReceiveCount", 0));
      dlq = policy.value("deadLetterTargetArn", std::string());
    }
  }
  bool rbif = false;
  if (auto frt = esm.find("FunctionResponseTypes"); frt != esm.end() && frt->is_array())
    rbif = std::find(frt->begin(), frt->end(), Json("ReportBatchItemFailures")) != frt->end();
  const int64_t start = state.clock.now_ms() - state.clock.elapsed_ms();
  Rng rng(mix64(config.seed ^ kPollSalt));
  // SEMANTICS.md §5, §8b: FilterCriteria on `body`; a message that matches no filter is deleted
  // without being delivered. The scenario loader already refused invalid patterns.
  FilterCriteria filters;
  if (auto fc = esm.find("FilterCriteria"); fc != esm.end()) {
    auto parsed = FilterCriteria::parse(*fc);
    if (parsed) filters = std::move(*parsed);
  }

  // The producer: every record of every case is a message.
  std::vector<Message> messages;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const int64_t at = start + static_cast<int64_t>(i) * kArrivalSpacingMs;
    for (const auto& p : record_pointers(source, cases[i].event)) {
      const Json* rec = find_at(cases[i].event, p);
      if (rec == nullptr || !rec->is_object()) continue;
      Message m;
      m.case_index = i;
      m.record = *rec;
      const Json* id = find_at(*rec, source.identity.id);
      m.id = id && id->is_string() ? id->get<std::string>() : "";
      if (!source.identity.ordering_key.empty()) {
        const Json* g = find_at(*rec, source.identity.ordering_key);
        m.group = g && g->is_string() ? g->get<std::string>() : "";
      }
      m.bytes = dump(m.record).size();
      m.sent_at = m.visible_at = at;
      messages.push_back(std::move(m));
      state.trace.add(at, start, "send", {{"case", i}, {"id", messages.back().id}, {"group", messages.back().group}});
    }
  }

  std::vector<CaseRun> runs;
  auto open = [&] { return std::any_of(messages.begin(), messages.end(), [](const Message& m) { return !m.final; }); };
  const uint64_t max_invocations = kMaxInvocationsPerCase * std::max<std::size_t>(cases.size(), 1);
  uint64_t invocations = 0;
  while (open() && invocations < max_invocations) {
    const int64_t now = state.clock.now_ms();
    // Retention: messages older than MessageRetentionPeriod are gone (SQS).
    for (auto& m : messages)
      if (!m.final && !m.in_flight && now - m.sent_at > retention_ms) {
        m.final = true;
        state.trace.add(now, start, "expire", {{"case", m.case_index}, {"id", m.id}});
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
    int64_t next_event = INT64_MAX;
    for (const auto& m : messages)
      if (!m.final && !m.in_flight && m.visible_at > now) next_event = std::min(next_event, m.visible_at);
    if (!batch.empty() && batch.size() < batch_size && window_ms > 0) {
      const int64_t oldest = messages[batch.front()].visible_at;
      if (now < oldest + window_ms && next_event < oldest + window_ms) {
        state.clock.advance_to(next_event);
        continue;
      }
      if (now < oldest + window_ms && next_event == INT64_MAX) {
        state.clock.advance_to(oldest + window_ms);
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
      Json rec = m.record;
      if (rec.contains("attributes") && rec["attributes"].is_object()) {
        rec["attributes"]["ApproximateReceiveCount"] = std::to_string(m.receives);
        if (m.receives == 1) rec["attributes"]["ApproximateFirstReceiveTimestamp"] = std::to_string(now);
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
    if (a.fired(FaultId::kThrottle)) {
      // SEMANTICS.md §7: the mapping backs off; the messages reappear after the visibility
      // timeout and the receive counted toward maxReceiveCount.
      a.outcome.kind = OutcomeKind::kInvokeError;
      a.outcome.status = 429;
      a.outcome.error_type = "TooManyRequestsException";
      state.trace.add(now, start, "throttle", {{"case", run.index}, {"records", ids}, {"status", 429}, {"fault", "throttle"}});
      for (auto k : batch) {
        messages[k].in_flight = false;
        messages[k].visible_at = now + visibility_ms;
      }
      run.attempts.push_back(std::move(a));
      runs.push_back(std::move(run));
      continue;
    }
    Invocation inv = make_invocation(state, a, dump(sent.event), &sent.event, rng);
    invoke_once(state, inv, a);
    ++invocations;

    // Which records failed: all of them unless the function returned and (with
    // ReportBatchItemFailures) listed some (SEMANTICS.md §4, §8.3).
    Json failed = ids;
    if (a.invoked && (a.fired(FaultId::kLostResponse) || a.fired(FaultId::kTimeout))) {
      // The function ran; the mapping never heard back: every message comes back (at-least-once).
      a.response_discarded = true;
      state.trace.add(state.clock.now_ms(), start, "fault",
                      {{"case", run.index}, {"fault", a.fired(FaultId::kTimeout) ? "timeout" : "lost-response"}, {"requestId", a.request_id}});
      if (a.fired(FaultId::kTimeout)) (void)state.target.restart();
    } else if (a.outcome.kind == OutcomeKind::kSuccess) {
      a.verdict = assess_response(source, sent.event, a.outcome.payload, rbif);
      failed = a.verdict->effective.contains("failed") ? a.verdict->effective["failed"] : Json::array();
    }
    Json entry{{"case", run.index}, {"requestId", a.request_id}, {"records", ids}, {"outcome", a.outcome.to_json()}, {"failed", failed}};
    if (!a.outcome.effects.empty()) entry["effects"] = a.outcome.effects;
    state.trace.add(now, start, "invoke", std::move(entry));
    Json deleted = Json::array();
    for (auto k : batch) {
      Message& m = messages[k];
      m.in_flight = false;
      if (std::find(failed.begin(), failed.end(), Json(m.id)) != failed.end()) {
        m.visible_at = now + visibility_ms;  // reappears after the visibility timeout (SEMANTICS.md §0.8)
      } else {
        m.final = true;
        deleted.push_back(m.id);
      }
    }
    if (!deleted.empty()) state.trace.add(state.clock.now_ms(), start, "delete", {{"case", run.index}, {"records", deleted}});
    if (a.fired(FaultId::kDuplicateDelivery) && !batch.empty()) {
      // SEMANTICS.md §3: duplicates are possible for every source: one message of the batch is
      // delivered once more, even though it was deleted.
      Message copy = messages[batch[static_cast<std::size_t>(rng.below(batch.size()))]];
      copy.final = false;
      copy.in_flight = false;
      copy.visible_at = state.clock.now_ms() + rng.range(1, 1000);
      state.trace.add(state.clock.now_ms(), start, "fault", {{"case", copy.case_index}, {"fault", "duplicate-delivery"}, {"id", copy.id}});
      messages.push_back(std::move(copy));
    }
    for (const auto& e : a.outcome.effects) run.effects.push_back(e);
    run.attempts.push_back(std::move(a));
    runs.push_back(std::move(run));
  }
  if (open()) {
    std::size_t left = std::count_if(messages.begin(), messages.end(), [](const Message& m) { return !m.final; });
    state.gave_up = std::to_string(max_invocations) + " invocations spent with " + std::to_string(left) +
                    " message(s) still in the queue (no RedrivePolicy? a poison message is retried until MessageRetentionPeriod)";
  }
  return runs;
}

}  // namespace evh::harness::internal
