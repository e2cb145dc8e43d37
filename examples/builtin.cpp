#include "examples/builtin.h"

namespace evh::examples {
namespace {

using harness::Context;
using harness::FunctionError;

// --- HTTP sources (API Gateway v1/v2, ALB, Function URL): SEMANTICS.md §6.1–§6.3 ----------

// Malformed input an HTTP handler must answer with 400, not with a crash.
bool malformed_http_event(const Json& event) {
  if (!event.is_object()) return true;
  auto body = event.find("body");
  if (body != event.end() && !body->is_null() && !body->is_string()) return true;
  auto rc = event.find("requestContext");
  return rc == event.end() || !rc->is_object();
}

// Answers in the header style the request used: an ALB target group with multi-value headers
// on must answer with multiValueHeaders (SEMANTICS.md §6.3); API Gateway REST accepts either.
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

// Correct: 400 for malformed input, 200 otherwise.
Json apigw_echo(const Json& event, Context&) {
  if (malformed_http_event(event)) return http_answer(event, 400, "{\"error\":\"bad request\"}");
  return http_answer(event, 200, "{\"ok\":true}");
}

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
      {"apigw-echo", "HTTP sources: 400 for malformed input, 200 otherwise", false, apigw_echo},
      {"apigw-fragile", "HTTP sources: throws on malformed input (API Gateway answers 502)", true, apigw_fragile},
      {"apigw-string-status", "HTTP sources: returns statusCode as a string", true, apigw_string_status},
      {"apigw-object-body", "HTTP sources: returns body as an object, not a string", true, apigw_object_body},
      {"apigw-base64-typo", "HTTP sources: returns base64Encoded instead of isBase64Encoded", true, apigw_base64_typo},
      {"sqs-partial", "SQS: reports records with an empty body in batchItemFailures, processes the rest", false, sqs_partial},
      {"hang", "never answers: runs past its timeout", true, hang},
  };
  return kHandlers;
}

const harness::Handler* find_builtin(const std::string& name) {
  for (const auto& h : builtin_handlers())
    if (name == h.name) return &h.handler;
  return nullptr;
}

}  // namespace evh::examples
