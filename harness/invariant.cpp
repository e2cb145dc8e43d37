#include "harness/invariant.h"

#include <algorithm>
#include <map>
#include <set>

namespace evh::harness {
namespace {

Finding finding_for(const char* id, const CaseRun& run, const Attempt& a, std::string message) {
  Finding f;
  f.invariant = id;
  f.message = std::move(message);
  f.case_index = run.index;
  f.request_id = a.request_id;
  f.http_status = a.client_status;
  f.evidence = Json{{"attempt", a.number}, {"outcome", a.outcome.to_json()}};
  return f;
}

// robust.no-crash — SEMANTICS.md §8.6 (Runtime.ExitError), §6.1–§6.3 (function error → 502).
// The runtime must survive any input: no exit, no dropped connection, and for sources whose
// caller is an HTTP client, no function error the platform turns into a 5xx.
bool check_no_crash(const CaseRun& run, const InvariantContext&, std::vector<Finding>& out) {
  bool exercised = false;
  for (const auto& a : run.attempts) {
    if (!a.invoked) continue;
    exercised = true;
    const Outcome& o = a.outcome;
    if (o.kind == OutcomeKind::kCrash) {
      out.push_back(finding_for("robust.no-crash", run, a,
                                "the runtime exited during the invocation (" + (o.detail.empty() ? o.error_type : o.detail) + ")"));
    } else if (o.kind == OutcomeKind::kNoAnswer) {
      out.push_back(finding_for("robust.no-crash", run, a,
                                "the target gave no answer (" + (o.detail.empty() ? std::string("connection closed") : o.detail) + ")"));
    } else if (o.kind == OutcomeKind::kFunctionError && a.client_status >= 500 && !a.response_discarded) {
      out.push_back(finding_for("robust.no-crash", run, a,
                                "the function failed (" + o.error_type + (o.error_message.empty() ? "" : ": " + o.error_message) +
                                    ") and the client gets HTTP " + std::to_string(a.client_status) +
                                    (run.kase->expect == Expect::kIllegal ? "; malformed input must be answered with a 4xx" : "")));
    }
  }
  return exercised;
}

// robust.no-hang — SEMANTICS.md §0.12: past the function timeout Lambda stops it (Sandbox.Timedout).
// A timeout evh injected on purpose (the `timeout` fault) is not the handler's doing.
bool check_no_hang(const CaseRun& run, const InvariantContext&, std::vector<Finding>& out) {
  bool exercised = false;
  for (const auto& a : run.attempts) {
    if (!a.invoked) continue;
    exercised = true;
    if (a.outcome.kind == OutcomeKind::kTimeout && !a.fired(FaultId::kTimeout)) {
      out.push_back(finding_for("robust.no-hang", run, a,
                                "the function did not answer within its timeout (" + a.outcome.error_message + ")"));
    }
  }
  return exercised;
}

// SEMANTICS.md §4: the sources whose response is a batchItemFailures list.
bool is_batch_contract(const InvariantContext& ctx) { return ctx.source.response.contract == "batch-item-failures"; }

// A finding from an attempt's contract verdict: its problems of one kind (size or not).
// Which invariant a contract problem belongs to: limits.payload (sizes), batch.identifiers (the
// batchItemFailures list, or a response that is not one at all, when the mapping reads it) or
// contract.response (the rest, e.g. a tumbling window's missing state).
enum class ProblemFamily { kContract, kBatch, kSize };
ProblemFamily family_of(const ContractProblem& p, const InvariantContext& ctx) {
  if (p.size) return ProblemFamily::kSize;
  if (ctx.report_batch_item_failures && is_batch_contract(ctx) && (p.pointer.empty() || p.pointer.rfind("/batchItemFailures", 0) == 0))
    return ProblemFamily::kBatch;
  return ProblemFamily::kContract;
}

bool contract_finding(const char* id, const CaseRun& run, const Attempt& a, const InvariantContext& ctx, ProblemFamily family, Finding& f) {
  const ContractVerdict& v = *a.verdict;
  std::vector<const ContractProblem*> problems;
  for (const auto& p : v.problems)
    if (family_of(p, ctx) == family) problems.push_back(&p);
  // A verdict that fails without naming a problem is the contract's (or, for a batch the
  // mapping reads, the batch's).
  const ProblemFamily nameless = ctx.report_batch_item_failures && is_batch_contract(ctx) ? ProblemFamily::kBatch : ProblemFamily::kContract;
  if (v.ok || (problems.empty() && (!v.problems.empty() || family != nameless))) return false;
  const ContractProblem* first = problems.empty() ? nullptr : problems.front();
  f = finding_for(id, run, a,
                  (first == nullptr || first->pointer.empty() ? std::string() : first->pointer + ": ") +
                      (first == nullptr ? std::string("the response breaks the contract") : first->message) +
                      (v.http_status ? " (the client gets HTTP " + std::to_string(v.http_status) + ")" : std::string()));
  f.pointer = first == nullptr ? "" : first->pointer;
  f.http_status = v.http_status;
  Json list = Json::array();
  for (const auto* p : problems) list.push_back({{"pointer", p->pointer}, {"message", p->message}});
  f.evidence["problems"] = std::move(list);
  if (!v.reading.empty()) f.evidence["reading"] = v.reading;
  return true;
}

// contract.response — SEMANTICS.md §4, §6: what the function returned is what the platform reads.
bool check_contract(const CaseRun& run, const InvariantContext& ctx, std::vector<Finding>& out) {
  bool exercised = false;
  for (const auto& a : run.attempts) {
    // Size is limits.payload's; a batchItemFailures list the mapping reads is batch.identifiers'.
    if (!a.verdict) continue;
    exercised = true;
    if (Finding f; contract_finding("contract.response", run, a, ctx, ProblemFamily::kContract, f)) out.push_back(std::move(f));
  }
  return exercised;
}

// batch.identifiers — SEMANTICS.md §4, §8.3: a batchItemFailures response is well formed and names
// only records of the batch, by the source's id field; anything else fails the whole batch.
bool check_identifiers(const CaseRun& run, const InvariantContext& ctx, std::vector<Finding>& out) {
  if (!ctx.report_batch_item_failures || !is_batch_contract(ctx)) return false;
  bool exercised = false;
  for (const auto& a : run.attempts) {
    if (!a.verdict) continue;
    exercised = true;
    if (Finding f; contract_finding("batch.identifiers", run, a, ctx, ProblemFamily::kBatch, f)) out.push_back(std::move(f));
  }
  return exercised;
}

// limits.payload — SEMANTICS.md §1: a response over 6 MB is Function.ResponseSizeTooLarge; some
// sources cap it lower (Alexa 24 KB, CloudFormation's 4,096-byte body, Lex, Cognito ...).
bool check_payload_limits(const CaseRun& run, const InvariantContext& ctx, std::vector<Finding>& out) {
  bool exercised = false;
  for (const auto& a : run.attempts) {
    if (a.outcome.kind == OutcomeKind::kFunctionError && a.outcome.error_type == "Function.ResponseSizeTooLarge") {
      exercised = true;
      out.push_back(finding_for("limits.payload", run, a, "the response is over the 6,291,556-byte limit (Function.ResponseSizeTooLarge)"));
      continue;
    }
    if (!a.verdict) continue;
    exercised = true;
    if (Finding f; contract_finding("limits.payload", run, a, ctx, ProblemFamily::kSize, f)) out.push_back(std::move(f));
  }
  return exercised;
}

// --- What the handler said it did (effects) against what the platform concluded ---------------

std::string id_text(const Json& id) { return id.is_string() ? id.get<std::string>() : id.dump(); }

// True when a batchItemFailures entry can name the record by `id`: a non-empty string (messageId,
// sequence number), or for the object ids grouped sources derive (Kafka's partition and offset)
// one with no null or "" part. Malformed input (a null or numeric messageId) cannot be named.
bool nameable(const Source& source, const Json& id) {
  auto text = [](const Json& v) { return v.is_string() && !v.get_ref<const std::string&>().empty(); };
  if (text(id)) return true;
  if (!id.is_object() || !source.identity.grouped) return false;
  for (const auto& [k, part] : id.items())
    if (part.is_null() || (part.is_string() && !text(part))) return false;
  return true;
}

// The records of the case's event: their itemIdentifier values and ordering keys, in batch order.
struct BatchView {
  std::vector<std::string> ids;
  std::vector<std::string> keys;  ///< "" when the source promises no order
  bool all_nameable = true;       ///< every record has an id a batchItemFailures entry can name
  std::size_t position(const std::string& id) const {
    auto it = std::find(ids.begin(), ids.end(), id);
    return it == ids.end() ? std::string::npos : static_cast<std::size_t>(it - ids.begin());
  }
};

BatchView batch_view(const Source& source, const Json& event) {
  BatchView v;
  for (const auto& id : batch_item_ids(source, event)) {
    v.all_nameable = v.all_nameable && nameable(source, id);
    v.ids.push_back(id_text(id));
  }
  const auto pointers = record_pointers(source, event);
  for (const auto& p : pointers) {
    const Json* key = source.identity.ordering_key.empty() ? nullptr : find_at(event, p + source.identity.ordering_key);
    v.keys.push_back(key ? id_text(*key) : std::string());
  }
  if (pointers.size() != v.ids.size()) v.all_nameable = false;  // a record without an id at all
  if (v.keys.size() != v.ids.size()) v.keys.assign(v.ids.size(), std::string());
  return v;
}

std::vector<const Json*> effects_of(const Attempt& a, const char* kind) {
  std::vector<const Json*> out;
  for (const auto& e : a.outcome.effects)
    if (e.value("kind", "") == kind && e.contains("id")) out.push_back(&e);
  std::stable_sort(out.begin(), out.end(), [](const Json* x, const Json* y) { return x->value("seq", 0) < y->value("seq", 0); });
  return out;
}

// The ids the platform treats as failed after a successful return; nullopt: the whole batch failed
// (or nothing was read).
std::optional<std::set<std::string>> failed_ids(const Attempt& a) {
  if (a.outcome.kind != OutcomeKind::kSuccess || a.response_discarded) return std::nullopt;
  std::set<std::string> failed;
  if (!a.verdict) return failed;
  const Json& eff = a.verdict->effective;
  if (!a.verdict->ok || (eff.is_object() && eff.value("wholeBatch", false))) return std::nullopt;
  if (eff.is_object() && eff.contains("failed") && eff["failed"].is_array())
    for (const auto& id : eff["failed"]) failed.insert(id_text(id));
  return failed;
}

// batch.failures-reported — SEMANTICS.md §4: a record the handler says it failed must be in the
// response's batchItemFailures (or the function must fail); otherwise the platform deletes or
// checkpoints past it and the failure is swallowed.
// True when the response listed `id` in batchItemFailures but the mapping does not read the list
// (no ReportBatchItemFailures, SEMANTICS.md §4): the finding then says that is why.
bool listed_but_ignored(const Attempt& a, const std::string& id) {
  if (!a.verdict || !a.verdict->effective.is_object()) return false;
  const Json& ignored = a.verdict->effective.value("ignored", Json::array());
  return std::any_of(ignored.begin(), ignored.end(), [&](const Json& x) { return id_text(x) == id; });
}

bool check_failures_reported(const CaseRun& run, const InvariantContext&, std::vector<Finding>& out) {
  bool exercised = false;
  for (const auto& a : run.attempts) {
    auto failed = failed_ids(a);
    if (!failed || a.outcome.effects.empty()) continue;
    exercised = true;
    for (const Json* e : effects_of(a, "failed")) {
      const std::string id = id_text((*e)["id"]);
      if (failed->count(id)) continue;
      const bool ignored_list = listed_but_ignored(a, id);
      Finding f = finding_for(
          "batch.failures-reported", run, a,
          ignored_list ? "the handler reported record " + id +
                             " failed and lists it in batchItemFailures, but the event source mapping does not set FunctionResponseTypes "
                             "[\"ReportBatchItemFailures\"]: the platform ignores the list, treats the record as processed and never retries it"
                       : "the handler reported record " + id +
                             " failed, but its response does not list it: the platform treats it as processed and never retries it");
      f.evidence["record"] = id;
      if (ignored_list) f.evidence["reportBatchItemFailures"] = false;
      out.push_back(std::move(f));
    }
  }
  return exercised;
}

// batch.partial-not-whole — SEMANTICS.md §4: with ReportBatchItemFailures a handler names the
// records that failed; throwing for one bad record fails the whole batch and the records it had
// already processed are delivered again.
bool check_partial_not_whole(const CaseRun& run, const InvariantContext& ctx, std::vector<Finding>& out) {
  if (!ctx.report_batch_item_failures || !is_batch_contract(ctx)) return false;
  const BatchView batch = batch_view(ctx.source, run.kase->event);
  if (batch.ids.size() < 2) return false;
  // A record without a usable identifier (malformed input the platform never sends) cannot be
  // listed: failing the whole batch is then the only way to have it retried.
  if (!batch.all_nameable) return false;
  bool exercised = false;
  for (const auto& a : run.attempts) {
    if (!a.invoked) continue;
    exercised = true;
    if (a.outcome.kind != OutcomeKind::kFunctionError || a.fired(FaultId::kTimeout)) continue;
    std::set<std::string> done;
    for (const Json* e : effects_of(a, "processed"))
      if (batch.position(id_text((*e)["id"])) != std::string::npos) done.insert(id_text((*e)["id"]));
    if (done.empty()) continue;
    Finding f = finding_for("batch.partial-not-whole", run, a,
                            "the function threw for the whole batch of " + std::to_string(batch.ids.size()) + " records after processing " +
                                std::to_string(done.size()) + " of them: with ReportBatchItemFailures it should list only the failed records; " +
                                std::to_string(done.size()) + " needless redeliveries");
    f.evidence["needlessRedeliveries"] = done.size();
    f.evidence["batchSize"] = batch.ids.size();
    out.push_back(std::move(f));
  }
  return exercised;
}

// order.per-key — SEMANTICS.md §3.1–§3.4: a FIFO message group, a Kinesis partition key, a
// DynamoDB item, a Kafka partition arrive in order; the handler must process them (per its
// effects) in that order.
bool check_order(const CaseRun& run, const InvariantContext& ctx, std::vector<Finding>& out) {
  if (ctx.source.identity.ordering_key.empty()) return false;
  const BatchView batch = batch_view(ctx.source, run.kase->event);
  bool exercised = false;
  for (const auto& a : run.attempts) {
    std::map<std::string, std::pair<std::size_t, std::string>> last;  // key -> (position, id)
    bool reported = false;
    for (const Json* e : effects_of(a, "processed")) {
      const std::string id = id_text((*e)["id"]);
      const std::size_t pos = batch.position(id);
      if (pos == std::string::npos || batch.keys[pos].empty()) continue;
      auto [it, fresh] = last.try_emplace(batch.keys[pos], pos, id);
      if (fresh) continue;
      exercised = true;
      if (pos < it->second.first && !reported) {
        reported = true;
        Finding f = finding_for("order.per-key", run, a,
                                "records of " + ctx.source.identity.ordering_key + " '" + batch.keys[pos] + "' processed out of delivery order: " +
                                    it->second.second + " (position " + std::to_string(it->second.first + 1) + ") before " + id + " (position " +
                                    std::to_string(pos + 1) + ")");
        f.evidence["key"] = batch.keys[pos];
        out.push_back(std::move(f));
      }
      if (pos > it->second.first) it->second = {pos, id};
    }
  }
  return exercised;
}

// --- Run-level checks ---------------------------------------------------------------------------

Finding run_finding(const char* id, const CaseRun& run, const Attempt* a, std::string message) {
  if (a != nullptr) return finding_for(id, run, *a, std::move(message));
  Finding f;
  f.invariant = id;
  f.message = std::move(message);
  f.case_index = run.index;
  return f;
}

// idempotency.effects — SEMANTICS.md §2, §3: delivery is at least once (duplicates, lost
// responses, retries), so each idempotency key must produce its side effect once.
std::size_t check_idempotency(const std::vector<const CaseRun*>& runs, const InvariantContext&, std::vector<RunFinding>& out) {
  std::map<std::string, int> seen;
  std::size_t exercised = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    bool any = false;
    for (const auto& a : runs[i]->attempts) {
      for (const auto& e : a.outcome.effects) {
        if (e.value("kind", "") != "side-effect" || !e.contains("key")) continue;
        any = true;
        const std::string key = id_text(e["key"]);
        if (++seen[key] != 2) continue;
        Finding f = run_finding("idempotency.effects", *runs[i], &a,
                                "side effect '" + key + "' happened twice" + (e.contains("id") ? " (record " + id_text(e["id"]) + ")" : std::string()) +
                                    ": under redelivery each idempotency key must take effect once");
        f.evidence["key"] = key;
        out.push_back({i, std::move(f)});
      }
    }
    exercised += any;
  }
  return exercised;
}

// delivery.no-loss — SEMANTICS.md §3, §4: a record the platform acknowledged (the function
// returned and did not list it as failed) is gone; if the handler reports what it processes, every
// acknowledged record must have been processed.
std::size_t check_no_loss(const std::vector<const CaseRun*>& runs, const InvariantContext& ctx, std::vector<RunFinding>& out) {
  // Records the handler itself reported failed are batch.failures-reported's when swallowed.
  std::set<std::string> processed;
  for (const auto* r : runs)
    for (const auto& a : r->attempts) {
      for (const Json* e : effects_of(a, "processed")) processed.insert(id_text((*e)["id"]));
      for (const Json* e : effects_of(a, "failed")) processed.insert(id_text((*e)["id"]));
    }
  if (processed.empty()) return 0;  // the handler reports nothing: nothing to compare with
  std::size_t exercised = 0;
  std::set<std::string> reported;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (runs[i]->kase == nullptr) continue;
    const BatchView batch = batch_view(ctx.source, runs[i]->kase->event);
    if (batch.ids.empty()) continue;
    bool any = false;
    for (const auto& a : runs[i]->attempts) {
      auto failed = failed_ids(a);
      if (!failed) continue;
      any = true;
      // SEMANTICS.md §4: a stream checkpoints just before the lowest failed record, so nothing
      // from there on is acknowledged; a queue deletes every record not listed.
      std::size_t acked_below = batch.ids.size();
      if (ctx.source.model != InvocationModel::kPollQueue)
        for (std::size_t p = 0; p < batch.ids.size(); ++p)
          if (failed->count(batch.ids[p])) {
            acked_below = p;
            break;
          }
      for (std::size_t p = 0; p < acked_below; ++p) {
        const std::string& id = batch.ids[p];
        if (failed->count(id) || processed.count(id) || !reported.insert(id).second) continue;
        Finding f = run_finding("delivery.no-loss", *runs[i], &a,
                                "record " + id + " was acknowledged (the function returned without listing it as failed) but the handler never processed it: it is lost");
        f.evidence["record"] = id;
        out.push_back({i, std::move(f)});
      }
    }
    exercised += any;
  }
  return exercised;
}

