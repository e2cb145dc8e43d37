// evh replay: reads a finding file (findings/<invariant>/<sha1>.json), rebuilds the run's source,
// mode, resolved scenario, fault plan and seeds, delivers only that case to the finding's target
// (or --target), and says whether the invariant still fails (STYLE.md §7.9).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "examples/builtin.h"
#include "generators/catalog.h"
#include "harness/effects_server.h"
#include "harness/run.h"
#include "harness/scenario.h"
#include "harness/shrink.h"

namespace evh::cli {
namespace {

namespace fs = std::filesystem;
using namespace evh::harness;

// The finding-file version this evh reads and writes (finding_document in run_command.cpp).
constexpr const char* kFindingVersion = "0.1.0";

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
  if (!j.is_array()) return make_error(ErrorCode::kConfig, what + ": \"faults\" must be an array of {\"id\", \"rate\"}");
  std::string spec;
  for (const auto& f : j) {
    if (!f.is_object() || !f.contains("id") || !f["id"].is_string() || (f.contains("rate") && !f["rate"].is_number()))
      return make_error(ErrorCode::kConfig, what + ": \"faults\" must be an array of {\"id\", \"rate\"}");
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

Status write_text(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream f(path, std::ios::binary);
  if (f) f.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!f) return make_error(ErrorCode::kIo, path.string() + ": cannot write file");
  return Ok{};
}

}  // namespace

int replay(const ReplayOptions& o) {
  if (all_sources().empty()) return fail(3, "no source could be loaded");
  const std::string& path = o.finding;
  auto text = read_file(path);
  if (!text) return fail(2, "replay: " + path + ": cannot read the finding file");
  Json doc = Json::parse(*text, nullptr, false);
  if (doc.is_discarded()) return fail(2, "replay: " + path + " is not a finding file: not JSON");
  auto bad = [&](const std::string& what) { return fail(2, "replay: " + path + ": " + what); };
  if (!doc.is_object() || !doc.contains("evh")) return bad("not an evh finding file (no \"evh\" version field)");
  if (doc["evh"] != kFindingVersion)
    return bad("written by evh " + (doc["evh"].is_string() ? doc["evh"].get<std::string>() : doc["evh"].dump()) +
               ", this is evh " + kFindingVersion + ": re-run the case with that version, or find it again with this one");
  for (const char* k : {"invariant", "source", "mode"})
    if (!doc.contains(k) || !doc[k].is_string()) return bad(std::string("\"") + k + "\" must be a string");
  for (const char* k : {"seed", "runSeed", "case"})
    if (!doc.contains(k) || !doc[k].is_number_unsigned()) return bad(std::string("\"") + k + "\" must be a non-negative integer");
  if (!doc.contains("event")) return bad("\"event\" is missing");

  auto src = find_source(doc["source"].get<std::string>());
  if (!src) return bad(src.error().message);
  const Source& source = **src;
  auto mode = parse_mode(doc["mode"].get<std::string>());
  if (!mode) return bad(mode.error().message);
  const Invariant* invariant = find_invariant(doc["invariant"].get<std::string>());
  if (invariant == nullptr) return bad("unknown invariant '" + doc["invariant"].get<std::string>() + "' (evh list invariants)");

  auto scenario = parse_scenario(scenario_document(doc.value("scenario", Json::object())), path + " (scenario)");
  if (!scenario) return fail(2, "replay: " + scenario.error().message);
  if (auto st = resolve_scenario(*scenario, source, *mode); !st) return fail(2, "replay: " + st.error().message);
  auto faults = fault_plan(doc.value("faults", Json()), path);
  if (!faults) return fail(2, "replay: " + faults.error().message);
  Json case_doc{{"source", source.id}, {"seed", doc["seed"]}, {"mutations", doc.value("mutations", Json::array())},
                {"expect", doc.value("expect", Json("valid"))}, {"event", doc["event"]}};
  auto kase = Case::from_json(case_doc, path);
  if (!kase) return fail(2, "replay: " + kase.error().message);

  std::string target_spec = o.target;
  if (target_spec.empty() && doc.contains("target") && doc["target"].is_string()) target_spec = doc["target"].get<std::string>();
  if (target_spec.empty()) return bad("no target: the finding names none; give --target");

  RunConfig config;
  config.source = &source;
  config.mode = *mode;
  config.seed = doc["runSeed"].get<uint64_t>();
  config.faults = std::move(*faults);
  config.scenario = *scenario;
  config.invariants = {invariant};
  if (scenario->invocation_type == "DryRun") config.invoke_type = InvokeType::kDryRun;
  config.target_description = target_spec;
  config = single_case_config(config, *kase, doc["case"].get<std::size_t>());

  EffectsSink sink;
  std::unique_ptr<EffectsServer> effects_server;
  TargetOptions topts;
  topts.function = scenario->function;
  for (const auto& [k, v] : scenario->environment) topts.env[k] = v;
  topts.effects = &sink;
  topts.builtin = [](const std::string& name) { return examples::find_builtin(name); };
  if (target_spec.rfind("builtin:", 0) != 0) {
    effects_server = std::make_unique<EffectsServer>(sink);
    if (auto st = effects_server->start(); !st) return fail(3, "effects sink: " + st.error().message);
    topts.effects_url = effects_server->url();
  }
  auto target = make_target(target_spec, topts);
  if (!target) return fail(exit_code_for(target.error().code), target.error().message);
  auto result = harness::run(config, **target, sink);
  (*target)->stop();
  if (!result) return fail(exit_code_for(result.error().code), result.error().message);

  if (!o.report_dir.empty()) {
    const fs::path dir(o.report_dir);
    std::ostringstream trace;
    result->trace.write_jsonl(trace);
    if (auto st = write_text(dir / "result.json", result->to_json().dump(2) + "\n"); !st) return fail(3, st.error().message);
    if (auto st = write_text(dir / "trace.jsonl", trace.str()); !st) return fail(3, st.error().message);
  }
  for (const auto& f : result->findings) {
    if (f.finding.invariant != invariant->id) continue;
    std::cout << "STILL FAILING: " << f.finding.invariant << " " << f.finding.message << "\n";
    return 1;
  }
  if (result->gave_up) {
    std::cout << "GAVE UP: " << result->gave_up_reason << "\n";
    return 1;
  }
  std::cout << "FIXED\n";
  if (doc.contains("shrink") && doc["shrink"].is_object() && doc["shrink"].value("note", std::string()).find("does not fail when delivered alone") != std::string::npos)
    std::cerr << "evh: note: when it was found, this case did not fail alone either; replay the whole run with evh run --seed="
              << config.seed << "\n";
  return 0;
}

}  // namespace evh::cli
