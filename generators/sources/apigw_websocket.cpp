// apigw-websocket: eventType follows routeKey; messageId, disconnect fields and headers fit the event type.
#include "generators/codec.h"
#include "generators/sources/apigw_common.h"
#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

std::string event_type(const std::string& route) {
  return route == "$connect" ? "CONNECT" : route == "$disconnect" ? "DISCONNECT" : "MESSAGE";
}

std::string opaque_id(Rng& rng) {
  return rng.chars(15, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") + "=";
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  if (!event.is_object() || !event.contains("requestContext") || !event["requestContext"].is_object()) return;
  std::string type = event_type(str_at(event, "/requestContext/routeKey"));
  // Top-level members first: ordered_json keeps members in a vector, so an insert or erase moves
  // every member; references are taken only once the member set is final.
  if (auto v = event.find("stageVariables"); v != event.end() && v->is_object() && v->empty()) *v = nullptr;
  if (type == "MESSAGE") {
    // Messages are frames on an open connection: no HTTP headers or query string.
    for (const char* k : {"headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters"})
      event.erase(k);
    settle_base64(event, 0.05, rng);
  } else {
    event.erase("body");
    settle_base64(event, 0.0, rng);
    if (!event.contains("headers") || !event["headers"].is_object()) event["headers"] = Json::object();
    if (!event.contains("multiValueHeaders")) event["multiValueHeaders"] = nullptr;
    auto q = event.find("queryStringParameters");
    if (type == "CONNECT" && q != event.end() && q->is_object() && !q->empty()) {
      if (!event.contains("multiValueQueryStringParameters")) event["multiValueQueryStringParameters"] = nullptr;
    } else {
      event.erase("queryStringParameters");
      event.erase("multiValueQueryStringParameters");
    }
  }

  Json& rc = event["requestContext"];
  rc["eventType"] = type;
  int64_t epoch = rc.contains("requestTimeEpoch") && rc["requestTimeEpoch"].is_number_integer()
                      ? rc["requestTimeEpoch"].get<int64_t>()
                      : ctx.now_ms;
  rc["requestTimeEpoch"] = epoch;
  rc["requestTime"] = clf_time(epoch);
  rc["connectedAt"] = type == "CONNECT" ? epoch : epoch - rng.range(1000, 3600000);
  if (rc.contains("authorizer")) add_authorizer_context(rc["authorizer"], rng);
  if (type == "MESSAGE") {
    if (!rc.contains("messageId")) rc["messageId"] = opaque_id(rng);
    rc.erase("disconnectStatusCode");
    rc.erase("disconnectReason");
    return;
  }
  rc.erase("messageId");
  if (type == "DISCONNECT") {
    rc["disconnectStatusCode"] = rng.pick(std::vector<int>{1000, 1001, 1005, 1006});
    rc["disconnectReason"] =
        rng.pick(std::vector<std::string>{"", "Going away", "Client-side close frame status not set"});
  } else {
    rc.erase("disconnectStatusCode");
    rc.erase("disconnectReason");
  }
  RequestFacts f;
  f.host = str(rc, "domainName");
  f.user_agent = str_at(rc, "/identity/userAgent");
  f.source_ip = str_at(rc, "/identity/sourceIp");
  f.trace_id = trace_header(epoch, rng);
  Json& headers = event["headers"];
  fill_headers(headers, f, rng);
  if (type == "CONNECT") {
    // The WebSocket upgrade request (RFC 6455 §4.1).
    headers["Sec-WebSocket-Key"] = codec::base64_encode(rng.chars(16, "abcdefghijklmnopqrstuvwxyz0123456789"));
    headers["Sec-WebSocket-Version"] = "13";
    headers["Sec-WebSocket-Extensions"] = "permessage-deflate; client_max_window_bits";
  }
  sync_multi_value(headers, event["multiValueHeaders"], false, rng);
  if (event.contains("queryStringParameters"))
    sync_multi_value(event["queryStringParameters"], event["multiValueQueryStringParameters"], true, rng);
}

void check(const Json& event, std::vector<Problem>& out) {
  if (!event.is_object()) return;
  check_multi_value(event, "", "headers", "multiValueHeaders", out);
  check_multi_value(event, "", "queryStringParameters", "multiValueQueryStringParameters", out);
  check_base64_body(event, out);
  const Json* rc = find_at(event, "/requestContext");
  if (!rc || !rc->is_object()) return;
  std::string route = str(*rc, "routeKey"), type = str(*rc, "eventType");
  if (!route.empty() && !type.empty() && type != event_type(route))
    report(out, "/requestContext/eventType", "is not the event type of routeKey '" + route + "'");
  if (type == "MESSAGE" && !rc->contains("messageId"))
    report(out, "/requestContext/messageId", "is missing on a MESSAGE event");
  if (type != "MESSAGE" && rc->contains("messageId"))
    report(out, "/requestContext/messageId", "is set on a " + type + " event");
  if (type != "DISCONNECT" && rc->contains("disconnectStatusCode"))
    report(out, "/requestContext/disconnectStatusCode", "is set on a " + type + " event");
  const Json* connected = find_at(*rc, "/connectedAt");
  const Json* epoch = find_at(*rc, "/requestTimeEpoch");
  if (connected && epoch && connected->is_number_integer() && epoch->is_number_integer() &&
      connected->get<int64_t>() > epoch->get<int64_t>())
    report(out, "/requestContext/connectedAt", "is after requestTimeEpoch");
  check_request_time(*rc, "/requestContext", "requestTime", "requestTimeEpoch", out);
  check_domain(*rc, "/requestContext", out);
}

}  // namespace

SourceHooks apigw_websocket_hooks() { return {finalize, check}; }

}  // namespace evh::sources
