// Finding files: written by evh run, read by evh replay and the finding-file fuzz target.
#include "harness/finding_file.h"

#include <cstdio>

#include "generators/catalog.h"
#include "harness/shrink.h"

namespace evh::harness {
namespace {

// The echoed resolved configuration as a scenario document parse_scenario() reads: values
// resolve_scenario() filled with a default are left out (it fills them again, and some echo in
// a form the file syntax refuses, such as Kafka's 0.5 s batching window), as are the keys only
// the echo has (FunctionArn, defaulted) and the invocation type a mode implies.
Json scenario_document(Json echo) {
  if (!echo.is_object()) return Json::object();
  if (auto d = echo.find("defaulted"); d != echo.end() && d->is_array()) {
    const Json defaulted = *d;  // a copy: erasing blocks moves the keys of `echo`
    for (const auto& name : defaulted) {
      if (!name.is_string()) continue;
      const std::string dotted = name.get<std::string>();
      const auto dot = dotted.find('.');
      if (dot == std::string::npos) continue;
      auto block = echo.find(dotted.substr(0, dot));
      if (block == echo.end() || !block->is_object()) continue;
      block->erase(dotted.substr(dot + 1));
      if (block->empty()) echo.erase(block);  // a block of defaults only: absent (an empty one is refused)
    }
  }
  echo.erase("defaulted");
  if (auto fn = echo.find("function"); fn != echo.end() && fn->is_object()) fn->erase("FunctionArn");
  if (auto it = echo.find("invocationType"); it != echo.end() && *it != "DryRun") echo.erase(it);
  // The finding's own fields decide these.
  for (const char* k : {"target", "cases", "seed", "faults", "mutate"}) echo.erase(k);
  return echo;
}

// Rates as written ("%.17g"), not as FaultPlan::from_json rounds them.
Result<FaultPlan> fault_plan(const Json& j, const std::string& what) {
  if (j.is_null()) return FaultPlan{};
  const std::string shape = what + ": \"faults\" must be an array of {\"id\", \"rate\"}";
  if (!j.is_array()) return make_error(ErrorCode::kConfig, shape);
  std::string spec;
  for (const auto& f : j) {
    if (!f.is_object() || !f.contains("id") || !f["id"].is_string() || (f.contains("rate") && !f["rate"].is_number()))
      return make_error(ErrorCode::kConfig, shape);
    spec += (spec.empty() ? "" : ",") + f["id"].get<std::string>();
    if (f.contains("rate")) {
      char rate[32];
      std::snprintf(rate, sizeof rate, "%.17g", f["rate"].get<double>());
      spec += std::string("=") + rate;
    }
  }
  auto p = FaultPlan::parse(spec);
  if (!p) return make_error(ErrorCode::kConfig, what + ": " + p.error().message);
  return p;
}

}  // namespace

Json finding_document(const FindingRecord& f, const RunResult& r, const RunConfig& c) {
  Json j{{"evh", kFindingVersion},
         {"invariant", f.finding.invariant},
         {"message", f.finding.message},
         {"source", r.source},
         {"mode", r.mode},
         {"target", r.target},
         {"seed", f.kase.seed},
         {"runSeed", r.seed},
         {"case", f.finding.case_index},
         {"mutations", f.kase.mutations},
         {"expect", to_string(f.kase.expect)},
         {"faults", f.faults ? f.faults->to_json() : c.faults.to_json()},  // the shrunk plan, if shrinking ran
         {"scenario", r.config}};
  if (!f.finding.pointer.empty()) j["pointer"] = f.finding.pointer;
  if (f.finding.http_status) j["httpStatus"] = f.finding.http_status;
  j["evidence"] = f.finding.evidence;
  j["event"] = f.kase.event;
  if (Json sj = shrink_json(f); !sj.is_null()) j["shrink"] = std::move(sj);
  if (f.original)
    j["original"] = {{"mutations", f.original->mutations}, {"expect", to_string(f.original->expect)}, {"faults", c.faults.to_json()}, {"event", f.original->event}};
  j["trace"] = f.trace;
  return j;
}

Result<FindingFile> parse_finding(const std::string& text, const std::string& path) {
  auto bad = [&](const std::string& what) { return make_error(ErrorCode::kConfig, path + ": " + what); };
  Json doc = parse_untrusted(text);
  if (doc.is_discarded()) return make_error(ErrorCode::kConfig, path + " is not a finding file: not JSON");
  if (!doc.is_object() || !doc.contains("evh")) return bad("not an evh finding file (no \"evh\" version field)");
  if (doc["evh"] != kFindingVersion)
    return bad("written by evh " + (doc["evh"].is_string() ? doc["evh"].get<std::string>() : doc["evh"].dump()) + ", this is evh " +
               kFindingVersion + ": re-run the case with that version, or find it again with this one");
  for (const char* k : {"invariant", "source", "mode"})
    if (!doc.contains(k) || !doc[k].is_string()) return bad(std::string("\"") + k + "\" must be a string");
  for (const char* k : {"seed", "runSeed", "case"})
    if (!doc.contains(k) || !doc[k].is_number_unsigned()) return bad(std::string("\"") + k + "\" must be a non-negative integer");
  if (!doc.contains("event")) return bad("\"event\" is missing");

  FindingFile f;
  auto src = find_source(doc["source"].get<std::string>());
  if (!src) return bad(src.error().message);
  f.source = *src;
  auto mode = parse_mode(doc["mode"].get<std::string>());
  if (!mode) return bad(mode.error().message);
  f.mode = *mode;
  f.invariant = find_invariant(doc["invariant"].get<std::string>());
  if (f.invariant == nullptr) return bad("unknown invariant '" + doc["invariant"].get<std::string>() + "' (evh list invariants)");

  Json scenario_echo = doc.contains("scenario") ? doc["scenario"] : Json::object();
  auto scenario = parse_scenario(scenario_document(std::move(scenario_echo)), path + " (scenario)");
  if (!scenario) return scenario.error();
  if (auto st = resolve_scenario(*scenario, *f.source, f.mode); !st) return st.error();
  f.scenario = std::move(*scenario);
  auto faults = fault_plan(doc.contains("faults") ? doc["faults"] : Json(), path);
  if (!faults) return faults.error();
  f.faults = std::move(*faults);
  Json case_doc{{"source", f.source->id},
                {"seed", doc["seed"]},
                {"mutations", doc.contains("mutations") ? doc["mutations"] : Json::array()},
                {"expect", doc.contains("expect") ? doc["expect"] : Json("valid")},
                {"event", doc["event"]}};
  auto kase = Case::from_json(case_doc, path);
  if (!kase) return kase.error();
  f.kase = std::move(*kase);
  f.case_index = doc["case"].get<std::size_t>();
  f.run_seed = doc["runSeed"].get<uint64_t>();
  if (doc.contains("target") && doc["target"].is_string()) f.target = doc["target"].get<std::string>();
  if (auto s = doc.find("shrink"); s != doc.end() && s->is_object()) {
    auto note = s->find("note");
    f.failed_only_in_run = note != s->end() && note->is_string() &&
                           note->get<std::string>().find("does not fail when delivered alone") != std::string::npos;
  }
  return f;
}

RunConfig replay_config(const FindingFile& f, const std::string& target_description) {
  RunConfig config;
  config.source = f.source;
  config.mode = f.mode;
  config.seed = f.run_seed;
  config.faults = f.faults;
  config.scenario = f.scenario;
  config.invariants = {f.invariant};
  if (f.scenario.invocation_type == "DryRun") config.invoke_type = InvokeType::kDryRun;
  config.target_description = target_description;
  return single_case_config(config, f.kase, f.case_index);
}

}  // namespace evh::harness
