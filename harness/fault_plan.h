// FaultPlan: the non-determinism the platform is allowed, injected on purpose and seeded
// (DESIGN.md Fault plan). One table of named faults (STYLE.md §7.4); a plan is a list of
// (fault, rate) pairs parsed from `--faults duplicate-delivery=0.2,throttle`. Each fault that
// fires is written to the trace with its id.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "generators/error.h"
#include "generators/json.h"
#include "generators/rng.h"

namespace evh::harness {

enum class FaultId { kDuplicateDelivery, kLostResponse, kThrottle, kTimeout, kDelay, kColdStart };

struct FaultKind {
  FaultId id;
  const char* name;       ///< the stable id users type
  const char* summary;    ///< what the platform does, in one line
  const char* semantics;  ///< where SEMANTICS.md allows it
  double default_rate;    ///< rate when the plan names the fault without one
};

const std::vector<FaultKind>& fault_kinds();
const FaultKind& fault_kind(FaultId id);
const char* to_string(FaultId id);

class FaultPlan {
 public:
  /// "id[=rate],..." ("" or "none" = no faults). Unknown ids and rates outside [0, 1] are
  /// ErrorCode::kUsage naming them.
  static Result<FaultPlan> parse(const std::string& spec);
  static Result<FaultPlan> from_json(const Json& j, const std::string& what);

  bool empty() const { return faults_.empty(); }
  double rate(FaultId id) const;
  bool has(FaultId id) const { return rate(id) > 0.0; }
  const std::vector<std::pair<FaultId, double>>& faults() const { return faults_; }
  /// A copy without `id` (the shrinker drops faults one at a time).
  FaultPlan without(FaultId id) const;

  /// Which faults fire for one delivery: one draw per fault of the plan, in table order, so
  /// the same seed fires the same faults whatever else the run does.
  std::vector<FaultId> draw(Rng& rng) const;

  std::string to_string() const;  ///< "duplicate-delivery=0.2,throttle=0.1" or "none"
  Json to_json() const;           ///< [{"id":..., "rate":...}]

 private:
  std::vector<std::pair<FaultId, double>> faults_;
};

}  // namespace evh::harness
