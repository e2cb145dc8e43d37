// Correct (kinesis, dynamodb-streams; poll with ReportBatchItemFailures): processes the records
// in batch order (Kinesis data is base64), records one side effect per sequence number once, and
// reports each poison record (effects channel and batchItemFailures). Lambda checkpoints just
// before the lowest failed record and redelivers the rest in order (SEMANTICS.md §4); they were
// processed already, and their side effects are not repeated.
#include "examples/handlers/handlers.h"
#include "examples/handlers/records.h"

#include <memory>

namespace evh::examples {

harness::Handler make_kinesis_correct() {
  auto done = std::make_shared<DoneKeys>();
  return [done](const Json& event, harness::Context& ctx) -> Json {
    Json failures = Json::array();
    for (const Json& record : batch_records(event)) {
      const std::string id = stream_sequence_number(record);
      if (stream_poison(record)) {
        ctx.failed(id);
        failures.push_back({{"itemIdentifier", id}});
        continue;
      }
      const std::string key = "apply-" + id;
      if (done->first_time(key)) ctx.side_effect(id, key);
      ctx.processed(id);
    }
    return Json{{"batchItemFailures", failures}};
  };
}

}  // namespace evh::examples
