// evh::gtest: the harness behind EVH_CONTRACT_TEST and check_handler() (see evh_gtest.h).
#include "gtest/evh_gtest.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "generators/arbitrary.h"
#include "generators/catalog.h"
#include "generators/codec.h"
#include "generators/mutation.h"
#include "harness/effects.h"
#include "harness/fault_plan.h"
#include "harness/invariant.h"
#include "harness/scenario.h"
#include "harness/shrink.h"
#include "harness/target.h"

namespace evh::gtest {
namespace {

namespace fs = std::filesystem;
using namespace evh::harness;

// The finding-file version `evh replay` reads (cli/replay_command.cpp).
constexpr const char* kFindingVersion = "0.1.0";

/// Everything a run needs, resolved from the options once: source, mode, scenario, faults ...
struct Prepared {
  const Source* source = nullptr;
  RunConfig config;
  MutateFilter mutate = MutateFilter::kAny;
  std::string error;
};

Prepared prepare(const std::string& source_id, const CheckOptions& o) {
  Prepared p;
  auto src = find_source(source_id);
  if (!src) {
    p.error = src.error().message;
    return p;
  }
  p.source = *src;
  Mode mode = default_mode(*p.source);
  if (!o.mode.empty()) {
    auto m = parse_mode(o.mode);
    if (!m) {
      p.error = "CheckOptions::mode: " + m.error().message;
      return p;
    }
    mode = *m;
  }
  auto scenario = parse_scenario(o.scenario.is_null() ? Json::object() : o.scenario, "CheckOptions::scenario");
  if (!scenario) {
    p.error = scenario.error().message;
    return p;
  }
  if (auto st = resolve_scenario(*scenario, *p.source, mode); !st) {
    p.error = st.error().message;
    return p;
  }
  auto filter = parse_mutate_filter(o.mutate);
  if (!filter) {
    p.error = "CheckOptions::mutate: " + filter.error().message;
    return p;
  }
  auto faults = FaultPlan::parse(o.faults);
  if (!faults) {
    p.error = "CheckOptions::faults: " + faults.error().message;
    return p;
  }
  auto selected = select_invariants(o.invariants, "");
  if (!selected) {
    p.error = "CheckOptions::invariants: " + selected.error().message;
    return p;
  }
  p.mutate = *filter;
  p.config.source = p.source;
  p.config.mode = mode;
  p.config.scenario = std::move(*scenario);
  p.config.cases = o.cases;
  p.config.seed = o.seed;
  p.config.mutate = *filter;
  p.config.faults = std::move(*faults);
  p.config.invariants = std::move(*selected);
  p.config.target_description = "in-process:" + o.name;
  return p;
}

/// Runs `config` against `handler` in-process.
Result<RunResult> run_in_process(const RunConfig& config, const Handler& handler, const std::string& name) {
  EffectsSink sink;
  TargetOptions topts;
  topts.function = config.scenario.function;
  topts.effects = &sink;
  auto target = make_in_process_target(handler, name, topts);
  auto result = harness::run(config, *target, sink);
  target->stop();
  return result;
}

/// The finding as `evh replay` reads it (the fields of cli/run_command.cpp's finding files);
/// no target: the handler lives in the test, so replay needs --target.
Json finding_document(const FindingRecord& f, const RunResult& r, const RunConfig& c) {
  Json j{{"evh", kFindingVersion},     {"invariant", f.finding.invariant}, {"message", f.finding.message},
         {"source", r.source},          {"mode", r.mode},                    {"seed", f.kase.seed},
         {"runSeed", r.seed},           {"case", f.finding.case_index},     {"mutations", f.kase.mutations},
         {"expect", to_string(f.kase.expect)},
         {"faults", f.faults ? f.faults->to_json() : c.faults.to_json()},
         {"scenario", r.config}};
  if (!f.finding.pointer.empty()) j["pointer"] = f.finding.pointer;
  if (f.finding.http_status) j["httpStatus"] = f.finding.http_status;
  j["evidence"] = f.finding.evidence;
  j["event"] = f.kase.event;
  j["trace"] = f.trace;
  return j;
}

std::string findings_dir(const CheckOptions& o) {
  if (!o.findings_dir.empty()) return o.findings_dir;
  if (const char* env = std::getenv("EVH_FINDINGS_DIR"); env != nullptr && *env != '\0') return env;
  return "evh-findings";
}

/// Writes each finding's file; "" for one that could not be written.
std::vector<std::string> write_findings(const RunResult& r, const RunConfig& c, const CheckOptions& o) {
  std::vector<std::string> files;
  const fs::path dir(findings_dir(o));
  for (const auto& f : r.findings) {
    const fs::path p = dir / f.finding.invariant /
                       (codec::sha1_hex(dump(f.kase.to_json()) + f.finding.invariant + f.finding.message) + ".json");
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    std::ofstream out(p, std::ios::binary);
    out << finding_document(f, r, c).dump(2) << "\n";
    files.push_back(out ? p.string() : std::string());
  }
  return files;
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
