// Trips batch.identifiers: reports its poison records by receiptHandle instead of messageId.
// Lambda finds no such record in the batch and fails the whole batch: every record comes back
// (SEMANTICS.md §4). Otherwise it is sqs-correct.
#include "examples/handlers/handlers.h"
#include "examples/handlers/records.h"

#include <memory>

namespace evh::examples {

harness::Handler make_sqs_wrong_id() {
  auto done = std::make_shared<DoneKeys>();
  return [done](const Json& event, harness::Context& ctx) -> Json {
    Json failures = Json::array();
    for (const Json& record : batch_records(event)) {
      const std::string id = sqs_message_id(record);
      if (sqs_poison(record)) {
        ctx.failed(id);
        failures.push_back({{"itemIdentifier", record.value("receiptHandle", "")}});  // the bug: not the messageId
        continue;
      }
      const std::string key = "charge-" + id;
      if (done->first_time(key)) ctx.side_effect(id, key);
      ctx.processed(id);
    }
    return Json{{"batchItemFailures", failures}};
  };
}

}  // namespace evh::examples
