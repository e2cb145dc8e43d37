// What the example handlers share: reading a batch's records and their ids, spotting a poison
// record (a payload containing "poison", as evh's workload.poison makes them), the HTTP proxy
// answer, and a thread-safe set of idempotency keys already done.
#pragma once

#include <mutex>
#include <set>
#include <string>

#include "generators/json.h"
#include "harness/context.h"

namespace evh::examples {

/// The event's Records array; throws a FunctionError when there is none (a batch source always
/// sends one, so this is a function error the platform retries, not a crash).
const Json& batch_records(const Json& event);

/// SQS messageId; throws a FunctionError when absent.
std::string sqs_message_id(const Json& record);
/// The FIFO MessageGroupId ("" on a standard queue).
std::string sqs_group_id(const Json& record);
/// Whether an SQS record's body names the poison payload.
bool sqs_poison(const Json& record);

/// Kinesis kinesis.sequenceNumber or DynamoDB dynamodb.SequenceNumber; throws when absent.
std::string stream_sequence_number(const Json& record);
/// Kinesis: the base64-decoded data holds "poison"; DynamoDB: the NewImage does.
bool stream_poison(const Json& record);

/// Malformed input an HTTP handler must answer with 400, not a crash.
bool malformed_http_event(const Json& event);
/// A proxy answer in the header style the request used (multiValueHeaders for an ALB target
/// group with multi-value headers on, SEMANTICS.md §6.3).
Json http_answer(const Json& event, int status, const char* body);

/// Idempotency keys already done, shared by every invocation of one handler object.
class DoneKeys {
 public:
  /// True the first time `key` is seen.
  bool first_time(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    return done_.insert(key).second;
  }

 private:
  std::mutex mu_;
  std::set<std::string> done_;
};

/// The correct handling of one SQS record, shared by the handlers whose bug lies elsewhere (which
/// records they visit, in what order): a poison record is reported failed (effect and
/// batchItemFailures entry); any other gets its "charge-<messageId>" side effect once and is
/// processed. Returns false for a poison record.
bool handle_sqs_record(const Json& record, harness::Context& ctx, DoneKeys& done, Json& failures);

}  // namespace evh::examples
