// Trips batch.failures-reported: notices its poison records (reports them failed through the
// effects channel) but returns an empty batchItemFailures, so SQS deletes them: swallowed.
#include "examples/handlers/handlers.h"
#include "examples/handlers/records.h"

#include <memory>

namespace evh::examples {

harness::Handler make_sqs_swallow() {
  auto done = std::make_shared<DoneKeys>();
  return [done](const Json& event, harness::Context& ctx) -> Json {
    for (const Json& record : batch_records(event)) {
      const std::string id = sqs_message_id(record);
      if (sqs_poison(record)) {
        ctx.failed(id);  // noticed, logged... and not reported: the bug
        continue;
      }
      const std::string key = "charge-" + id;
      if (done->first_time(key)) ctx.side_effect(id, key);
      ctx.processed(id);
    }
    return Json{{"batchItemFailures", Json::array()}};
  };
}

}  // namespace evh::examples
