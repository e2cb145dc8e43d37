// Trips delivery.no-loss: an off-by-one loop skips the last record of each batch and still
// returns success, so SQS deletes a message nobody processed. Otherwise it is sqs-correct.
#include "examples/handlers/handlers.h"
#include "examples/handlers/records.h"

#include <memory>

namespace evh::examples {

harness::Handler make_sqs_ack_unprocessed() {
  auto done = std::make_shared<DoneKeys>();
  return [done](const Json& event, harness::Context& ctx) -> Json {
    const Json& records = batch_records(event);
    Json failures = Json::array();
    for (std::size_t i = 0; i + 1 < records.size(); ++i) {  // the bug: `i + 1 <`, the last one is dropped
      const std::string id = sqs_message_id(records[i]);
      if (sqs_poison(records[i])) {
        ctx.failed(id);
        failures.push_back({{"itemIdentifier", id}});
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
