// Source: everything evh knows about one event source, read from the `x-evh-source` block of
// its schema file (data) plus two hooks from its .cpp (finalize: fill cross-field values after
// generation; check: report internal inconsistencies). Nothing outside generators/ knows a
// source by name: the harness reads what it needs from this struct.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "generators/gen_context.h"
#include "generators/json.h"
#include "generators/rng.h"
#include "generators/schema.h"
#include "generators/validate.h"

namespace evh {

/// How the platform delivers events of this source (SEMANTICS.md §1–§3).
enum class InvocationModel { kSyncPush, kAsyncPush, kPollQueue, kPollStream, kPollBroker };
/// The Invoke API invocation type the platform uses (SEMANTICS.md §1).
enum class InvocationType { kRequestResponse, kEvent };
/// How a record carries the user's payload.
enum class PayloadEncoding {
  kNone,        ///< the source has no user payload (S3 notification, Cognito trigger ...)
  kText,        ///< a string: the payload serialised (SQS body, SNS Message, HTTP body)
  kBase64,      ///< base64 of the serialised payload (Kinesis data, Kafka value, MQ data)
  kGzipBase64,  ///< base64 of gzip of the serialised payload
  kJson,        ///< the payload as a JSON value (EventBridge detail)
  kDdbJson,     ///< a DynamoDB attribute-value map (stream NewImage)
  kJsonStrings, ///< a JSON object whose scalars arrive as strings (CloudFormation ResourceProperties);
                ///< types are erased, so the payload contract cannot be checked on it
};

const char* to_string(InvocationModel m);
const char* to_string(InvocationType t);
const char* to_string(PayloadEncoding e);

/// Where the record id, the ordering key and the payload are.
struct RecordIdentity {
  std::string records;       ///< pointer to the record array ("" = the event is one record)
  bool grouped = false;      ///< `records` is an object of arrays (Kafka topic-partitions, RabbitMQ queues)
  std::string id;            ///< pointer, inside a record, to its id ("" = none)
  std::string ordering_key;  ///< pointer, inside a record, to its ordering key ("" = none)
  std::string payload;       ///< pointer, inside a record, to the payload ("" = none)
  PayloadEncoding encoding = PayloadEncoding::kNone;
  std::string base64_flag;   ///< pointer, inside a record, to a boolean: true = the text payload is base64 (HTTP isBase64Encoded)
};

/// Byte and count limits (SEMANTICS.md §1, §3).
struct SourceLimits {
  std::size_t max_event_bytes = 0;     ///< the whole event as invoked
  std::size_t max_record_bytes = 0;    ///< one record's payload (0 = no separate limit)
  std::size_t min_payload_bytes = 0;   ///< smallest payload the platform carries (SQS: 1 character)
  std::size_t max_batch_records = 1;   ///< records per event
  std::size_t max_response_bytes = 0;  ///< what the function may return
};

/// What the function must return and how the platform reads it.
struct ResponseContract {
  std::string contract;  ///< "ignored", or a name the harness knows (batch-item-failures, apigw-proxy-v1 ...)
  std::string read_by;   ///< one sentence: what the platform does with the value
  std::optional<Schema> schema;
};

using FinalizeFn = void (*)(Json& event, Rng& rng, GenContext& ctx);
using CheckFn = void (*)(const Json& event, std::vector<Problem>& out);
using RefreshFn = void (*)(Json& event);

struct SourceHooks {
  FinalizeFn finalize = nullptr;  ///< fill cross-field values after generation (may draw)
  CheckFn check = nullptr;        ///< report inconsistencies; reads any JSON without throwing
  RefreshFn refresh = nullptr;    ///< recompute derived values (digests) after a legal mutation; no draws
};

struct Source {
  std::string id;
  std::string title;
  std::string summary;
  std::string service;  ///< invoking principal (sqs.amazonaws.com), "" for direct callers
  InvocationModel model = InvocationModel::kSyncPush;
  InvocationType type = InvocationType::kRequestResponse;
  SourceLimits limits;
  RecordIdentity identity;
  ResponseContract response;
  Json defaults = Json::object();  ///< platform defaults (ESM settings, timeouts) as AWS names them
  Json meta = Json::object();      ///< the whole x-evh-source block
  Schema schema;
  const SchemaNode* records_node = nullptr;  ///< schema of the record array (or of one group)
  SourceHooks hooks;

  bool batched() const { return !identity.records.empty(); }
};

/// Builds a Source from a schema document; `what` names it in errors.
Result<Source> load_source(const Json& doc, const std::string& what, SourceHooks hooks);

/// JSON pointers of every record in `event` ("/Records/0", ...; {""} for a single-event source).
std::vector<std::string> record_pointers(const Source& source, const Json& event);

/// The value at `pointer` inside `v`, or nullptr.
const Json* find_at(const Json& v, std::string_view pointer);
Json* find_at(Json& v, std::string_view pointer);

}  // namespace evh
