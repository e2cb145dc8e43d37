// evh replay: reads a finding file (findings/<invariant>/<sha1>.json), rebuilds the run's source,
// mode, resolved scenario, fault plan and seeds, delivers only that case to the finding's target
// (or --target), and says whether the invariant still fails (STYLE.md §7.9).
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/target_setup.h"
#include "generators/catalog.h"
#include "harness/finding_file.h"
#include "harness/run.h"

namespace evh::cli {

namespace fs = std::filesystem;
using namespace evh::harness;

int replay(const ReplayOptions& o) {
  if (all_sources().empty()) return fail(3, "no source could be loaded");
  const std::string& path = o.finding;
  auto text = read_file(path);
  if (!text) return fail(2, "replay: " + path + ": cannot read the finding file");
  auto finding = parse_finding(*text, path);
  if (!finding) return fail(2, "replay: " + finding.error().message);

  const std::string target_spec = !o.target.empty() ? o.target : finding->target;
  if (target_spec.empty()) return fail(2, "replay: " + path + ": no target: the finding names none; give --target");
  RunConfig config = replay_config(*finding, target_spec);
  auto t = make_cli_target(target_spec, finding->scenario);
  if (!t) return fail(exit_code_for(t.error().code), t.error().message);
  auto result = harness::run(config, *(*t)->target, (*t)->sink);
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
    if (f.finding.invariant != finding->invariant->id) continue;
    std::cout << "STILL FAILING: " << f.finding.invariant << " " << f.finding.message << "\n";
    return 1;
  }
  if (result->gave_up) {
    std::cout << "GAVE UP: " << result->gave_up_reason << "\n";
    return 1;
  }
  std::cout << "FIXED\n";
  if (finding->failed_only_in_run)
    std::cerr << "evh: note: when it was found, this case did not fail alone either; replay the whole run with evh run --seed="
              << config.seed << "\n";
  return 0;
}

}  // namespace evh::cli
