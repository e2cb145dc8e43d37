// evh::gtest: the harness behind EVH_CONTRACT_TEST and check_handler() (see evh_gtest.h).
#include "gtest/evh_gtest.h"

#include <sstream>

#include "generators/arbitrary.h"
#include "generators/mutation.h"
#include "harness/check.h"
#include "harness/shrink.h"

namespace evh::gtest {
namespace {

using namespace evh::harness;

/// Everything a run needs, resolved from the options once: source, mode, scenario, faults ...
struct Prepared {
  const Source* source = nullptr;
  RunConfig config;
  MutateFilter mutate = MutateFilter::kAny;
  std::string error;
};

Prepared prepare(const std::string& source_id, const CheckOptions& o) {
  Prepared p;
  auto config = check_config(CheckSpec{source_id, o.mode, o.scenario, o.mutate, o.faults, o.invariants}, "CheckOptions");
  if (!config) {
    p.error = config.error().message;
    return p;
  }
  p.config = std::move(*config);
  p.source = p.config.source;
  p.mutate = p.config.mutate;
  p.config.cases = o.cases;
  p.config.seed = o.seed;
  p.config.target_description = "in-process:" + o.name;
  return p;
}

/// Writes each finding's file (harness/check.h); "" for one that could not be written. The
/// handler lives in the test, so the files name no target: replay needs --target.
std::vector<std::string> write_findings(const RunResult& r, const RunConfig& c, const CheckOptions& o) {
  return write_finding_files(r, c, findings_dir(o.findings_dir));
}

CheckResult to_check_result(Result<RunResult> r, const RunConfig& config, const CheckOptions& o) {
  CheckResult out;
  if (!r) {
    out.error = r.error().message;
    return out;
  }
  out.files = write_findings(*r, config, o);
  out.cases_run = r->cases_run;
  out.findings = std::move(r->findings);
  return out;
}

}  // namespace

std::vector<std::string> CheckResult::invariants() const {
  std::vector<std::string> ids;
  for (const auto& f : findings) ids.push_back(f.finding.invariant);
  return ids;
}

std::string CheckResult::describe() const {
  if (!error.empty()) return "evh: " + error;
  std::ostringstream s;
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const auto& f = findings[i];
    s << f.finding.invariant << ": " << f.finding.message << "\n  case seed " << f.kase.seed << ", mutations: " << f.kase.chain()
      << "\n";
    if (i < files.size() && !files[i].empty())
      s << "  evh replay " << files[i] << " --target exec:'YOUR-HANDLER-COMMAND'   (or http://HOST:PORT, runtime-api:'CMD')\n";
  }
  return s.str();
}

CheckResult check_handler(const std::string& source, const harness::Handler& handler, const CheckOptions& options) {
  Prepared p = prepare(source, options);
  if (!p.error.empty()) {
    CheckResult out;
    out.error = p.error;
    return out;
  }
  return to_check_result(run_in_process(p.config, handler, options.name), p.config, options);
}

namespace internal {

void check_one_generated(const std::string& source, const harness::Handler& handler, const CheckOptions& options) {
  Prepared p = prepare(source, options);
  if (!p.error.empty()) RC_FAIL("evh: " + p.error);
  const Source& src = *p.source;
  // Valid events, and as many again mutated as options.mutate asks (legal edges, illegal input).
  const Case kase = p.mutate == MutateFilter::kNone ? *gen::valid_case(src)
                                                    : *rc::gen::oneOf(gen::valid_case(src), gen::mutated_case(src, p.mutate));
  // One case, delivered alone, as `evh replay` delivers it; RapidCheck does the shrinking.
  RunConfig config = single_case_config(p.config, kase, 0);
  config.shrink = false;
  CheckResult r = to_check_result(run_in_process(config, handler, options.name), config, options);
  if (!r.error.empty()) RC_FAIL("evh: " + r.error);
  if (!r.findings.empty()) RC_FAIL(r.describe());
}

}  // namespace internal

}  // namespace evh::gtest
