// Case serialisation.
#include "generators/case.h"

namespace evh {

const char* to_string(Expect e) { return e == Expect::kIllegal ? "illegal" : "valid"; }

std::string Case::chain() const {
  if (mutations.empty()) return "none";
  std::string out;
  for (const auto& m : mutations) out += (out.empty() ? "" : " > ") + m;
  return out;
}

Json Case::to_json() const {
  Json j = Json::object();
  j["source"] = source;
  j["seed"] = seed;
  j["mutations"] = mutations;
  j["expect"] = to_string(expect);
  j["event"] = event;
  return j;
}

Result<Case> Case::from_json(const Json& j, const std::string& what) {
  auto bad = [&](const std::string& msg) { return make_error(ErrorCode::kConfig, what + ": " + msg); };
  if (!j.is_object()) return bad("a case must be a JSON object");
  Case c;
  if (!j.contains("source") || !j["source"].is_string()) return bad("/source must be a string");
  c.source = j["source"].get<std::string>();
  if (j.contains("seed")) {
    if (!j["seed"].is_number_unsigned()) return bad("/seed must be a non-negative integer");
    c.seed = j["seed"].get<uint64_t>();
  }
  if (j.contains("mutations")) {
    if (!j["mutations"].is_array()) return bad("/mutations must be an array of mutator ids");
    for (const auto& m : j["mutations"]) {
      if (!m.is_string()) return bad("/mutations must be an array of mutator ids");
      c.mutations.push_back(m.get<std::string>());
    }
  }
  if (j.contains("expect")) {
    if (j["expect"] == "illegal") {
      c.expect = Expect::kIllegal;
    } else if (j["expect"] != "valid") {
      return bad("/expect must be \"valid\" or \"illegal\"");
    }
  }
  if (!j.contains("event")) return bad("/event is missing");
  c.event = j["event"];
  return c;
}

}  // namespace evh
