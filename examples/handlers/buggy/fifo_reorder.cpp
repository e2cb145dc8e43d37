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
    for (auto it = records.rbegin(); it != records.rend(); ++it) handle_sqs_record(*it, ctx, *done, failures);  // the bug: newest first
    return Json{{"batchItemFailures", failures}};
  };
}

}  // namespace evh::examples
