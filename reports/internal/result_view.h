// Read-only helpers over the result model (result.json) shared by the writers: they never
// recompute a verdict (STYLE.md §7.12), they only look values up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "generators/json.h"

namespace evh::reports::internal {

/// The runs in `result`: the object itself, or each object of an array of results (merged
/// shards or several sources in one report).
std::vector<const Json*> runs_of(const Json& result);

/// `j[key]` as a string ("" when absent or not a string).
std::string str(const Json& j, const char* key);

/// `j[key]` as an unsigned count (0 when absent or not a number).
uint64_t count(const Json& j, const char* key);

/// `j[key]` rendered as text whatever its type ("" when absent): seeds are uint64.
std::string text(const Json& j, const char* key);

/// "sqs poll": the test-suite name of a run (source × mode).
std::string suite_name(const Json& run);

/// The invariant's one-line summary from harness::invariants() ("" for an id it does not know,
/// e.g. a result written by a newer evh).
std::string invariant_summary(const std::string& id);

/// The findings of `run` whose invariant is `id`, in result order.
std::vector<const Json*> findings_for(const Json& run, const std::string& id);

/// "evh replay <file>" (the file quoted for the shell when needed); without a "file" (a result
/// built in-process), the `evh run` command line that reruns the whole run.
std::string replay_command(const Json& run, const Json& finding);

/// The finding file relative to the report directory: findings/<invariant>/<name>.json.
std::string finding_relative_path(const Json& finding);

/// "body.empty > attributes.drop-required", or "none".
std::string mutation_chain(const Json& mutations);

}  // namespace evh::reports::internal
