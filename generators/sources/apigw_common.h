// HTTP-request helpers shared by the API Gateway, ALB and function URL sources (SEMANTICS.md §6.1–§6.3).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "generators/gen_context.h"
#include "generators/json.h"
#include "generators/rng.h"
#include "generators/validate.h"

namespace evh::sources {

/// `$context.requestTime` format: "12/Mar/2020:19:03:58 +0000".
std::string clf_time(int64_t epoch_ms);
/// Epoch seconds of a requestTime string (the space before the offset is optional); nullopt when malformed.
std::optional<int64_t> parse_clf_time(std::string_view text);

/// Path parameters of `path` under a resource or route template ("/items/{id}", "/{proxy+}");
/// nullopt when the path does not fit the template.
std::optional<std::map<std::string, std::string>> match_route(std::string_view tmpl, std::string_view path);
/// A concrete path that fits `tmpl`.
std::string fill_route(std::string_view tmpl, Rng& rng);

/// The first DNS label of a host name.
std::string first_label(std::string_view domain);

/// GET, HEAD and OPTIONS requests carry no body.
bool bodiless_method(std::string_view method);

/// The string at a JSON pointer, or "" when absent or not a string.
std::string str_at(const Json& event, std::string_view pointer);

/// An X-Ray trace header whose epoch part is `epoch_ms` (Root=1-<8 hex>-<24 hex>).
std::string trace_header(int64_t epoch_ms, Rng& rng);

/// What the front end knows about the request, copied into its headers.
struct RequestFacts {
  std::string host;
  std::string user_agent;
  std::string source_ip;
  std::string trace_id;
  std::string proto = "https";
  std::string port = "443";
  const Json* body = nullptr;   ///< the body field (string or null)
  bool base64 = false;          ///< the body is base64 (isBase64Encoded)
  bool lower = false;           ///< lower-case header names (HTTP API, function URL, ALB)
  bool content_length = false;  ///< add Content-Length for a body
};
/// Makes `headers` (an object) a realistic header set that agrees with `facts`: Host, User-Agent,
/// X-Forwarded-For/Port/Proto, X-Amzn-Trace-Id, Content-Type (and Content-Length) for a body;
/// values of other well-known names are made plausible; names are lower-cased when `facts.lower`.
void fill_headers(Json& headers, const RequestFacts& facts, Rng& rng);

/// Payload 1.0 pairs (headers / multiValueHeaders, query strings): rebuilds `multi` from `single`,
/// whose value is each name's last value; a few names get an earlier value too. When `single` is
/// null (or empty and `null_when_empty`), both become null.
void sync_multi_value(Json& single, Json& multi, bool null_when_empty, Rng& rng);
/// Reports where a payload 1.0 pair disagrees (pointers name the two members of `obj`).
void check_multi_value(const Json& obj, const std::string& at, std::string_view single, std::string_view multi,
                       std::vector<Problem>& out);

/// Payload 2.0 query strings: the rawQueryString of comma-joined parameters, and back.
std::string raw_query(const Json& params);
std::optional<Json> parse_raw_query(std::string_view raw);

/// A body and its isBase64Encoded flag agree: when the flag is true the body is base64
/// (encoded here with probability `base64_rate`, else the flag is set to false).
void settle_base64(Json& event, double base64_rate, Rng& rng);

/// Shared checks: isBase64Encoded true → body is base64; Content-Length matches the body;
/// requestTime agrees with its epoch; domainPrefix is the first label of domainName and an
/// execute-api / lambda-url domain names the apiId.
void check_base64_body(const Json& event, std::vector<Problem>& out);
void check_content_length(const Json& event, std::vector<Problem>& out);
void check_request_time(const Json& rc, const std::string& at, std::string_view time_key, std::string_view epoch_key,
                        std::vector<Problem>& out);
void check_domain(const Json& rc, const std::string& at, std::vector<Problem>& out);
/// Lambda authorizer context keys reach the function next to principalId (SEMANTICS.md §6.1).
void add_authorizer_context(Json& authorizer, Rng& rng);

/// Payload 1.0 request of a REST API (the proxy event, or a REQUEST authorizer event).
void rest_finalize(Json& event, Rng& rng, GenContext& ctx, bool authorizer);
void rest_check(const Json& event, std::vector<Problem>& out, bool authorizer);

/// Payload 2.0 request (HTTP API, function URL, or an HTTP API REQUEST authorizer event).
struct V2Kind {
  bool function_url = false;
  bool authorizer = false;
};
void v2_finalize(Json& event, Rng& rng, GenContext& ctx, V2Kind kind);
void v2_check(const Json& event, std::vector<Problem>& out, V2Kind kind);

}  // namespace evh::sources
