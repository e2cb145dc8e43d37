// Trips order.per-key: processes a FIFO batch newest first (it "handles the latest state
// first"), so the records of one MessageGroupId are processed out of order.
#include "examples/handlers/handlers.h"
#include "examples/handlers/records.h"

#include <memory>

namespace evh::examples {

harness::Handler make_fifo_reorder() {
  auto done = std::make_shared<DoneKeys>();
  return [done](const Json& event, harness::Context& ctx) -> Json {
    const Json& records = batch_records(event);
    Json failures = Json::array();
    for (auto it = records.rbegin(); it != records.rend(); ++it) {  // the bug: newest first
      const std::string id = sqs_message_id(*it);
      if (sqs_poison(*it)) {
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
