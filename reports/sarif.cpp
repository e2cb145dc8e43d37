// SARIF writer (OASIS SARIF 2.1.0; tests validate it against the OASIS schema,
// tests/data/sarif-schema-2.1.0.json).
#include "reports/sarif.h"

#include <filesystem>
#include <map>

#include "harness/invariant.h"
#include "reports/internal/escape.h"
#include "reports/internal/result_view.h"

namespace evh::reports {
namespace {

using internal::str;

constexpr const char* kSarifSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr const char* kSarifVersion = "2.1.0";
constexpr const char* kEvhVersion = "0.1.0";

/// SARIF strings must be valid UTF-8 text: reuse the XML sanitiser (it only replaces what no
/// text format should carry).
std::string clean(const std::string& s) { return internal::xml_safe_text(s); }

Json rule_for(const std::string& id) {
  std::string summary = internal::invariant_summary(id);
  Json rule{{"id", id}, {"name", id}, {"shortDescription", {{"text", summary.empty() ? id : summary}}}};
  if (const harness::Invariant* inv = harness::find_invariant(id); inv != nullptr && inv->semantics != nullptr)
    rule["fullDescription"] = {{"text", summary + " (" + inv->semantics + ")"}};
  rule["defaultConfiguration"] = {{"level", "error"}};
  return rule;
}

}  // namespace

Json sarif_log(const Json& result) {
  Json rules = Json::array();
  std::map<std::string, std::size_t> rule_index;
  auto add_rule = [&](const std::string& id) {
    if (id.empty() || rule_index.count(id)) return;
    rule_index[id] = rules.size();
    rules.push_back(rule_for(id));
  };
  const auto runs = internal::runs_of(result);
  for (const Json* run : runs) {
    if (auto it = run->find("invariants"); it != run->end() && it->is_array())
      for (const auto& v : *it) add_rule(str(v, "id"));
    if (auto it = run->find("findings"); it != run->end() && it->is_array())
      for (const auto& f : *it) add_rule(str(f, "invariant"));  // a finding always has its rule
  }

  Json results = Json::array();
  Json targets = Json::array();
  for (const Json* run : runs) {
    targets.push_back({{"source", str(*run, "source")},
                       {"mode", str(*run, "mode")},
                       {"target", clean(str(*run, "target"))},
                       {"seed", run->value("seed", Json())},
                       {"verdict", str(*run, "verdict")}});
    auto it = run->find("findings");
    if (it == run->end() || !it->is_array()) continue;
    for (const auto& f : *it) {
      const std::string id = str(f, "invariant");
      const std::string rel = internal::finding_relative_path(f);
      std::string message = str(f, "message");
      if (message.empty()) message = id + " violated";
      Json r{{"ruleId", id},
             {"ruleIndex", rule_index[id]},
             {"level", "error"},
             {"kind", "fail"},
             {"message", {{"text", clean(message)}}},
             {"locations",
              Json::array({{{"physicalLocation", {{"artifactLocation", {{"uri", internal::uri_path(rel)}}}}},
                            {"message", {{"text", "the finding document (event, seed, mutations, trace)"}}}}})}};
      const std::string stem = std::filesystem::path(rel).stem().string();
      if (!stem.empty()) r["partialFingerprints"] = {{"evhCase/v1", stem}};
      r["properties"] = {{"source", str(*run, "source")},
                         {"mode", str(*run, "mode")},
                         {"seed", f.value("seed", Json())},
                         {"case", f.value("case", Json())},
                         {"mutations", f.value("mutations", Json::array())},
                         {"replay", clean(internal::replay_command(*run, f))}};
      results.push_back(std::move(r));
    }
  }

  Json driver{{"name", "evh"}, {"fullName", "evharness"}, {"version", kEvhVersion}, {"rules", std::move(rules)}};
  Json sarif_run{{"tool", {{"driver", std::move(driver)}}},
                 {"columnKind", "unicodeCodePoints"},
                 {"results", std::move(results)},
                 {"properties", {{"runs", std::move(targets)}}}};
  return Json{{"$schema", kSarifSchemaUri}, {"version", kSarifVersion}, {"runs", Json::array({std::move(sarif_run)})}};
}

std::string render_sarif(const Json& result) {
  return sarif_log(result).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace evh::reports
