// Invariant: a named check with a stable id that reads what a case did (its attempts, their
// outcomes, the effects) and the source's spec, and returns findings (DESIGN.md Invariant).
// One table (invariant.cpp); ids are the public contract (STYLE.md §7.5): --invariants,
// the finding folder, the SARIF ruleId and the doc heading all use them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "generators/case.h"
#include "generators/json.h"
#include "generators/source.h"
#include "harness/contract.h"
#include "harness/fault_plan.h"
#include "harness/outcome.h"

namespace evh::harness {

/// One delivery of a case to the target, as the platform saw it.
struct Attempt {
  int number = 1;                 ///< 1-based delivery number of this case
  std::string request_id;
  int64_t at_ms = 0;              ///< virtual start
  std::vector<FaultId> faults;    ///< faults that fired on this delivery
  bool invoked = false;           ///< the function was invoked (not throttled or rejected)
  bool response_discarded = false;  ///< lost-response / timeout fault: the platform did not use the answer
  Outcome outcome;
  std::optional<ContractVerdict> verdict;  ///< for successful answers the platform read
  int client_status = 0;          ///< what an HTTP client got (API Gateway, ALB, URL); 0 = none
  bool duplicate = false;         ///< an extra delivery of an event already handled (async duplicate-delivery)

  bool fired(FaultId id) const { return std::find(faults.begin(), faults.end(), id) != faults.end(); }
};

/// Everything one case did: the unit invariants judge and the shrinker re-runs.
struct CaseRun {
  std::size_t index = 0;
  const Case* kase = nullptr;  ///< the case delivered; owned by the run (not copied: events can be 6 MB)
  std::vector<Attempt> attempts;
  std::vector<Json> effects;
  bool rejected = false;           ///< the platform refused the request before invoking (413)
  std::string rejected_reason;
  // Async mode (SEMANTICS.md §2): when the event was queued, how it ended, what destinations got.
  int64_t queued_ms = 0;
  std::string condition;           ///< Success | RetriesExhausted | EventAgeExceeded | ZeroReservedConcurrency
  std::vector<Json> deliveries;    ///< destination / DLQ messages, exactly as sent: {"to","kind","message"}
  /// Async mode: requests throttled before the function ran (SEMANTICS.md §2: not retries). They
  /// are trace lines, not Attempts: a 6-hour backoff schedule is ~80 of them per event.
  int throttles = 0;
};

struct Finding {
  std::string invariant;
  std::string message;             ///< one line
  std::string pointer;             ///< JSON pointer into the response or event ("" = none)
  int http_status = 0;             ///< the status an HTTP client would get, when one exists
  std::size_t case_index = 0;
  std::string request_id;
  Json evidence = Json::object();  ///< the attempt's outcome, the contract problems ...
  Json to_json() const;
};

struct InvariantContext {
  const Source& source;
  bool report_batch_item_failures = false;  ///< poll mode with FunctionResponseTypes [ReportBatchItemFailures]
  bool async = false;                ///< the run delivered Event invocations (SEMANTICS.md §2)
  int max_retry_attempts = 2;        ///< eventInvokeConfig.MaximumRetryAttempts
  int64_t max_event_age_ms = 21600000;  ///< eventInvokeConfig.MaximumEventAgeInSeconds
  const std::vector<Json>* trace = nullptr;  ///< the run's trace (run-level checks)
  int parallelization_factor = 1;    ///< eventSourceMapping.ParallelizationFactor (a shard's key groups share its name)
};

/// A finding of a run-level check, tied to the case run it was seen in.
struct RunFinding {
  std::size_t run = 0;  ///< position in the checked runs
  Finding finding;
};

struct Invariant {
  const char* id;
  const char* summary;
  const char* semantics;  ///< the SEMANTICS.md sections it enforces
  /// Appends findings for one case; returns whether the case exercised the invariant.
  bool (*check)(const CaseRun& run, const InvariantContext& ctx, std::vector<Finding>& out) = nullptr;
  /// Or: judges every case run of a run together (what takes several deliveries to see: a side
  /// effect done twice, a record acknowledged but never processed, a checkpoint that skips).
  /// Sync mode passes one case at a time. Returns how many case runs exercised it.
  std::size_t (*check_runs)(const std::vector<const CaseRun*>& runs, const InvariantContext& ctx, std::vector<RunFinding>& out) = nullptr;
};

const std::vector<Invariant>& invariants();
const Invariant* find_invariant(const std::string& id);

/// Selects invariants from --invariants / --exclude-invariants lists (comma-separated ids);
/// an unknown id is ErrorCode::kUsage naming it.
Result<std::vector<const Invariant*>> select_invariants(const std::string& include, const std::string& exclude);

}  // namespace evh::harness
