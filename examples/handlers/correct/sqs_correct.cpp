// Correct (sqs, sqs-fifo; poll with ReportBatchItemFailures): processes the records in batch
// order, reports each poison record (a body containing "poison") as failed both in
// batchItemFailures and through the effects channel, and charges each message once, however
// often it is delivered (the charge key is remembered). On a FIFO queue a failure also holds back
// the rest of its message group: those records are listed too, so the group stays in order.
#include "examples/handlers/handlers.h"
#include "examples/handlers/records.h"

#include <memory>

namespace evh::examples {

harness::Handler make_sqs_correct() {
  auto done = std::make_shared<DoneKeys>();
  return [done](const Json& event, harness::Context& ctx) -> Json {
    Json failures = Json::array();
    std::set<std::string> held_groups;  // FIFO groups with a failure earlier in this batch
    for (const Json& record : batch_records(event)) {
      const std::string id = sqs_message_id(record);
      const std::string group = sqs_group_id(record);
      if (!group.empty() && held_groups.count(group)) {
        failures.push_back({{"itemIdentifier", id}});  // not tried: retried after the failed one
        continue;
      }
      if (!handle_sqs_record(record, ctx, *done, failures) && !group.empty()) held_groups.insert(group);
    }
    return Json{{"batchItemFailures", failures}};
  };
}

}  // namespace evh::examples
