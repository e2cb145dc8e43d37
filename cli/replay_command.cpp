// evh replay: delivers a finding again and says whether it still fails (STYLE.md §7.9). Reads
// either a finding file (findings/<invariant>/<sha1>.json: its source, mode, resolved scenario,
// fault plan and seeds; only that case is delivered and only its invariant decides) or a handler
// fuzzer's input (crash-<sha1>, harness/fuzz_case.h: the header names the profile; the whole
// input is delivered and any invariant of the profile decides).
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "cli/target_setup.h"
#include "generators/catalog.h"
#include "harness/finding_file.h"
#include "harness/fuzz_case.h"
#include "harness/run.h"

namespace evh::cli {

namespace fs = std::filesystem;
using namespace evh::harness;

namespace {

/// What one replay delivers, and what decides it.
struct Replay {
  RunConfig config;                      ///< target_description still to set
  const Scenario* scenario = nullptr;    ///< for the target (function config, environment)
  std::string target;                    ///< the target the file names ("" = none)
  const Invariant* invariant = nullptr;  ///< the invariant that decides; nullptr = any finding
  bool failed_only_in_run = false;       ///< finding files: the case did not fail alone when found
};

bool looks_like_json(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  return first != std::string::npos && (text[first] == '{' || text[first] == '[');
}

}  // namespace

int replay(const ReplayOptions& o) {
  if (all_sources().empty()) return fail(3, "no source could be loaded");
  const std::string& path = o.finding;
  auto text = read_file(path);
  if (!text) return fail(2, "replay: " + path + ": cannot read the file");

  Replay r;
  std::optional<FindingFile> finding;
  std::optional<FuzzInput> input;
  if (is_fuzz_input(*text)) {
    auto in = read_fuzz_input(*text, path);
    if (!in) return fail(2, "replay: " + in.error().message);
    input.emplace(std::move(*in));
    r.config = fuzz_run_config(input->space, input->kase);
    r.scenario = &input->space.config().scenario;
    r.target = input->space.profile().target;
  } else if (looks_like_json(*text)) {
    auto f = parse_finding(*text, path);
    if (!f) return fail(2, "replay: " + f.error().message);
    finding.emplace(std::move(*f));
    r.config = replay_config(*finding, "");
    r.scenario = &finding->scenario;
    r.target = finding->target;
    r.invariant = finding->invariant;
    r.failed_only_in_run = finding->failed_only_in_run;
  } else {
    return fail(2, "replay: " + path + ": neither a finding file (JSON) nor a handler fuzzer input (it starts with \"EVHF\")");
  }

  const std::string target_spec = !o.target.empty() ? o.target : r.target;
  if (target_spec.empty()) return fail(2, "replay: " + path + ": no target: the file names none; give --target");
  r.config.target_description = target_spec;
  auto t = make_cli_target(target_spec, *r.scenario);
  if (!t) return fail(exit_code_for(t.error().code), t.error().message);
  auto result = harness::run(r.config, *(*t)->target, (*t)->sink);
  (*t)->target->stop();
  if (!result) return fail(exit_code_for(result.error().code), result.error().message);

  if (!o.report_dir.empty()) {
    const fs::path dir(o.report_dir);
    std::ostringstream trace;
    result->trace.write_jsonl(trace);
    if (auto st = write_text(dir / "result.json", result->to_json().dump(2) + "\n"); !st) return fail(3, st.error().message);
    if (auto st = write_text(dir / "trace.jsonl", trace.str()); !st) return fail(3, st.error().message);
  }
  for (const auto& f : result->findings) {
    if (r.invariant != nullptr && f.finding.invariant != r.invariant->id) continue;
    std::cout << "STILL FAILING: " << f.finding.invariant << " " << f.finding.message << "\n";
    return 1;
  }
  if (result->gave_up) {
    std::cout << "GAVE UP: " << result->gave_up_reason << "\n";
    return 1;
  }
  std::cout << "FIXED\n";
  if (r.failed_only_in_run)
    std::cerr << "evh: note: when it was found, this case did not fail alone either; replay the whole run with evh run --seed="
              << r.config.seed << "\n";
  return 0;
}

}  // namespace evh::cli