// delivery.checkpoint — a self-check of evh's stream model (SEMANTICS.md §3.2–§3.4, §4): on each
// shard / partition lane, every batch starts at or before the first record not yet checkpointed,
// discarded or expired, and holds consecutive records: a checkpoint never skips a record.
std::size_t check_checkpoint(const std::vector<const CaseRun*>& runs, const InvariantContext& ctx, std::vector<RunFinding>& out) {
  if (ctx.trace == nullptr) return 0;
  struct Lane {
    std::vector<std::string> seqs;             // send order
    std::map<std::string, std::size_t> pos;    // seq -> position
    std::vector<bool> settled;
    std::size_t first_open = 0;
    void settle(std::size_t p) {
      if (p < settled.size()) settled[p] = true;
      while (first_open < settled.size() && settled[first_open]) ++first_open;
    }
  };
  std::map<std::string, Lane> lanes;
  std::map<std::string, std::size_t> run_of;  // request id -> run position
  for (std::size_t i = 0; i < runs.size(); ++i)
    for (const auto& a : runs[i]->attempts) run_of[a.request_id] = i;
  std::size_t exercised = 0;
  for (const Json& e : *ctx.trace) {
    const std::string action = e.value("action", "");
    if (!e.contains("lane") || !e["lane"].is_string()) continue;
    Lane& l = lanes[e["lane"].get<std::string>()];
    auto at = [&](const Json& seq) {
      auto it = l.pos.find(id_text(seq));
      return it == l.pos.end() ? std::string::npos : it->second;
    };
    if (action == "send") {
      l.pos[id_text(e["seq"])] = l.seqs.size();
      l.seqs.push_back(id_text(e["seq"]));
      l.settled.push_back(false);
    } else if (action == "checkpoint") {
      const std::size_t p = at(e["seq"]);
      for (std::size_t q = 0; p != std::string::npos && q <= p; ++q) l.settle(q);
    } else if (action == "discard") {
      for (const auto& s : e.value("records", Json::array())) l.settle(at(s));
    } else if (action == "expire") {
      l.settle(at(e["seq"]));
    } else if (action == "invoke" && e.contains("records") && !e["records"].empty()) {
      const auto& recs = e["records"];
      std::size_t first = at(recs[0]);
      if (first == std::string::npos) continue;
      ++exercised;
      // With ParallelizationFactor > 1 a shard's key groups are lanes of their own that the trace
      // names after the shard: only the order inside a batch can be checked.
      const bool whole_lane = ctx.parallelization_factor <= 1;
      std::string problem;
      if (whole_lane && first > l.first_open) problem = "the batch starts at " + l.seqs[first] + " but " + l.seqs[l.first_open] + " before it was never checkpointed";
      for (std::size_t k = 1; k < recs.size() && problem.empty(); ++k) {
        std::size_t p = at(recs[k]);
        std::size_t prev = at(recs[k - 1]);
        if (p == std::string::npos || prev == std::string::npos || p <= prev) {
          problem = "the batch's records are not in stream order at " + id_text(recs[k]);
        } else if (whole_lane) {
          for (std::size_t q = prev + 1; q < p && problem.empty(); ++q)
            if (!l.settled[q]) problem = "the batch skips " + l.seqs[q] + " between " + id_text(recs[k - 1]) + " and " + id_text(recs[k]);
        }
      }
      if (problem.empty()) continue;
      auto r = run_of.find(e.value("requestId", ""));
      if (r == run_of.end()) continue;
      const CaseRun& run = *runs[r->second];
      const Attempt* a = nullptr;
      for (const auto& x : run.attempts)
        if (x.request_id == r->first) a = &x;
      out.push_back({r->second, run_finding("delivery.checkpoint", run, a, "lane " + e["lane"].get<std::string>() + ": " + problem)});
    }
  }
  return exercised;
}

