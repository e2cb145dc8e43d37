// Amazon S3 Batch Operations: URL-encoded task keys and userArguments only in schema 2.0, at most 10 of them
// (SEMANTICS.md §6.6).
#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

void finalize(Json& event, Rng&, GenContext&) {
  Json* tasks = array_at(event, "/tasks");
  if (!tasks) return;
  for (auto& t : *tasks) {
    if (!t.is_object()) continue;
    std::string raw = str(t, "s3Key");
    t["s3Key"] = codec::url_form_encode(raw.empty() ? "object" : raw);
  }
}

void check(const Json& event, std::vector<Problem>& out) {
  std::string version = str(event, "invocationSchemaVersion");
  if (const Json* args = find_at(event, "/job/userArguments")) {
    if (version == "1.0") report(out, "/job/userArguments", "only sent with invocationSchemaVersion 2.0");
    if (args->is_object() && args->size() > 10) report(out, "/job/userArguments", "more than 10 entries");
  }
  const Json* tasks = array_at(event, "/tasks");
  if (!tasks) return;
  for (std::size_t i = 0; i < tasks->size(); ++i) {
    const Json* key = find_at((*tasks)[i], "/s3Key");
    if (key && key->is_string() && !codec::url_form_decode(key->get<std::string>()))
      report(out, "/tasks/" + std::to_string(i) + "/s3Key", "is not a valid URL encoding");
  }
}

}  // namespace

SourceHooks s3_batch_hooks() { return {finalize, check}; }

}  // namespace evh::sources
