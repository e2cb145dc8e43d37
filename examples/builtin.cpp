#include "examples/builtin.h"

#include "examples/handlers/handlers.h"
#include "examples/handlers/records.h"

namespace evh::examples {
namespace {

using harness::Context;
using harness::FunctionError;

// --- HTTP sources (API Gateway v1/v2, ALB, Function URL): SEMANTICS.md §6.1–§6.3 ----------

// Bug: trusts its input; malformed events make it throw, which API Gateway turns into 502.
Json apigw_fragile(const Json& event, Context&) {
  if (malformed_http_event(event)) throw FunctionError("TypeError", "Cannot read properties of undefined (reading 'body')");
  return http_answer(event, 200, "{\"ok\":true}");
}

// Bug: statusCode as a string (API Gateway REST answers 502).
Json apigw_string_status(const Json&, Context&) {
  return Json{{"statusCode", "200"}, {"body", "{\"ok\":true}"}};
}

// Bug: body as an object instead of a string.
Json apigw_object_body(const Json&, Context&) {
  return Json{{"statusCode", 200}, {"body", {{"ok", true}}}};
}

// Bug: `base64Encoded` instead of `isBase64Encoded`.
Json apigw_base64_typo(const Json&, Context&) {
  return Json{{"statusCode", 200}, {"body", "eyJvayI6dHJ1ZX0="}, {"base64Encoded", true}};
}

// --- Batch sources with ReportBatchItemFailures: SEMANTICS.md §4 ---------------------------

// Correct: processes every record with a non-empty string body, reports the others as failed.
Json sqs_partial(const Json& event, Context& ctx) {
  Json failures = Json::array();
  auto records = event.find("Records");
  if (records == event.end() || !records->is_array()) throw FunctionError("Error", "event has no Records array");
  for (const auto& r : *records) {
    if (!r.is_object() || !r.contains("messageId") || !r["messageId"].is_string())
      throw FunctionError("Error", "record without a messageId");
    const auto& id = r["messageId"].get_ref<const std::string&>();
    auto body = r.find("body");
    if (body != r.end() && body->is_string() && !body->get_ref<const std::string&>().empty()) {
      ctx.processed(id);
    } else {
      ctx.failed(id);
      failures.push_back({{"itemIdentifier", id}});
    }
  }
  return Json{{"batchItemFailures", failures}};
}

// --- Any source ------------------------------------------------------------------------------

Json noop(const Json&, Context&) { return nullptr; }

// Bug: never answers (simulated on the virtual clock: it spends past its deadline).
Json hang(const Json&, Context& ctx) {
  ctx.spend_ms(ctx.remaining_ms() + 1);
  return nullptr;
}

}  // namespace

const std::vector<BuiltinHandler>& builtin_handlers() {
  static const std::vector<BuiltinHandler> kHandlers = {
      {"noop", "returns null: right for every source whose response is ignored", false, noop},
      {"apigw-echo", "HTTP sources: 400 for malformed input, 200 otherwise", false, make_apigw_echo()},
      {"apigw-fragile", "HTTP sources: throws on malformed input (API Gateway answers 502)", true, apigw_fragile},
      {"apigw-string-status", "HTTP sources: returns statusCode as a string", true, apigw_string_status},
      {"apigw-object-body", "HTTP sources: returns body as an object, not a string", true, apigw_object_body},
      {"apigw-base64-typo", "HTTP sources: returns base64Encoded instead of isBase64Encoded", true, apigw_base64_typo},
      {"sqs-partial", "SQS: reports records with an empty body in batchItemFailures, processes the rest", false, sqs_partial},
      {"hang", "never answers: runs past its timeout", true, hang},
      // examples/handlers/correct/
      {"sqs-correct", "SQS and SQS FIFO: processes in order, lists poison records (and reports them failed), charges each message once", false,
       make_sqs_correct()},
      {"kinesis-correct", "Kinesis and DynamoDB Streams: processes in order, lists poison records, one side effect per sequence number",
       false, make_kinesis_correct()},
      {"s3-correct", "S3 (async): one idempotent side effect per object key and eTag", false, make_s3_correct()},
      {"alexa-correct", "Alexa skill: a short valid response", false, make_alexa_correct()},
      // examples/handlers/buggy/: each trips exactly one invariant
      {"sqs-wrong-id", "SQS: lists failed records by receiptHandle instead of messageId (batch.identifiers)", true, make_sqs_wrong_id()},
      {"sqs-swallow", "SQS: notices a poison record but returns an empty batchItemFailures (batch.failures-reported)", true, make_sqs_swallow()},
      {"sqs-throw-one", "SQS: throws at the poison record, failing the whole batch (batch.partial-not-whole)", true, make_sqs_throw_one()},
      {"fifo-reorder", "SQS FIFO: processes a batch newest first (order.per-key)", true, make_fifo_reorder()},
      {"sqs-not-idempotent", "SQS: charges on every delivery, not once per message (idempotency.effects)", true, make_sqs_not_idempotent()},
      {"sqs-ack-unprocessed", "SQS: skips the last record of each batch and returns success (delivery.no-loss)", true, make_sqs_ack_unprocessed()},
      {"empty-body-crash", "HTTP sources: fails on an empty or missing body; API Gateway answers 502 (robust.no-crash)", true, make_empty_body_crash()},
      {"unicode-hang", "HTTP sources: hangs past its timeout on a non-ASCII body (robust.no-hang)", true, make_unicode_hang()},
      {"alexa-oversize", "Alexa skill: a valid response over Alexa's 24 KB limit (limits.payload)", true, make_alexa_oversize()},
  };
  return kHandlers;
}

const harness::Handler* find_builtin(const std::string& name) {
  for (const auto& h : builtin_handlers())
    if (name == h.name) return &h.handler;
  return nullptr;
}

}  // namespace evh::examples
