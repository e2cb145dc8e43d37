// Trips idempotency.effects: charges on every delivery (key "charge-" + messageId) instead of
// once per message, so a duplicate delivery charges twice (run with --faults
// duplicate-delivery=0.3). Otherwise it is sqs-correct.
#include "examples/handlers/handlers.h"
#include "examples/handlers/records.h"

namespace evh::examples {

harness::Handler make_sqs_not_idempotent() {
  return [](const Json& event, harness::Context& ctx) -> Json {
    Json failures = Json::array();
    for (const Json& record : batch_records(event)) {
      const std::string id = sqs_message_id(record);
      if (sqs_poison(record)) {
        ctx.failed(id);
        failures.push_back({{"itemIdentifier", id}});
        continue;
      }
      ctx.side_effect(id, "charge-" + id);  // the bug: no check that it was done already
      ctx.processed(id);
    }
    return Json{{"batchItemFailures", failures}};
  };
}

}  // namespace evh::examples
