// Shrink: the smallest failing case of a finding (DESIGN.md Invariant: "a finding holds the
// smallest failing case found"). Bounded delta debugging (ddmin) that re-runs candidates against
// the target alone and keeps a reduction only when the same invariant still fails.
#pragma once

#include <cstddef>
#include <string>

#include "generators/case.h"
#include "generators/json.h"
#include "harness/effects.h"
#include "harness/fault_plan.h"
#include "harness/run.h"
#include "harness/target.h"

namespace evh::harness {

/// Re-runs one finding's shrinking may take (each re-run delivers one case to the target).
inline constexpr std::size_t kShrinkMaxSteps = 200;
/// Re-runs all the findings of one run may take together; findings past it stay as found.
inline constexpr std::size_t kShrinkMaxStepsPerRun = 2000;
/// Re-runs of one run whose invocation timed out on a target where that costs real time (a
/// runtime process waits out the function's Timeout, up to 15 minutes): past it, shrinking stops
/// and the findings keep what they have. Counted, not timed, so the same run shrinks the same way.
inline constexpr std::size_t kShrinkMaxRealTimeoutsPerRun = 10;

/// What shrinking one finding produced.
struct ShrinkResult {
  Case kase;                    ///< the smallest case that still fails (the original when nothing shrank)
  FaultPlan faults;             ///< the smallest fault plan it fails with
  std::size_t steps = 0;        ///< re-runs taken, the first (the original case alone) included
  bool capped = false;          ///< stopped at the step cap: smaller cases may exist
  bool reproduced = false;      ///< the original case failed again alone; false = nothing was shrunk
  std::size_t original_records = 0;
  std::size_t records = 0;
  std::string note;             ///< dimensions skipped and why ("" = none)
  /// The finding (message, evidence) and trace of the last failing re-run: what replay shows.
  std::optional<FindingRecord> witness;
};

/// The configuration that delivers exactly `kase` again as case `index` of the run `config`
/// describes, alone: same scenario, run seed and fault plan, `config.input = {kase}`, no shrinking.
/// Sync and async modes draw faults and request ids from the case seed and its index, so the
/// case is given the seed that draws at index 0 what it drew at `index`. Poll mode: `kase` is a
/// batch the mapping built; its records are sent as they are (no workload shaping, arriving
/// together) and BatchSize is raised to hold them all, so they come back as one batch.
/// `config.input` is not copied. Replay (`evh replay`) and the shrinker both use it.
RunConfig single_case_config(const RunConfig& config, const Case& kase, std::size_t index);

/// Shrinks `finding` (a finding of a run of `config`) against `target`, which must be the one
/// the run used (started or not). Dimensions, in order: records of the batch, the mutation chain
/// (sync and async: the case is re-made from its seed with part of the chain; poll mode skips
/// it: a mapping's batch has no single chain), faults of the plan, members of each record's
/// JSON payload. Deterministic: the same run shrinks the same way. At most `max_steps` re-runs.
/// `real_timeouts_left` (optional) is decremented for every re-run with a timed-out invocation
/// when target.timeouts_take_real_time(); at 0 no further re-run is made.
ShrinkResult shrink(const RunConfig& config, Target& target, EffectsSink& sink, const FindingRecord& finding,
                    std::size_t max_steps = kShrinkMaxSteps, std::size_t* real_timeouts_left = nullptr);

/// Shrinks every finding of `result` in place (RunConfig::shrink): `kase`, `faults`, the finding
/// and its trace become the shrunk ones, `original` keeps the case as found. Findings with the
/// same case and invariant are shrunk once. Bounded by kShrinkMaxStepsPerRun and
/// kShrinkMaxRealTimeoutsPerRun.
void shrink_findings(const RunConfig& config, Target& target, EffectsSink& sink, RunResult& result);

/// {"shrunk", "steps", "capped", "originalRecords", "records", "note"}: how a finding was shrunk,
/// for result.json and the finding file. Null when shrinking did not run.
Json shrink_json(const FindingRecord& finding);

/// The number of records of `kase`'s event (1 for a source whose event is one record).
std::size_t record_count(const Source& source, const Json& event);

}  // namespace evh::harness
