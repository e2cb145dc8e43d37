// Check: in-process runs of a C++ handler, shared by evh::gtest and the handler fuzzers.
#include "harness/check.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "generators/catalog.h"
#include "generators/codec.h"
#include "harness/effects.h"
#include "harness/finding_file.h"
#include "harness/scenario.h"
#include "harness/target.h"

namespace evh::harness {

namespace fs = std::filesystem;

Result<RunConfig> check_config(const CheckSpec& spec, const std::string& what) {
  auto src = find_source(spec.source);
  if (!src) return src.error();
  RunConfig config;
  config.source = *src;
  config.mode = default_mode(**src);
  if (!spec.mode.empty()) {
    auto m = parse_mode(spec.mode);
    if (!m) return make_error(m.error().code, what + "::mode: " + m.error().message);
    config.mode = *m;
  }
  auto scenario = parse_scenario(spec.scenario.is_null() ? Json::object() : spec.scenario, what + "::scenario");
  if (!scenario) return scenario.error();
  if (auto st = resolve_scenario(*scenario, **src, config.mode); !st) return st.error();
  config.scenario = std::move(*scenario);
  auto filter = parse_mutate_filter(spec.mutate);
  if (!filter) return make_error(filter.error().code, what + "::mutate: " + filter.error().message);
  config.mutate = *filter;
  auto faults = FaultPlan::parse(spec.faults);
  if (!faults) return make_error(faults.error().code, what + "::faults: " + faults.error().message);
  config.faults = std::move(*faults);
  auto selected = select_invariants(spec.invariants, "");
  if (!selected) return make_error(selected.error().code, what + "::invariants: " + selected.error().message);
  config.invariants = std::move(*selected);
  if (config.scenario.invocation_type == "DryRun") config.invoke_type = InvokeType::kDryRun;
  return config;
}

Result<RunResult> run_in_process(const RunConfig& config, const Handler& handler, const std::string& name) {
  EffectsSink sink;
  TargetOptions topts;
  topts.function = config.scenario.function;
  topts.effects = &sink;
  auto target = make_in_process_target(handler, name, topts);
  auto result = run(config, *target, sink);
  target->stop();
  return result;
}

std::string findings_dir(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("EVH_FINDINGS_DIR"); env != nullptr && *env != '\0') return env;
  return "evh-findings";
}

std::vector<std::string> write_finding_files(const RunResult& result, const RunConfig& config, const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& f : result.findings) {
    const fs::path p = fs::path(dir) / f.finding.invariant /
                       (codec::sha1_hex(dump(f.kase.to_json()) + f.finding.invariant + f.finding.message) + ".json");
    Json doc = finding_document(f, result, config);
    if (auto t = doc.find("target"); t != doc.end() && t->is_string() && t->get<std::string>().rfind("in-process:", 0) == 0) doc.erase(t);
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    std::ofstream out(p, std::ios::binary);
    out << doc.dump(2) << "\n";
    files.push_back(out ? p.string() : std::string());
  }
  return files;
}

}  // namespace evh::harness
