// codecommit: part number within the part count, repository ARN in awsRegion, caller in the
// repository's account, a reference never both created and deleted, CodeCommit's "+0000" times.
#include <cstdint>
#include <set>
#include <string>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

int64_t int_or(const Json& obj, const char* key, int64_t fallback) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  Json* records = array_at(event, "/Records");
  if (!records) return;
  for (auto& r : *records) {
    if (!r.is_object()) continue;
    // CodeCommit writes milliseconds and a "+0000" offset: 2019-03-12T20:58:25.400+0000.
    std::string t = iso8601(ctx.now_ms - rng.range(100, 5000), true);
    r["eventTime"] = t.substr(0, t.size() - 1) + "+0000";
    int64_t total = rng.chance(0.95) ? 1 : rng.range(2, 4);
    r["eventTotalParts"] = total;
    r["eventPartNumber"] = rng.range(1, total);
    r["eventName"] = rng.chance(0.95) ? "ReferenceChanges" : "TriggerEventTest";
    Json* refs = find_at(r, "/codecommit/references");
    if (!refs || !refs->is_array()) continue;
    // One push names each reference once.
    Json unique = Json::array();
    std::set<std::string> seen;
    for (auto& ref : *refs)
      if (!ref.is_object() || seen.insert(str(ref, "ref")).second) unique.push_back(std::move(ref));
    *refs = std::move(unique);
    for (auto& ref : *refs) {
      if (ref.is_object() && ref.contains("created") && ref.contains("deleted")) ref.erase("deleted");
      for (const char* flag : {"created", "deleted"})
        if (ref.is_object() && ref.contains(flag)) ref[flag] = true;  // the flags are sent only when true
    }
  }
}

void check(const Json& event, std::vector<Problem>& out) {
  const Json* records = array_at(event, "/Records");
  if (!records) return;
  for (std::size_t i = 0; i < records->size(); ++i) {
    const Json& r = (*records)[i];
    if (!r.is_object()) continue;
    std::string at = "/Records/" + std::to_string(i);
    if (int_or(r, "eventPartNumber", 0) > int_or(r, "eventTotalParts", INT64_MAX))
      report(out, at + "/eventPartNumber", "is greater than eventTotalParts");
    std::string repo = str(r, "eventSourceARN"), region = str(r, "awsRegion");
    if (!region.empty() && !arn_field(repo, 3).empty() && arn_field(repo, 3) != region)
      report(out, at + "/eventSourceARN", "names another region than awsRegion");
    std::string user_account = arn_field(str(r, "userIdentityARN"), 4), repo_account = arn_field(repo, 4);
    if (!user_account.empty() && !repo_account.empty() && user_account != repo_account)
      report(out, at + "/userIdentityARN", "is in another account than the repository");
    const Json* refs = find_at(r, "/codecommit/references");
    if (!refs || !refs->is_array()) continue;
    for (std::size_t j = 0; j < refs->size(); ++j) {
      const Json& ref = (*refs)[j];
      if (!ref.is_object()) continue;
      auto c = ref.find("created"), d = ref.find("deleted");
      if (c != ref.end() && d != ref.end() && c->is_boolean() && d->is_boolean() && c->get<bool>() && d->get<bool>())
        report(out, at + "/codecommit/references/" + std::to_string(j), "is both created and deleted");
    }
  }
}

}  // namespace

SourceHooks codecommit_hooks() { return {finalize, check}; }

}  // namespace evh::sources
