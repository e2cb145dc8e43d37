// Correct (s3, async): one idempotent side effect per object version (key + eTag, or the
// sequencer when there is no eTag, as on a delete), so a duplicate notification or a retry does
// nothing twice; a processed effect per record, named by its sequencer (the record id evh reads).
#include "examples/handlers/handlers.h"
#include "examples/handlers/records.h"

#include <memory>

namespace evh::examples {

namespace {

std::string text_at(const Json& v, const Json::json_pointer& p) {
  return v.contains(p) && v.at(p).is_string() ? v.at(p).get<std::string>() : std::string();
}

}  // namespace

harness::Handler make_s3_correct() {
  auto done = std::make_shared<DoneKeys>();
  return [done](const Json& event, harness::Context& ctx) -> Json {
    for (const Json& record : batch_records(event)) {
      const std::string key = text_at(record, Json::json_pointer("/s3/object/key"));
      const std::string sequencer = text_at(record, Json::json_pointer("/s3/object/sequencer"));
      if (key.empty() || sequencer.empty()) throw harness::FunctionError("Error", "S3 record without an object key or sequencer");
      std::string version = text_at(record, Json::json_pointer("/s3/object/eTag"));
      if (version.empty()) version = sequencer;
      const std::string effect_key = "thumbnail-" + key + "@" + version;
      if (done->first_time(effect_key)) ctx.side_effect(sequencer, effect_key);
      ctx.processed(sequencer);
    }
    return nullptr;
  };
}

}  // namespace evh::examples