// delivery.retry-bound — a self-check of evh's own platform model (SEMANTICS.md §8b, async): an
// event gets at most 1 + MaximumRetryAttempts function attempts, none after its maximum age, and
// at most one failure record whose approximateInvokeCount equals the attempts made.
bool check_retry_bound(const CaseRun& run, const InvariantContext& ctx, std::vector<Finding>& out) {
  if (!ctx.async || run.rejected) return false;
  int invoked = 0;
  const Attempt* last = nullptr;
  for (const auto& a : run.attempts) {
    if (a.duplicate || !a.invoked) continue;
    ++invoked;
    last = &a;
    if (a.at_ms - run.queued_ms > ctx.max_event_age_ms)
      out.push_back(finding_for("delivery.retry-bound", run, a, "an attempt started after MaximumEventAgeInSeconds"));
  }
  if (invoked > 1 + ctx.max_retry_attempts && last != nullptr)
    out.push_back(finding_for("delivery.retry-bound", run, *last,
                              std::to_string(invoked) + " attempts, over 1 + MaximumRetryAttempts (" + std::to_string(ctx.max_retry_attempts) + ")"));
  std::size_t failure_records = 0;
  for (const auto& d : run.deliveries) {
    const Json& m = d["message"];
    const Json* record = d["kind"] == "eventbridge" ? &m["detail"] : d["kind"] == "lambda" ? &m : nullptr;
    Json parsed;
    if (record == nullptr && m.contains("body") && d["kind"] != "dlq") {
      parsed = parse_untrusted(m["body"].get<std::string>());
      record = &parsed;
    } else if (record == nullptr && m.contains("Message")) {
      parsed = parse_untrusted(m["Message"].get<std::string>());
      record = &parsed;
    }
    if (record == nullptr || !record->is_object() || !record->contains("requestContext")) continue;
    const Json& rc = record->at("requestContext");
    if (rc.value("condition", "") != "Success") ++failure_records;
    if (rc.value("approximateInvokeCount", -1) != invoked && last != nullptr)
      out.push_back(finding_for("delivery.retry-bound", run, *last,
                                "the destination record says approximateInvokeCount " + std::to_string(rc.value("approximateInvokeCount", -1)) +
                                    ", but " + std::to_string(invoked) + " attempts were made"));
  }
  if (failure_records > 1 && last != nullptr)
    out.push_back(finding_for("delivery.retry-bound", run, *last, "more than one on-failure record for one event"));
  return true;
}

}  // namespace

