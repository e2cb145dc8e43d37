#include "harness/invariant.h"

#include <algorithm>

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

// contract.response — SEMANTICS.md §4, §6: what the function returned is what the platform reads.
bool check_contract(const CaseRun& run, const InvariantContext&, std::vector<Finding>& out) {
  bool exercised = false;
  for (const auto& a : run.attempts) {
    if (a.outcome.kind == OutcomeKind::kFunctionError && a.outcome.error_type == "Function.ResponseSizeTooLarge") {
      exercised = true;
      out.push_back(finding_for("contract.response", run, a, "the response is over the 6,291,556-byte limit (Function.ResponseSizeTooLarge)"));
      continue;
    }
    if (!a.verdict) continue;
    exercised = true;
    const ContractVerdict& v = *a.verdict;
    if (v.ok) continue;
    std::string first = v.problems.empty() ? std::string("the response breaks the contract") : v.problems.front().message;
    Finding f = finding_for("contract.response", run, a,
                            (v.problems.empty() || v.problems.front().pointer.empty() ? std::string() : v.problems.front().pointer + ": ") + first +
                                (v.http_status ? " (the client gets HTTP " + std::to_string(v.http_status) + ")" : std::string()));
    f.pointer = v.problems.empty() ? "" : v.problems.front().pointer;
    f.http_status = v.http_status;
    Json problems = Json::array();
    for (const auto& p : v.problems) problems.push_back({{"pointer", p.pointer}, {"message", p.message}});
    f.evidence["problems"] = std::move(problems);
    if (!v.reading.empty()) f.evidence["reading"] = v.reading;
    out.push_back(std::move(f));
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
      parsed = Json::parse(m["body"].get<std::string>(), nullptr, false);
      record = &parsed;
    } else if (record == nullptr && m.contains("Message")) {
      parsed = Json::parse(m["Message"].get<std::string>(), nullptr, false);
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
      {"delivery.retry-bound", "self-check of evh's platform model: async attempts, event age and failure records within the rules",
       "SEMANTICS.md §2, §8.1, §8.2, §8b", check_retry_bound},
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
