// Result-model lookups shared by the writers.
#include "reports/internal/result_view.h"

#include <filesystem>

#include "harness/invariant.h"
#include "reports/internal/escape.h"

namespace evh::reports::internal {

std::vector<const Json*> runs_of(const Json& result) {
  std::vector<const Json*> runs;
  if (result.is_object()) {
    runs.push_back(&result);
  } else if (result.is_array()) {
    for (const auto& r : result)
      if (r.is_object()) runs.push_back(&r);
  }
  return runs;
}

std::string str(const Json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

uint64_t count(const Json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  if (it == j.end()) return 0;
  if (it->is_number_unsigned()) return it->get<uint64_t>();
  if (it->is_number_integer()) return it->get<int64_t>() < 0 ? 0 : static_cast<uint64_t>(it->get<int64_t>());
  return 0;
}

std::string text(const Json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string suite_name(const Json& run) { return str(run, "source") + " " + str(run, "mode"); }

std::string invariant_summary(const std::string& id) {
  const harness::Invariant* inv = harness::find_invariant(id);
  return inv != nullptr && inv->summary != nullptr ? inv->summary : "";
}

std::vector<const Json*> findings_for(const Json& run, const std::string& id) {
  std::vector<const Json*> out;
  if (auto it = run.find("findings"); it != run.end() && it->is_array())
    for (const auto& f : *it)
      if (str(f, "invariant") == id) out.push_back(&f);
  return out;
}

std::string replay_command(const Json& run, const Json& finding) {
  if (const std::string file = str(finding, "file"); !file.empty()) return "evh replay " + shell_quote(file);
  std::string cmd = "evh run --source " + shell_quote(str(run, "source")) + " --mode " + shell_quote(str(run, "mode")) +
                    " --target " + shell_quote(str(run, "target")) + " --seed " + text(run, "seed");
  if (auto it = run.find("statistics"); it != run.end()) cmd += " --cases " + std::to_string(count(*it, "casesRequested"));
  return cmd;
}

std::string finding_relative_path(const Json& finding) {
  const std::string file = str(finding, "file");
  const std::string name = file.empty() ? "" : std::filesystem::path(file).filename().string();
  return "findings/" + str(finding, "invariant") + "/" + name;
}

std::string mutation_chain(const Json& mutations) {
  if (!mutations.is_array() || mutations.empty()) return "none";
  std::string out;
  for (const auto& m : mutations) {
    if (!out.empty()) out += " > ";
    out += m.is_string() ? m.get<std::string>() : m.dump();
  }
  return out;
}

}  // namespace evh::reports::internal
