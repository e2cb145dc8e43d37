// A finding file (findings/<invariant>/<sha1>.json): the one document that replays a finding
// (STYLE.md §7.9). evh run writes it with finding_document(); evh replay and the fuzz targets
// read it back with parse_finding(), which refuses anything else with one clear line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "generators/case.h"
#include "generators/error.h"
#include "generators/json.h"
#include "harness/fault_plan.h"
#include "harness/invariant.h"
#include "harness/run.h"
#include "harness/scenario.h"

namespace evh::harness {

/// The finding-file version this evh reads and writes.
inline constexpr const char* kFindingVersion = "0.1.0";

/// The finding file for one finding of a run (`c` is the run's configuration).
Json finding_document(const FindingRecord& f, const RunResult& r, const RunConfig& c);

/// A finding file read back: everything replay needs to deliver that one case again.
struct FindingFile {
  const Source* source = nullptr;
  Mode mode = Mode::kSync;
  const Invariant* invariant = nullptr;
  Scenario scenario;        ///< resolved for `source` and `mode`
  FaultPlan faults;         ///< the plan the (shrunk) case failed with
  Case kase;                ///< the (shrunk) case
  std::size_t case_index = 0;
  uint64_t run_seed = 0;
  std::string target;       ///< the target the finding was made against ("" = none named)
  bool failed_only_in_run = false;  ///< when found, the case did not fail when delivered alone
};

/// Parses a finding file's text. Errors (ErrorCode::kConfig) start with `path` and name the
/// field: not JSON, not an evh finding, another version, unknown source/mode/invariant, a bad
/// scenario, fault plan or event.
Result<FindingFile> parse_finding(const std::string& text, const std::string& path);

/// The run configuration that delivers only the finding's case to `target_description`, checking
/// only its invariant.
RunConfig replay_config(const FindingFile& f, const std::string& target_description);

}  // namespace evh::harness
