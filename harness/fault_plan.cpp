#include "harness/fault_plan.h"

#include <algorithm>
#include <cstdlib>

namespace evh::harness {

const std::vector<FaultKind>& fault_kinds() {
  static const std::vector<FaultKind> kKinds = {
      {FaultId::kDuplicateDelivery, "duplicate-delivery",
       "the same event is delivered again after a successful invocation (at-least-once)",
       "SEMANTICS.md §2 (async: duplicates even without errors), §3 (ESM: duplicates possible)", 0.1},
      {FaultId::kLostResponse, "lost-response",
       "the function ran but the platform did not hear back, so it delivers the event again",
       "SEMANTICS.md §1 (SDK clients retry timeouts), §2, §3", 0.1},
      {FaultId::kThrottle, "throttle",
       "429 TooManyRequestsException before the function runs; the caller backs off and retries",
       "SEMANTICS.md §1 (429, Reason), §7 (throttle handling by caller type)", 0.1},
      {FaultId::kTimeout, "timeout",
       "the platform stops the function at its deadline (Sandbox.Timedout) and restarts the runtime",
       "SEMANTICS.md §0.12, §8.6", 0.05},
      {FaultId::kDelay, "delay",
       "the event reaches the function late (up to 30 s of virtual time)",
       "SEMANTICS.md §2 (internal queue), §3 (batching window)", 0.1},
      {FaultId::kColdStart, "cold-start",
       "a fresh runtime (new process, empty memory) before the invocation",
       "SEMANTICS.md §7 (execution environments come and go)", 0.1},
  };
  return kKinds;
}

const FaultKind& fault_kind(FaultId id) {
  for (const auto& k : fault_kinds())
    if (k.id == id) return k;
  EVH_CHECK(false) << "fault id without a table entry";
  return fault_kinds().front();
}

const char* to_string(FaultId id) { return fault_kind(id).name; }

Result<FaultPlan> FaultPlan::parse(const std::string& spec) {
  FaultPlan plan;
  if (spec.empty() || spec == "none") return plan;
  std::size_t pos = 0;
  while (pos <= spec.size()) {
    auto comma = spec.find(',', pos);
    std::string item = spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    if (item.empty()) continue;
    std::string name = item, rate_text;
    if (auto eq = item.find('='); eq != std::string::npos) {
      name = item.substr(0, eq);
      rate_text = item.substr(eq + 1);
    }
    const FaultKind* kind = nullptr;
    for (const auto& k : fault_kinds())
      if (name == k.name) kind = &k;
    if (kind == nullptr) {
      std::string known;
      for (const auto& k : fault_kinds()) known += std::string(known.empty() ? "" : ", ") + k.name;
      return make_error(ErrorCode::kUsage, "--faults: unknown fault '" + name + "' (known: " + known + ")");
    }
    double rate = kind->default_rate;
    if (!rate_text.empty()) {
      char* end = nullptr;
      rate = std::strtod(rate_text.c_str(), &end);
      if (end == rate_text.c_str() || *end != '\0' || !(rate >= 0.0 && rate <= 1.0))
        return make_error(ErrorCode::kUsage, "--faults: rate of '" + name + "' must be a number in [0, 1], got '" + rate_text + "'");
    }
    auto it = std::find_if(plan.faults_.begin(), plan.faults_.end(), [&](const auto& f) { return f.first == kind->id; });
    if (it != plan.faults_.end()) return make_error(ErrorCode::kUsage, "--faults: '" + name + "' is given twice");
    plan.faults_.emplace_back(kind->id, rate);
  }
  // Table order, so that the draw order never depends on how the user wrote the list.
  std::sort(plan.faults_.begin(), plan.faults_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return plan;
}

Result<FaultPlan> FaultPlan::from_json(const Json& j, const std::string& what) {
  if (j.is_string()) return parse(j.get<std::string>());
  if (!j.is_array()) return make_error(ErrorCode::kConfig, what + ": faults must be a string or an array of {\"id\",\"rate\"}");
  std::string spec;
  for (const auto& f : j) {
    if (!f.is_object() || !f.contains("id") || !f["id"].is_string())
      return make_error(ErrorCode::kConfig, what + ": each fault needs a string \"id\"");
    spec += (spec.empty() ? "" : ",") + f["id"].get<std::string>();
    if (f.contains("rate")) {
      if (!f["rate"].is_number()) return make_error(ErrorCode::kConfig, what + ": fault rate must be a number");
      spec += "=" + std::to_string(f["rate"].get<double>());
    }
  }
  return parse(spec);
}

double FaultPlan::rate(FaultId id) const {
  for (const auto& [f, r] : faults_)
    if (f == id) return r;
  return 0.0;
}

FaultPlan FaultPlan::without(FaultId id) const {
  FaultPlan p;
  for (const auto& f : faults_)
    if (f.first != id) p.faults_.push_back(f);
  return p;
}

std::vector<FaultId> FaultPlan::draw(Rng& rng) const {
  std::vector<FaultId> fired;
  for (const auto& [id, rate] : faults_)
    if (rng.chance(rate)) fired.push_back(id);
  return fired;
}

std::string FaultPlan::to_string() const {
  if (faults_.empty()) return "none";
  std::string s;
  for (const auto& [id, rate] : faults_) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", rate);
    s += (s.empty() ? "" : ",") + std::string(harness::to_string(id)) + "=" + buf;
  }
  return s;
}

Json FaultPlan::to_json() const {
  Json a = Json::array();
  for (const auto& [id, rate] : faults_) a.push_back({{"id", harness::to_string(id)}, {"rate", rate}});
  return a;
}

}  // namespace evh::harness