Json Finding::to_json() const {
  Json j{{"invariant", invariant}, {"message", message}, {"case", case_index}};
  if (!pointer.empty()) j["pointer"] = pointer;
  if (http_status) j["httpStatus"] = http_status;
  if (!request_id.empty()) j["requestId"] = request_id;
  j["evidence"] = evidence;
  return j;
}

const std::vector<Invariant>& invariants() {
  static const std::vector<Invariant> kInvariants = {
      {"robust.no-crash", "no runtime exit, dropped connection, or (HTTP sources) function error turned into a 5xx",
       "SEMANTICS.md §6.1–§6.3, §8.6", check_no_crash},
      {"robust.no-hang", "every invocation answers within the function timeout", "SEMANTICS.md §0.12, §8.6", check_no_hang},
      {"contract.response", "the return value matches the source's response contract and size limit",
       "SEMANTICS.md §1, §4, §6", check_contract},
      {"batch.identifiers", "a batchItemFailures response is well formed and names only records of the batch, by the source's id field",
       "SEMANTICS.md §4, §8.3", check_identifiers},
      {"batch.failures-reported", "a record the handler reports as failed is listed in its response (not swallowed)", "SEMANTICS.md §4",
       check_failures_reported},
      {"batch.partial-not-whole", "with ReportBatchItemFailures the handler lists failed records instead of throwing for the whole batch",
       "SEMANTICS.md §4", check_partial_not_whole},
      {"order.per-key", "records of one message group / partition key / partition are processed in delivery order",
       "SEMANTICS.md §3.1-§3.4", check_order},
      {"idempotency.effects", "each idempotency key takes effect once under duplicates, lost responses and retries", "SEMANTICS.md §2, §3",
       nullptr, check_idempotency},
      {"delivery.no-loss", "every acknowledged record was processed by the handler; none vanish", "SEMANTICS.md §3, §4", nullptr,
       check_no_loss},
      {"delivery.retry-bound", "self-check of evh's platform model: async attempts, event age and failure records within the rules",
       "SEMANTICS.md §2, §8.1, §8.2, §8b", check_retry_bound},
      {"delivery.checkpoint", "self-check of evh's stream model: each batch starts at the lane's checkpoint and skips no record",
       "SEMANTICS.md §3.2-§3.4, §4", nullptr, check_checkpoint},
      {"limits.payload", "responses stay within the source's size limits (6 MB sync, Alexa 24 KB, CloudFormation 4,096 bytes ...)",
       "SEMANTICS.md §1", check_payload_limits},
  };
  return kInvariants;
}

