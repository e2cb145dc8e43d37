#include "examples/handlers/records.h"

#include "generators/codec.h"

namespace evh::examples {

using harness::FunctionError;

namespace {

const Json* member(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string string_member(const Json& obj, const char* key) {
  const Json* v = member(obj, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

}  // namespace

const Json& batch_records(const Json& event) {
  const Json* records = member(event, "Records");
  if (records == nullptr || !records->is_array()) throw FunctionError("Error", "event has no Records array");
  return *records;
}

std::string sqs_message_id(const Json& record) {
  std::string id = string_member(record, "messageId");
  if (id.empty()) throw FunctionError("Error", "record without a messageId");
  return id;
}

std::string sqs_group_id(const Json& record) {
  const Json* attributes = member(record, "attributes");
  return attributes != nullptr ? string_member(*attributes, "MessageGroupId") : std::string();
}

bool sqs_poison(const Json& record) { return string_member(record, "body").find("poison") != std::string::npos; }

std::string stream_sequence_number(const Json& record) {
  for (const char* envelope : {"kinesis", "dynamodb"}) {
    const Json* inner = member(record, envelope);
    if (inner == nullptr) continue;
    std::string id = string_member(*inner, envelope[0] == 'k' ? "sequenceNumber" : "SequenceNumber");
    if (!id.empty()) return id;
  }
  throw FunctionError("Error", "record without a sequence number");
}

bool stream_poison(const Json& record) {
  if (const Json* kinesis = member(record, "kinesis")) {
    auto data = codec::base64_decode(string_member(*kinesis, "data"));
    return data && data->find("poison") != std::string::npos;
  }
  if (const Json* dynamodb = member(record, "dynamodb")) {
    const Json* image = member(*dynamodb, "NewImage");
    return image != nullptr && image->dump().find("poison") != std::string::npos;
  }
  return false;
}

bool malformed_http_event(const Json& event) {
  if (!event.is_object()) return true;
  auto body = event.find("body");
  if (body != event.end() && !body->is_null() && !body->is_string()) return true;
  auto rc = event.find("requestContext");
  return rc == event.end() || !rc->is_object();
}

Json http_answer(const Json& event, int status, const char* body) {
  Json answer{{"statusCode", status}};
  if (event.is_object() && event.contains("multiValueHeaders") && event["multiValueHeaders"].is_object()) {
    answer["multiValueHeaders"] = {{"content-type", {"application/json"}}};
  } else {
    answer["headers"] = {{"content-type", "application/json"}};
  }
  answer["body"] = body;
  return answer;
}

bool handle_sqs_record(const Json& record, harness::Context& ctx, DoneKeys& done, Json& failures) {
  const std::string id = sqs_message_id(record);
  if (sqs_poison(record)) {
    ctx.failed(id);
    failures.push_back({{"itemIdentifier", id}});
    return false;
  }
  const std::string key = "charge-" + id;
  if (done.first_time(key)) ctx.side_effect(id, key);
  ctx.processed(id);
  return true;
}

}  // namespace evh::examples
