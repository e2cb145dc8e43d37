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
    for (std::size_t i = 0; i + 1 < records.size(); ++i) handle_sqs_record(records[i], ctx, *done, failures);  // the bug: the last one is dropped
    return Json{{"batchItemFailures", failures}};
  };
}

}  // namespace evh::examples