const Invariant* find_invariant(const std::string& id) {
  for (const auto& inv : invariants())
    if (id == inv.id) return &inv;
  return nullptr;
}

Result<std::vector<const Invariant*>> select_invariants(const std::string& include, const std::string& exclude) {
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= s.size()) {
      auto c = s.find(',', pos);
      std::string item = s.substr(pos, c == std::string::npos ? std::string::npos : c - pos);
      if (!item.empty()) out.push_back(item);
      if (c == std::string::npos) break;
      pos = c + 1;
    }
    return out;
  };
  auto inc = split(include), exc = split(exclude);
  for (const auto* list : {&inc, &exc})
    for (const auto& id : *list)
      if (!find_invariant(id)) {
        std::string known;
        for (const auto& inv : invariants()) known += std::string(known.empty() ? "" : ", ") + inv.id;
        return make_error(ErrorCode::kUsage, "unknown invariant '" + id + "' (known: " + known + ")");
      }
  std::vector<const Invariant*> out;
  for (const auto& inv : invariants()) {
    bool in = inc.empty() || std::find(inc.begin(), inc.end(), inv.id) != inc.end();
    bool ex = std::find(exc.begin(), exc.end(), inv.id) != exc.end();
    if (in && !ex) out.push_back(&inv);
  }
  return out;
}

}  // namespace evh::harness
