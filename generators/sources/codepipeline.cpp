// codepipeline: every artifact of the job in the one artifact-store bucket, object keys named
// <pipeline>/<artifact name, 10 chars>/<id>, outputs without a revision, credentials expiring later.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kHex = "0123456789abcdef";

void fix_artifacts(Json* artifacts, bool output, const std::string& bucket, const std::string& pipeline,
                   std::set<std::string>& names, Rng& rng) {
  if (!artifacts || !artifacts->is_array()) return;
  for (auto& a : *artifacts) {
    if (!a.is_object()) continue;
    // Artifact names are unique within a pipeline.
    std::string name = str(a, "name");
    for (int n = 2; !names.insert(name).second; ++n) name = str(a, "name") + std::to_string(n);
    a["name"] = name;
    a["revision"] = output || rng.chance(0.2) ? Json(nullptr) : Json(rng.chars(40, kHex));
    Json* loc = find_at(a, "/location/s3Location");
    if (!loc || !loc->is_object()) continue;
    (*loc)["bucketName"] = bucket;
    (*loc)["objectKey"] = pipeline.substr(0, 20) + "/" + str(a, "name").substr(0, 10) + "/" + rng.chars(7, kAlnum);
  }
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  Json* data = find_at(event, "/CodePipeline.job/data");
  if (!data || !data->is_object()) return;
  // One artifact store per pipeline and region: codepipeline-<region>-<12 digits>.
  std::string bucket = "codepipeline-" + ctx.region + "-" + std::to_string(rng.range(100000000000, 999999999999));
  std::string pipeline = ctx.name + "-pipeline";
  std::set<std::string> names;
  fix_artifacts(find_at(*data, "/inputArtifacts"), false, bucket, pipeline, names, rng);
  fix_artifacts(find_at(*data, "/outputArtifacts"), true, bucket, pipeline, names, rng);
  Json* creds = find_at(*data, "/artifactCredentials");
  if (creds && creds->is_object() && creds->contains("expirationTime"))
    (*creds)["expirationTime"] = ctx.now_ms + rng.range(900000, 3600000);
}

void collect_buckets(const Json* artifacts, std::vector<std::pair<std::string, std::string>>& out,
                     const std::string& at) {
  if (!artifacts || !artifacts->is_array()) return;
  for (std::size_t i = 0; i < artifacts->size(); ++i) {
    const Json* b = find_at((*artifacts)[i], "/location/s3Location/bucketName");
    if (b && b->is_string()) out.emplace_back(at + "/" + std::to_string(i), b->get<std::string>());
  }
}

void check(const Json& event, std::vector<Problem>& out) {
  const Json* data = find_at(event, "/CodePipeline.job/data");
  if (!data || !data->is_object()) return;
  // An action runs in one region, so all its artifacts sit in that region's artifact store.
  std::vector<std::pair<std::string, std::string>> buckets;
  collect_buckets(find_at(*data, "/inputArtifacts"), buckets, "/CodePipeline.job/data/inputArtifacts");
  collect_buckets(find_at(*data, "/outputArtifacts"), buckets, "/CodePipeline.job/data/outputArtifacts");
  for (const auto& [at, bucket] : buckets)
    if (bucket != buckets.front().second)
      report(out, at + "/location/s3Location/bucketName", "is another bucket than the job's other artifacts");
}

}  // namespace

SourceHooks codepipeline_hooks() { return {finalize, check}; }

}  // namespace evh::sources
