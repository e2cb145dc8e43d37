// Check: a C++ handler run in-process through the harness, as evh::gtest's check_handler() and
// the handler fuzzers (fuzz/handlers/handler_fuzzer.h) run it: options resolved into a RunConfig
// once, a fresh in-process target per run, and each finding written as a finding file that
// `evh replay FILE --target ...` reads (harness/finding_file.h).
#pragma once

#include <string>
#include <vector>

#include "generators/error.h"
#include "generators/json.h"
#include "harness/context.h"
#include "harness/run.h"

namespace evh::harness {

/// What a check runs, in `evh run`'s terms.
struct CheckSpec {
  std::string source;              ///< catalog id (evh list sources)
  std::string mode;                ///< sync | async | poll; "" = how the source invokes (default_mode)
  Json scenario = Json::object();  ///< scenario keys with AWS's names (docs/scenario.md)
  std::string mutate = "any";      ///< none | legal | illegal | any
  std::string faults;              ///< fault plan, `evh run --faults` syntax ("" = none)
  std::string invariants;          ///< only these ids, comma-separated ("" = every invariant)
};

/// The run configuration `spec` describes: source, mode, resolved scenario, mutate filter, fault
/// plan and invariants (cases, seed and target description are left for the caller). Errors
/// (unknown source, bad mode, scenario, filter, plan or invariant id) are one line; those about a
/// field start with `what` and its name ("CheckOptions::mode: ...").
Result<RunConfig> check_config(const CheckSpec& spec, const std::string& what);

/// Runs `config` against `handler` in-process, with a target and effects sink of its own: state
/// the handler object captures is the caller's business. `name` is the function name the target
/// reports when `config.target_description` is empty.
Result<RunResult> run_in_process(const RunConfig& config, const Handler& handler, const std::string& name);

/// Where finding files go: `given` when not empty, else $EVH_FINDINGS_DIR, else "evh-findings".
std::string findings_dir(const std::string& given);

/// Writes the finding file of each finding of `result` (a run of `config`) as
/// `dir`/<invariant>/<sha1>.json, the name `evh run` gives it. An in-process target cannot be
/// named on the command line, so such a file names no target (replay then asks for --target).
/// One path per finding, "" for one that could not be written.
std::vector<std::string> write_finding_files(const RunResult& result, const RunConfig& config, const std::string& dir);

}  // namespace evh::harness
