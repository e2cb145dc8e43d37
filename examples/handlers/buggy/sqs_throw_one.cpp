// Trips batch.partial-not-whole: processes the records in order and throws at the first poison
// one, failing the whole batch although ReportBatchItemFailures is on: the records it already
// processed are delivered again for nothing.
#include "examples/handlers/handlers.h"
#include "examples/handlers/records.h"

#include <memory>

namespace evh::examples {

harness::Handler make_sqs_throw_one() {
  auto done = std::make_shared<DoneKeys>();
  return [done](const Json& event, harness::Context& ctx) -> Json {
    for (const Json& record : batch_records(event)) {
      const std::string id = sqs_message_id(record);
      if (sqs_poison(record)) throw harness::FunctionError("PoisonMessageError", "cannot process message " + id);  // the bug
      const std::string key = "charge-" + id;
      if (done->first_time(key)) ctx.side_effect(id, key);
      ctx.processed(id);
    }
    return Json{{"batchItemFailures", Json::array()}};
  };
}

}  // namespace evh::examples
