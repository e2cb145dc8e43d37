// Response contracts: one table of contract names (kContracts), each with its rule checker and
// the HTTP statuses its caller sees. Rules come from SEMANTICS.md §4 and §6; every contract that
// declares a schema is also checked against it, and the problems merged (one per pointer).
// Nothing here knows a source by id: record ids come from Source::identity.
#include "harness/contract.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <exception>
#include <optional>
#include <set>

#include "generators/codec.h"
#include "generators/limits.h"
#include "generators/text.h"
#include "generators/validate.h"

namespace evh::harness {
namespace {

// --- Platform numbers and strings -------------------------------------------------------------

// API Gateway REST: function error or malformed response → 502; a rejected invoke → 500; body
// {"message": "Internal server error"} (SEMANTICS.md §6.1; Lambda DG services-apigateway-errors).
constexpr int kApiGatewayMalformedStatus = 502;
constexpr int kApiGatewayRejectedInvokeStatus = 500;
// Integration timeout 29 s by default → 504 (SEMANTICS.md §6.1). A function that times out
// earlier is a function error (Sandbox.Timedout) and gets the function-error status.
constexpr int kIntegrationTimeoutStatus = 504;
constexpr int64_t kRestIntegrationTimeoutMs = 29000;
// HTTP API: a malformed response or a function error is 500 {"message":"Internal Server Error"}
// (knowledge center api-gateway-status-codes-http-api: "returns a 500 error"; aws-lambda-cpp#117);
// the integration timeout is believed to be 30 s (SEMANTICS.md §6.2, §9: not confirmed).
constexpr int kHttpApiErrorStatus = 500;
constexpr int64_t kHttpApiIntegrationTimeoutMs = 30000;
// Function URLs: a function error or malformed response → 502 (awsdocs/aws-lambda-developer-guide#430);
// a throttled invoke → 429 (not confirmed).
constexpr int kFunctionUrlErrorStatus = 502;
constexpr int kFunctionUrlThrottleStatus = 429;
// ALB: invalid response or function error → 502 (SEMANTICS.md §6.3; exact mapping not re-verified).
constexpr int kAlbErrorStatus = 502;
// Lambda authorizers: a malformed answer or a function error → 500 (gateway response
// AUTHORIZER_CONFIGURATION_ERROR / AUTHORIZER_FAILURE); throwing "Unauthorized" → 401; a Deny → 403
// (API Gateway DG supported-gateway-response-types; not in SEMANTICS.md).
constexpr int kAuthorizerErrorStatus = 500;
constexpr int kAuthorizerUnauthorizedStatus = 401;
constexpr int kAuthorizerDeniedStatus = 403;
constexpr char kAuthorizerUnauthorizedMessage[] = "Unauthorized";
constexpr char kExecuteApiInvokeAction[] = "execute-api:invoke";  // compared lower-case (IAM actions)
// Lambda@Edge: a result that fails validation → 502; a function error or a throttle → 503
// (CloudFront DG troubleshooting-response-errors; not in SEMANTICS.md).
constexpr int kCloudFrontValidationStatus = 502;
constexpr int kCloudFrontFunctionErrorStatus = 503;
// Throttled invoke (SEMANTICS.md §0.13).
constexpr int kThrottleStatus = 429;

constexpr char kApiGatewayErrorReading[] =
    "API Gateway returns 502 {\"message\": \"Internal server error\"} (Malformed Lambda proxy response, SEMANTICS.md §6.1)";
constexpr char kHttpApiErrorReading[] =
    "HTTP API returns 500 {\"message\":\"Internal Server Error\"} (SEMANTICS.md §6.2; status per the API Gateway knowledge center)";
constexpr char kFunctionUrlErrorReading[] = "the function URL returns 502 Internal Server Error (SEMANTICS.md §6.2)";
constexpr char kAlbErrorReading[] = "the load balancer returns 502 Bad Gateway (SEMANTICS.md §6.3)";

// Alexa: outputSpeech text/ssml at most 8000 characters (SEMANTICS.md §6.9).
constexpr std::size_t kAlexaSpeechMaxChars = 8000;

// HTTP API inference (SEMANTICS.md §6.2): the value becomes the body of a 200 application/json.
constexpr int kInferredStatus = 200;
constexpr char kInferredContentType[] = "application/json";

// Messages are one line; parse errors and values are clipped so a 7 MB response stays readable.
constexpr std::size_t kMaxMessageChars = 240;
constexpr std::size_t kMaxValueChars = 120;  // record ids (Firehose: 56 digits) fit
constexpr char kInternalErrorPrefix[] = "evh internal error while assessing the response: ";

// --- Small helpers ----------------------------------------------------------------------------

// Keeps valid UTF-8 (replacing stray bytes with '?') and cuts at a character boundary, so the
// message can be written into JSON reports.
std::string clip(std::string_view s, std::size_t max = kMaxMessageChars) {
  std::string out;
  out.reserve(std::min(s.size(), max + 3));
  std::size_t i = 0;
  while (i < s.size()) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool valid = n > 0 && i + n <= s.size();
    for (std::size_t k = 1; valid && k < n; ++k) valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (!valid) {
      out += '?';
      ++i;
      continue;
    }
    if (n == 1 && c < 0x20) {
      out += ' ';  // one line
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string show(const Json& v) { return clip(dump(v), kMaxValueChars); }

bool is_integer(const Json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return true;
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

// An HTTP status from a JSON number, clamped so that absurd values stay representable (the
// schema's minimum / maximum report them).
int as_int(const Json& v) {
  constexpr double kClamp = 100000;
  if (!v.is_number()) return 0;
  return static_cast<int>(std::clamp(v.get<double>(), -kClamp, kClamp));
}

std::string child(const std::string& base, std::string_view key) { return base + "/" + pointer_token(key); }
std::string child(const std::string& base, std::size_t i) { return base + "/" + std::to_string(i); }

// The known key `key` most likely stands for ("base64Encoded" → "isBase64Encoded"), or "".
std::string closest_key(std::string_view key, const std::vector<std::string_view>& known) {
  if (key.size() > 64) return "";
  std::string k = ascii_lower(key);
  std::string best;
  std::size_t best_d = 3;  // at most two edits, case-insensitive
  for (auto cand : known) {
    std::string c = ascii_lower(cand);
    std::size_t d = edit_distance(k, c);
    if (d < best_d) {
      best_d = d;
      best = std::string(cand);
    }
  }
  return best;
}

std::string did_you_mean(std::string_view key, const std::vector<std::string_view>& known) {
  std::string best = closest_key(key, known);
  return best.empty() ? std::string() : "; did you mean " + best + "?";
}

bool contains(const std::vector<std::string_view>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

const Json* member(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(std::string(key));
  return it == obj.end() ? nullptr : &*it;
}

// Record ids compared as values; objects key by key (ordered_json compares objects in order).
bool same_id(const Json& a, const Json& b) {
  if (a.is_object() && b.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& [k, v] : a.items()) {
      const Json* w = member(b, k);
      if (!w || !same_id(v, *w)) return false;
    }
    return true;
  }
  if (a.is_number() && b.is_number()) return a == b;
  return a.type() == b.type() && a == b;
}

// IAM-style glob: '*' any run of characters, '?' one character.
bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// "response:1:1: not valid JSON: [json.exception.parse_error.101] parse error at line 1, column 1:
// syntax error ..." → "syntax error ... at 1:1".
std::string short_parse_error(const std::string& message) {
  std::string where;
  if (message.rfind("response:", 0) == 0) where = message.substr(9, message.find(": ", 9) - 9);
  auto pos = message.find(": syntax error");
  std::string reason = pos == std::string::npos ? message : message.substr(pos + 2);
  return clip(reason, 100) + (where.empty() ? "" : " at " + where);
}

// "a string", "an integer", "an object", "an array".
std::string a_type(const Json& v) {
  std::string t = json_type_name(v);
  return (t[0] == 'a' || t[0] == 'i' || t[0] == 'o' ? "an " : "a ") + t;
}

// --- The assessment context -------------------------------------------------------------------

struct RuleProblem {
  ContractProblem problem;
  bool rejecting = true;  ///< the platform rejects the response (false: it reads past the mistake)
};

struct Ctx {
  Ctx(const Source& s, const ResponseContract& k, const Json& e, const std::string& r, bool batch_failures)
      : source(s), contract(k), event(e), raw(r), rbif(batch_failures) {}

  const Source& source;
  const ResponseContract& contract;
  const Json& event;
  const std::string& raw;
  bool rbif = true;

  std::vector<RuleProblem> findings;
  bool run_schema = true;   ///< validate against contract.schema after the rules
  bool check_size = true;   ///< apply source.limits.max_response_bytes
  int ok_status = 0;
  std::string ok_reading;
  Json effective;           ///< when the platform reads the response
  Json failure_effective;   ///< when it rejects it
  std::string failure_reading;  ///< overrides the table's failure reading

  void reject(std::string pointer, std::string message) { findings.push_back({{std::move(pointer), clip(message)}, true}); }
  void tolerate(std::string pointer, std::string message) { findings.push_back({{std::move(pointer), clip(message)}, false}); }
  /// Over a size limit: rejected, and judged by limits.payload rather than contract.response.
  void reject_size(std::string pointer, std::string message) { findings.push_back({{std::move(pointer), clip(message), true}, true}); }

  /// The parsed response, or nullptr when the bytes are not JSON (parsed once).
  const Json* json() {
    if (!parsed_) {
      parsed_ = true;
      auto r = parse_json(raw, "response");
      if (r) {
        value_ = std::move(*r);
      } else {
        parse_error_ = r.error().message;
      }
    }
    return value_ ? &*value_ : nullptr;
  }
  const std::string& parse_error() {
    (void)json();
    return parse_error_;
  }
  /// The parsed response, rejecting non-JSON with `why` (what the platform does then).
  const Json* json_or_reject(const std::string& why) {
    const Json* v = json();
    if (!v) reject("", "the response is not JSON (" + short_parse_error(parse_error()) + "): " + why);
    return v;
  }
  /// The parsed response as an object, rejecting anything else.
  const Json* object_or_reject(const std::string& expected, const std::string& why) {
    const Json* v = json_or_reject(why);
    if (!v) return nullptr;
    if (!v->is_object()) {
      reject("", std::string("expected a JSON object ") + expected + ", got " + json_type_name(*v) + " " + show(*v) + ": " + why);
      return nullptr;
    }
    return v;
  }
  bool rejected() const {
    return std::any_of(findings.begin(), findings.end(), [](const RuleProblem& f) { return f.rejecting; });
  }

 private:
  bool parsed_ = false;
  std::optional<Json> value_;
  std::string parse_error_;
};

// Shape checks shared by the HTTP contracts. Each returns whether the value was acceptable.

void check_int_status(Ctx& c, const Json& obj, bool required, const std::string& why) {
  const Json* s = member(obj, "statusCode");
  if (!s) {
    if (required) c.reject("/statusCode", "missing: " + why);
    return;
  }
  if (!is_integer(*s)) {
    c.reject("/statusCode", std::string("must be an integer (e.g. 200), got ") + json_type_name(*s) + " " + show(*s) + ": " + why);
  }
}

void check_string_field(Ctx& c, const Json& obj, std::string_view key, bool nullable, const std::string& why) {
  const Json* v = member(obj, key);
  if (!v || v->is_string() || (nullable && v->is_null())) return;
  std::string hint = v->is_object() || v->is_array() ? " (serialize it: JSON.stringify / json.dumps)" : "";
  c.reject(child("", key), std::string("must be a string, got ") + json_type_name(*v) + hint + ": " + why);
}

void check_bool_field(Ctx& c, const Json& obj, std::string_view key, const std::string& why) {
  const Json* v = member(obj, key);
  if (!v || v->is_boolean()) return;
  c.reject(child("", key), std::string("must be a boolean, got ") + json_type_name(*v) + " " + show(*v) + ": " + why);
}

void check_string_map(Ctx& c, const Json& obj, std::string_view key, const std::string& why) {
  const Json* m = member(obj, key);
  if (!m || m->is_null()) return;
  std::string p = child("", key);
  if (!m->is_object()) {
    c.reject(p, std::string("must be an object of strings, got ") + json_type_name(*m) + ": " + why);
    return;
  }
  for (const auto& [k, v] : m->items()) {
    if (!v.is_string()) c.reject(child(p, k), std::string("header value must be a string, got ") + json_type_name(v) + ": " + why);
  }
}

void check_multi_map(Ctx& c, const Json& obj, std::string_view key, const std::string& why) {
  const Json* m = member(obj, key);
  if (!m || m->is_null()) return;
  std::string p = child("", key);
  if (!m->is_object()) {
    c.reject(p, std::string("must be an object of string lists, got ") + json_type_name(*m) + ": " + why);
    return;
  }
  for (const auto& [k, v] : m->items()) {
    if (!v.is_array()) {
      c.reject(child(p, k), std::string("must be a list of strings, got ") + json_type_name(v) + ": " + why);
      continue;
    }
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!v[i].is_string()) c.reject(child(child(p, k), i), std::string("must be a string, got ") + json_type_name(v[i]) + ": " + why);
  }
}

// --- ignored, cloudformation-put ---------------------------------------------------------------

void check_ignored(Ctx& c) {
  c.run_schema = false;
  c.check_size = false;
  c.ok_reading = c.contract.read_by.empty() ? "the platform ignores the return value" : c.contract.read_by;
}

void check_cloudformation(Ctx& c) {
  // The schema describes the body PUT to ResponseURL, not the return value, and the size limit
  // applies to that body too (SEMANTICS.md §6.4): both are checked through effects.
  c.run_schema = false;
  c.check_size = false;
  c.ok_reading = "CloudFormation ignores the return value; it reads the body PUT to ResponseURL (SEMANTICS.md §6.4)";
}

// --- apigw-proxy-v1 (REST, payload 1.0) --------------------------------------------------------

const std::vector<std::string_view> kProxyV1Keys = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"};

// The response with API Gateway's defaults filled in (missing body → empty).
Json normalized_http(const Json& obj) {
  Json e = obj;
  if (!e.contains("body") || e["body"].is_null()) e["body"] = "";
  if (!e.contains("isBase64Encoded")) e["isBase64Encoded"] = false;
  return e;
}

void check_proxy_v1(Ctx& c) {
  const std::string why = "API Gateway answers 502 (SEMANTICS.md §6.1)";
  const Json* obj = c.object_or_reject("{statusCode, headers, multiValueHeaders, body, isBase64Encoded}", why);
  if (!obj) return;
  check_int_status(c, *obj, true, why);
  check_string_field(c, *obj, "body", true, why);
  check_string_map(c, *obj, "headers", why);
  check_multi_map(c, *obj, "multiValueHeaders", why);
  check_bool_field(c, *obj, "isBase64Encoded", why);
  for (const auto& [k, v] : obj->items()) {
    if (contains(kProxyV1Keys, k)) continue;
    c.reject(child("", k), "unknown key '" + clip(k, 64) + "'" + did_you_mean(k, kProxyV1Keys) +
                               " API Gateway rejects any other key as a malformed proxy response (anomalyco/sst#2760): " + why);
  }
  if (c.rejected()) return;
  int status = as_int((*obj)["statusCode"]);
  c.ok_status = status;
  c.ok_reading = "API Gateway answers " + std::to_string(status) + " with the returned headers and body (SEMANTICS.md §6.1)";
  c.effective = normalized_http(*obj);
}

// --- apigw-proxy-v2 (HTTP API, payload 2.0) and function-url ------------------------------------

const std::vector<std::string_view> kProxyV2Keys = {"statusCode", "headers", "multiValueHeaders", "cookies", "body",
                                                    "isBase64Encoded"};

void check_proxy_v2_as(Ctx& c, const std::string& who, const std::string& why) {
  const Json* v = c.json_or_reject("the Lambda result is always JSON on the wire, so this is a broken runtime: " + why);
  if (!v) return;
  if (!v->is_object() || !v->contains("statusCode")) {
    // Inference rule (SEMANTICS.md §6.2): the whole value is the body of a 200 application/json.
    c.ok_status = kInferredStatus;
    c.ok_reading = who + " answers 200 application/json with the whole returned value as the body (no statusCode: "
                         "inference rule, SEMANTICS.md §6.2)";
    c.effective = Json{{"statusCode", kInferredStatus},
                       {"headers", {{"content-type", kInferredContentType}}},
                       {"body", dump(*v)},
                       {"isBase64Encoded", false}};
    return;
  }
  const Json& obj = *v;
  check_int_status(c, obj, true, why);
  check_string_field(c, obj, "body", true, why);
  check_string_map(c, obj, "headers", why);
  check_multi_map(c, obj, "multiValueHeaders", why);
  check_bool_field(c, obj, "isBase64Encoded", why);
  if (const Json* cookies = member(obj, "cookies"); cookies && !cookies->is_null()) {
    if (!cookies->is_array()) {
      c.reject("/cookies", std::string("must be a list of strings, got ") + json_type_name(*cookies) + ": " + why);
    } else {
      for (std::size_t i = 0; i < cookies->size(); ++i)
        if (!(*cookies)[i].is_string()) c.reject(child("/cookies", i), std::string("must be a string, got ") + json_type_name((*cookies)[i]) + ": " + why);
    }
  }
  // Unknown keys: the 2.0 format has no "malformed" rule for them, so the platform is taken to
  // ignore them (not confirmed); a near-miss is still a bug, because the intended field is lost.
  for (const auto& [k, val] : obj.items()) {
    if (contains(kProxyV2Keys, k)) continue;
    std::string hint = did_you_mean(k, kProxyV2Keys);
    if (hint.empty()) continue;
    c.tolerate(child("", k), "unknown key '" + clip(k, 64) + "'" + hint + " " + who +
                                 " ignores it (not confirmed), so the intended field has no effect (SEMANTICS.md §6.2)");
  }
  if (const Json* headers = member(obj, "headers"); headers && headers->is_object()) {
    for (const auto& [k, val] : headers->items()) {
      if (ascii_lower(k) == "set-cookie")
        c.tolerate(child("/headers", k), "set cookies with the cookies list, not a set-cookie header (SEMANTICS.md §6.2)");
    }
  }
  if (c.rejected()) return;
  int status = as_int(obj["statusCode"]);
  c.ok_status = status;
  c.ok_reading = who + " answers " + std::to_string(status) + " with the returned headers, cookies and body (SEMANTICS.md §6.2)";
  c.effective = normalized_http(obj);
  for (const auto& [k, val] : obj.items())
    if (!contains(kProxyV2Keys, k)) c.effective.erase(k);  // ignored by the platform
}

void check_proxy_v2(Ctx& c) { check_proxy_v2_as(c, "HTTP API", "HTTP API answers 500 (SEMANTICS.md §6.2)"); }
void check_function_url(Ctx& c) {
  check_proxy_v2_as(c, "the function URL", "the function URL answers 502 (SEMANTICS.md §6.2)");
}

// --- alb --------------------------------------------------------------------------------------

void check_alb(Ctx& c) {
  const std::string why = "the load balancer answers 502 (SEMANTICS.md §6.3)";
  const Json* obj = c.object_or_reject("{statusCode, statusDescription, headers | multiValueHeaders, body, isBase64Encoded}", why);
  if (!obj) return;
  check_int_status(c, *obj, true, why);
  check_string_field(c, *obj, "statusDescription", false, why);
  check_string_field(c, *obj, "body", true, why);
  check_string_map(c, *obj, "headers", why);
  check_multi_map(c, *obj, "multiValueHeaders", why);
  check_bool_field(c, *obj, "isBase64Encoded", why);
  // Multi-value mode (lambda.multi_value_headers.enabled): the event carries multiValueHeaders and
  // the response must use multiValueHeaders (SEMANTICS.md §6.3).
  const Json* event_mv = member(c.event, "multiValueHeaders");
  const Json* mv = member(*obj, "multiValueHeaders");
  const Json* single = member(*obj, "headers");
  if (event_mv && event_mv->is_object() && (!mv || mv->is_null()) && single && single->is_object() && !single->empty()) {
    c.reject("/headers", "multi-value headers are enabled on the target group (the event has multiValueHeaders): "
                         "the response must use multiValueHeaders: " + why);
  }
  if (c.rejected()) return;
  int status = as_int((*obj)["statusCode"]);
  c.ok_status = status;
  c.ok_reading = "the load balancer answers " + std::to_string(status) + " (SEMANTICS.md §6.3)";
  c.effective = normalized_http(*obj);
}

// --- apigw-websocket ----------------------------------------------------------------------------

void check_websocket(Ctx& c) {
  const std::string why = "API Gateway fails the route (SEMANTICS.md §6.1 by analogy; not confirmed)";
  const Json* v = c.json_or_reject(why);
  if (!v) return;
  std::string route;
  if (const Json* r = find_at(c.event, "/requestContext/routeKey"); r && r->is_string()) route = r->get<std::string>();
  if (v->is_null()) {
    c.ok_reading = route == "$connect" ? "no answer on $connect: API Gateway accepts the connection"
                                       : "nothing to send back on route " + clip(route, 64);
    return;
  }
  if (!v->is_object()) return;  // the schema reports it
  check_int_status(c, *v, false, why);
  check_string_field(c, *v, "body", true, why);
  check_string_map(c, *v, "headers", why);
  check_multi_map(c, *v, "multiValueHeaders", why);
  check_bool_field(c, *v, "isBase64Encoded", why);
  if (c.rejected()) return;
  c.effective = *v;
  if (const Json* s = member(*v, "statusCode")) {
    int status = as_int(*s);
    c.ok_status = status;
    c.ok_reading = route == "$connect"
                       ? (status >= 200 && status < 300 ? "$connect answered " + std::to_string(status) + ": the connection is accepted"
                                                        : "$connect answered " + std::to_string(status) + ": the connection is refused")
                       : "the body goes back to the client only if route " + clip(route, 64) + " has a route response";
  } else {
    c.ok_reading = "the body goes back to the client only if the route has a route response";
  }
}

// --- authorizer, authorizer-iam-policy -----------------------------------------------------------

bool matches_any(const Json& pattern_or_list, const std::string& text, bool case_insensitive) {
  auto one = [&](const Json& p) {
    if (!p.is_string()) return false;
    return case_insensitive ? glob_match(ascii_lower(p.get<std::string>()), ascii_lower(text)) : glob_match(p.get<std::string>(), text);
  };
  if (pattern_or_list.is_array()) return std::any_of(pattern_or_list.begin(), pattern_or_list.end(), one);
  return one(pattern_or_list);
}

void check_authorizer_as(Ctx& c, bool simple_allowed) {
  const std::string why = "API Gateway answers 500 (AuthorizerConfigurationException)";
  const Json* obj = c.object_or_reject(simple_allowed ? "{principalId, policyDocument, context} or {isAuthorized, context}"
                                                      : "{principalId, policyDocument, context, usageIdentifierKey}",
                                       why);
  if (!obj) return;
  if (const Json* ctx = member(*obj, "context"); ctx && ctx->is_object()) {
    for (const auto& [k, v] : ctx->items()) {
      if (v.is_object() || v.is_array())
        c.reject(child("/context", k), std::string("context values must be strings, numbers or booleans, got ") + json_type_name(v) + ": " + why);
    }
  }
  if (const Json* ok = member(*obj, "isAuthorized")) {
    if (!simple_allowed) {
      c.reject("/isAuthorized", "simple responses are for HTTP API authorizers only; this authorizer must return principalId + "
                                "policyDocument: " + why);
      return;
    }
    if (!ok->is_boolean()) {
      c.reject("/isAuthorized", std::string("must be a boolean, got ") + json_type_name(*ok) + ": " + why);
      return;
    }
    if (c.rejected()) return;
    c.effective = *obj;
    if (ok->get<bool>()) {
      c.ok_reading = "isAuthorized true: API Gateway runs the route (the integration answers)";
    } else {
      c.ok_status = kAuthorizerDeniedStatus;
      c.ok_reading = "isAuthorized false: API Gateway answers 403 Forbidden";
    }
    return;
  }
  const Json* principal = member(*obj, "principalId");
  if (!principal) c.reject("/principalId", "missing: " + why);
  else if (!principal->is_string()) c.reject("/principalId", std::string("must be a string, got ") + json_type_name(*principal) + ": " + why);
  const Json* policy = member(*obj, "policyDocument");
  if (!policy) {
    c.reject("/policyDocument", "missing: " + why);
    return;
  }
  if (!policy->is_object()) {
    c.reject("/policyDocument", std::string("must be an object {Version, Statement}, got ") + json_type_name(*policy) + ": " + why);
    return;
  }
  const Json* statements = member(*policy, "Statement");
  if (!statements || !statements->is_array() || statements->empty()) {
    c.reject("/policyDocument/Statement", "must be a non-empty list of {Action, Effect, Resource}: " + why);
    return;
  }
  for (std::size_t i = 0; i < statements->size(); ++i) {
    const Json& s = (*statements)[i];
    std::string p = child("/policyDocument/Statement", i);
    if (!s.is_object()) {
      c.reject(p, std::string("must be an object, got ") + json_type_name(s) + ": " + why);
      continue;
    }
    const Json* effect = member(s, "Effect");
    if (!effect || !effect->is_string() || (*effect != "Allow" && *effect != "Deny"))
      c.reject(p + "/Effect", "must be \"Allow\" or \"Deny\": " + why);
    for (const char* k : {"Action", "Resource"})
      if (!member(s, k)) c.reject(child(p, k), "missing: " + why);
  }
  if (c.rejected()) return;
  c.effective = *obj;
  // Evaluate the policy against the ARN of the call: an explicit Deny wins, then an Allow;
  // nothing matching is an implicit deny.
  const Json* arn = member(c.event, "methodArn");
  if (!arn) arn = member(c.event, "routeArn");
  if (!arn || !arn->is_string()) {
    c.ok_reading = "the event carries no methodArn/routeArn, so evh did not evaluate the policy";
    return;
  }
  bool allow = false, deny = false;
  for (const auto& s : *statements) {
    const Json* action = member(s, "Action");
    const Json* resource = member(s, "Resource");
    if (!action || !resource || !matches_any(*action, kExecuteApiInvokeAction, true) ||
        !matches_any(*resource, arn->get<std::string>(), false))
      continue;
    const Json* effect = member(s, "Effect");
    (effect && *effect == "Deny" ? deny : allow) = true;
  }
  if (allow && !deny) {
    c.ok_reading = "the policy allows " + clip(arn->get<std::string>(), 120) + ": API Gateway runs the method (the integration answers)";
  } else {
    c.ok_status = kAuthorizerDeniedStatus;
    c.ok_reading = std::string(deny ? "the policy denies " : "no statement allows ") + clip(arn->get<std::string>(), 120) +
                   ": API Gateway answers 403 (ACCESS_DENIED)";
  }
}

void check_authorizer(Ctx& c) { check_authorizer_as(c, true); }
void check_authorizer_iam(Ctx& c) { check_authorizer_as(c, false); }

// --- batch-item-failures (SEMANTICS.md §4, §8.3) -----------------------------------------------

struct BatchIds {
  std::vector<Json> ids;    ///< every record's itemIdentifier value, in batch order
  std::string label;        ///< what the id is ("messageId", "kinesis.sequenceNumber", ...)
  bool derived = true;      ///< false: the itemIdentifier shape could not be derived from the spec
};

// The value a batchItemFailures entry carries for each record: the value at identity.id inside
// the record, or for grouped records (Kafka) an object that combines the group key with record
// fields, as declared by x-evh-source/identity/batchItemFailuresId:
// {"partition": "the group key ...", "offset": "/offset (JSON integer)"} — a value that starts
// with "/" is a pointer inside the record, any other value names the group key.
BatchIds batch_ids(const Source& s, const Json& event) {
  BatchIds out;
  const Json* decl = find_at(s.meta, "/identity/batchItemFailuresId");
  if (decl && decl->is_string()) out.label = decl->get<std::string>();
  if (out.label.empty()) out.label = s.identity.id;
  if (s.identity.grouped) {
    if (!decl || !decl->is_object()) out.derived = false;
    const Json* groups = find_at(event, s.identity.records);
    if (!groups || !groups->is_object()) return out;
    for (const auto& [group, records] : groups->items()) {
      if (!records.is_array()) continue;
      for (const auto& r : records) {
        if (!out.derived) {
          if (const Json* id = find_at(r, s.identity.id)) out.ids.push_back(*id);
          continue;
        }
        Json id = Json::object();
        for (const auto& [field, how] : decl->items()) {
          std::string text = how.is_string() ? how.get<std::string>() : std::string();
          if (!text.empty() && text[0] == '/') {
            const Json* v = find_at(r, text.substr(0, text.find(' ')));
            id[field] = v ? *v : Json();
          } else {
            id[field] = group;
          }
        }
        out.ids.push_back(std::move(id));
      }
    }
    if (out.derived) {
      out.label.clear();
      for (const auto& [field, how] : decl->items()) out.label += (out.label.empty() ? "{" : ", ") + field;
      out.label += "}";
    }
    return out;
  }
  for (const auto& p : record_pointers(s, event)) {
    if (const Json* id = find_at(event, p + s.identity.id)) out.ids.push_back(*id);
  }
  return out;
}

}  // namespace

std::vector<Json> batch_item_ids(const Source& source, const Json& event) { return batch_ids(source, event).ids; }

namespace {

const std::vector<std::string_view> kBatchResponseKeys = {"batchItemFailures"};
const std::vector<std::string_view> kBatchEntryKeys = {"itemIdentifier"};

void check_batch_item_failures(Ctx& c) {
  if (!c.rbif) {
    c.run_schema = false;
    c.check_size = false;
    c.ok_reading = "ignored without ReportBatchItemFailures: the function returned, so the whole batch succeeded (SEMANTICS.md §4)";
    c.effective = Json{{"failed", Json::array()}};
    // The ids the response lists all the same: failures the platform swallows (batch.failures-reported).
    Json ignored = Json::array();
    if (const Json* v = c.json(); v && v->is_object())
      if (const Json* list = member(*v, "batchItemFailures"); list && list->is_array())
        for (const auto& item : *list)
          if (const Json* id = item.is_object() ? member(item, "itemIdentifier") : nullptr) ignored.push_back(*id);
    if (!ignored.empty()) c.effective["ignored"] = std::move(ignored);
    return;
  }
  BatchIds batch = batch_ids(c.source, c.event);
  c.failure_effective = Json{{"failed", batch.ids}, {"wholeBatch", true}};
  c.failure_reading = "the whole batch is retried: Lambda reads the response as a failure of every record (SEMANTICS.md §4, §8.3)";
  auto success = [&](Json failed) {
    std::size_t n = failed.size();
    c.effective = Json{{"failed", std::move(failed)}};
    c.ok_reading = n == 0 ? "complete success: every record of the batch is processed (SEMANTICS.md §4, §8.3)"
                          : "partial batch response: Lambda retries " + std::to_string(n) + " of " +
                                std::to_string(batch.ids.size()) + " records and treats the rest as processed (SEMANTICS.md §4)";
  };
  // Zero bytes, null, "", [] and {} are complete success (SEMANTICS.md §8.3).
  if (c.raw.empty()) {
    c.run_schema = false;
    success(Json::array());
    return;
  }
  const std::string whole = "Lambda fails the whole batch (SEMANTICS.md §4)";
  const Json* v = c.json_or_reject(whole);
  if (!v) return;
  if (v->is_null() || (v->is_string() && v->get_ref<const std::string&>().empty()) || (v->is_array() && v->empty())) {
    c.run_schema = false;
    success(Json::array());
    return;
  }
  if (!v->is_object()) {
    c.run_schema = false;
    c.reject("", std::string("expected {\"batchItemFailures\": [...]}, got ") + json_type_name(*v) + " " + show(*v) +
                     ": Lambda cannot read it as a partial batch response; evh assumes the whole batch fails (not documented, SEMANTICS.md §4)");
    return;
  }
  const Json* list = member(*v, "batchItemFailures");
  if (!list) {
    // An object without the key is success by the "null list" rule (SEMANTICS.md §4, inferred);
    // a near-miss key means the handler meant to report failures that Lambda never sees.
    for (const auto& [k, val] : v->items()) {
      std::string hint = did_you_mean(k, kBatchResponseKeys);
      if (hint.empty() && ascii_lower(k).find("itemfailure") == std::string::npos) continue;
      c.tolerate(child("", k), "unknown key '" + clip(k, 64) + "'" + (hint.empty() ? "; did you mean batchItemFailures?" : hint) +
                                   " Lambda ignores it and treats the whole batch as processed, so nothing is retried (SEMANTICS.md §4)");
    }
    success(Json::array());
    return;
  }
  if (list->is_null() || (list->is_array() && list->empty())) {
    success(Json::array());
    return;
  }
  if (!list->is_array()) {
    c.reject("/batchItemFailures", std::string("must be a list of {\"itemIdentifier\": ...}, got ") + json_type_name(*list) + ": " + whole);
    return;
  }
  const bool documented_unknown = c.source.model == InvocationModel::kPollQueue;
  std::vector<bool> failed(batch.ids.size(), false);
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& entry = (*list)[i];
    std::string p = child("/batchItemFailures", i);
    if (!entry.is_object()) {
      c.reject(p, std::string("expected {\"itemIdentifier\": ...}, got ") + json_type_name(entry) + " " + show(entry) + ": " + whole);
      continue;
    }
    const Json* id = member(entry, "itemIdentifier");
    std::string ip = p + "/itemIdentifier";
    if (!id) {
      std::string found;
      for (const auto& [k, val] : entry.items()) {
        if (!closest_key(k, kBatchEntryKeys).empty()) found = k;
      }
      c.reject(ip, "missing" + (found.empty() ? std::string(" (an entry needs itemIdentifier)")
                                              : " (the entry has '" + clip(found, 64) + "'; did you mean itemIdentifier?)") +
                       ": " + whole + ", §8.3");
      continue;
    }
    if (id->is_null()) {
      c.reject(ip, "is null: " + whole + ", §8.3");
      continue;
    }
    if (id->is_string() && id->get_ref<const std::string&>().empty()) {
      c.reject(ip, "is empty: " + whole + ", §8.3");
      continue;
    }
    if (!batch.ids.empty()) {
      const Json& sample = batch.ids.front();
      if (sample.is_object()) {
        if (!id->is_object()) {
          c.reject(ip, std::string("must be an object ") + batch.label + ", got " + json_type_name(*id) + " " + show(*id) + ": " + whole);
          continue;
        }
        bool shape_ok = true;
        for (const auto& [field, want] : sample.items()) {
          const Json* got = member(*id, field);
          if (!got) {
            c.reject(child(ip, field), "missing: " + whole);
            shape_ok = false;
          } else if (std::string(json_type_name(*got)) != json_type_name(want)) {
            c.reject(child(ip, field), "must be " + a_type(want) + ", got " + json_type_name(*got) + " " + show(*got) + ": " + whole);
            shape_ok = false;
          }
        }
        if (!shape_ok) continue;
      } else if (std::string(json_type_name(*id)) != json_type_name(sample)) {
        c.reject(ip, std::string("must be the record's ") + batch.label + " (" + a_type(sample) + "), got " + json_type_name(*id) + " " +
                         show(*id) + ": " + whole + ", §8.3");
        continue;
      }
    }
    bool found = false;
    for (std::size_t k = 0; k < batch.ids.size(); ++k) {
      if (same_id(batch.ids[k], *id)) {
        failed[k] = true;
        found = true;
      }
    }
    if (!found) {
      if (documented_unknown) {
        c.reject(ip, show(*id) + " is not a record of this batch: " + whole + " (documented for SQS)");
      } else {
        c.reject(ip, show(*id) + " is not a record of this batch: Lambda's reaction is not documented for streams "
                                 "(SEMANTICS.md §4, §9: not confirmed); evh assumes the whole batch fails, as LocalStack does");
      }
    }
  }
  if (!batch.derived)
    c.tolerate("", "evh cannot derive the itemIdentifier shape of grouped records: the source declares no "
                   "identity.batchItemFailuresId object; ids were compared with the value at identity.id");
  if (c.rejected()) return;
  Json ids = Json::array();
  for (std::size_t k = 0; k < batch.ids.size(); ++k)
    if (failed[k]) ids.push_back(batch.ids[k]);
  success(std::move(ids));
}

// --- firehose-records (SEMANTICS.md §6.5) --------------------------------------------------------

const std::vector<std::string_view> kFirehoseResults = {"Ok", "Dropped", "ProcessingFailed"};

void check_firehose(Ctx& c) {
  const std::string why = "Firehose fails the transformation (SEMANTICS.md §6.5)";
  const Json* obj = c.object_or_reject("{\"records\": [{recordId, result, data}]}", why);
  if (!obj) return;
  const Json* out = member(*obj, "records");
  if (!out || !out->is_array()) {
    c.reject("/records", out ? std::string("must be a list, got ") + json_type_name(*out) + ": " + why : "missing: " + why);
    return;
  }
  BatchIds in = batch_ids(c.source, c.event);
  std::vector<int> seen(in.ids.size(), 0);
  Json ok = Json::array(), dropped = Json::array(), failed = Json::array();
  for (std::size_t i = 0; i < out->size(); ++i) {
    const Json& r = (*out)[i];
    std::string p = child("/records", i);
    if (!r.is_object()) {
      c.reject(p, std::string("must be an object {recordId, result, data}, got ") + json_type_name(r) + ": " + why);
      continue;
    }
    const Json* id = member(r, "recordId");
    if (!id || !id->is_string()) {
      c.reject(p + "/recordId", (id ? std::string("must be a string, got ") + json_type_name(*id) : std::string("missing")) + ": " + why);
      continue;
    }
    std::size_t k = 0;
    while (k < in.ids.size() && !same_id(in.ids[k], *id)) ++k;
    if (k == in.ids.size()) {
      c.reject(p + "/recordId", show(*id) + " is not a recordId of the request: " + why);
    } else if (++seen[k] > 1) {
      c.reject(p + "/recordId", show(*id) + " comes back more than once: every recordId must come back exactly once: " + why);
    }
    const Json* result = member(r, "result");
    if (!result || !result->is_string() || !contains(kFirehoseResults, result->get_ref<const std::string&>())) {
      c.reject(p + "/result", (result ? show(*result) + " is not one of" : std::string("missing: one of")) +
                                  " \"Ok\", \"Dropped\", \"ProcessingFailed\": " + why);
    } else if (k < in.ids.size()) {
      const std::string& res = result->get_ref<const std::string&>();
      (res == "Ok" ? ok : res == "Dropped" ? dropped : failed).push_back(*id);
    }
    const Json* data = member(r, "data");
    if (!data) {
      c.reject(p + "/data", "missing: " + why);
    } else if (!data->is_string()) {
      c.reject(p + "/data", std::string("must be a base64 string, got ") + json_type_name(*data) + ": " + why);
    } else if (!codec::base64_decode(data->get_ref<const std::string&>())) {
      c.reject(p + "/data", "is not valid base64: " + why);
    }
  }
  for (std::size_t k = 0; k < in.ids.size(); ++k) {
    if (seen[k] == 0) c.reject("/records", "recordId " + show(in.ids[k]) + " of the request is missing: " + why);
  }
  if (c.rejected()) return;
  c.effective = Json{{"ok", ok}, {"dropped", dropped}, {"processingFailed", failed}};
  c.ok_reading = "Firehose delivers " + std::to_string(ok.size()) + " record(s), drops " + std::to_string(dropped.size()) +
                 " and sends " + std::to_string(failed.size()) + " to the processing-failed prefix (SEMANTICS.md §6.5)";
}

// --- s3-batch-results (SEMANTICS.md §6.6) --------------------------------------------------------

const std::vector<std::string_view> kS3ResultCodes = {"Succeeded", "TemporaryFailure", "PermanentFailure"};

void check_s3_batch(Ctx& c) {
  const std::string why = "S3 Batch Operations fails the task (SEMANTICS.md §6.6)";
  const Json* obj = c.object_or_reject("{invocationSchemaVersion, treatMissingKeysAs, invocationId, results}", why);
  if (!obj) return;
  const Json* inv = member(*obj, "invocationId");
  const Json* want = member(c.event, "invocationId");
  if (inv && want && !same_id(*inv, *want))
    c.reject("/invocationId", "must be the request's invocationId " + show(*want) + ", got " + show(*inv) + ": " + why);
  if (const Json* t = member(*obj, "treatMissingKeysAs");
      t && (!t->is_string() || !contains(kS3ResultCodes, t->get_ref<const std::string&>())))
    c.reject("/treatMissingKeysAs", show(*t) + " is not one of \"Succeeded\", \"TemporaryFailure\", \"PermanentFailure\": " + why);
  const Json* results = member(*obj, "results");
  if (!results || !results->is_array()) return;  // the schema reports it
  BatchIds tasks = batch_ids(c.source, c.event);
  Json by_task = Json::object();
  for (std::size_t i = 0; i < results->size(); ++i) {
    const Json& r = (*results)[i];
    std::string p = child("/results", i);
    if (!r.is_object()) continue;  // the schema reports it
    const Json* id = member(r, "taskId");
    if (id && id->is_string()) {
      bool known = std::any_of(tasks.ids.begin(), tasks.ids.end(), [&](const Json& t) { return same_id(t, *id); });
      if (!known) c.reject(p + "/taskId", show(*id) + " is not a taskId of the request: " + why);
    }
    const Json* code = member(r, "resultCode");
    if (code && (!code->is_string() || !contains(kS3ResultCodes, code->get_ref<const std::string&>())))
      c.reject(p + "/resultCode", show(*code) + " is not one of \"Succeeded\", \"TemporaryFailure\", \"PermanentFailure\": " + why);
    else if (code && id && id->is_string())
      by_task[id->get<std::string>()] = *code;
  }
  if (c.rejected()) return;
  Json missing = Json::array();
  for (const auto& t : tasks.ids)
    if (t.is_string() && !by_task.contains(t.get<std::string>())) missing.push_back(t);
  const Json* treat = member(*obj, "treatMissingKeysAs");
  c.effective = Json{{"results", by_task}, {"missing", missing}, {"treatMissingKeysAs", treat ? *treat : Json()}};
  c.ok_reading = "S3 records " + std::to_string(by_task.size()) + " task result(s)" +
                 (missing.empty() ? std::string() : "; " + std::to_string(missing.size()) + " task(s) fall back to treatMissingKeysAs") +
                 " (TemporaryFailure is retried, SEMANTICS.md §6.6)";
}

// --- cognito-trigger (SEMANTICS.md §6.7) -------------------------------------------------------

const std::vector<std::string_view> kCognitoEchoKeys = {"version", "triggerSource", "region", "userPoolId", "userName"};

void check_cognito(Ctx& c) {
  const std::string why = "Cognito fails the user's request (SEMANTICS.md §6.7; client error type not confirmed)";
  const Json* obj = c.object_or_reject("(the event, with response filled in)", why);
  if (!obj) return;
  for (auto key : kCognitoEchoKeys) {
    const Json* want = member(c.event, key);
    if (!want) continue;
    const Json* got = member(*obj, key);
    if (!got) {
      c.reject(child("", key), "missing: return the event object itself with response filled in: " + why);
    } else if (!same_id(*got, *want)) {
      c.reject(child("", key), "must be the event's value " + show(*want) + ", got " + show(*got) + ": " + why);
    }
  }
  const Json* response = member(*obj, "response");
  if (!response) {
    c.reject("/response", "missing: Cognito reads the trigger's answer from the returned event's response object: " + why);
  } else if (!response->is_object()) {
    c.reject("/response", std::string("must be an object, got ") + json_type_name(*response) + ": " + why);
  }
  if (c.rejected()) return;
  c.effective = *response;
  c.ok_reading = "Cognito reads the returned response object and continues the flow (SEMANTICS.md §6.7)";
}

// --- lex-v2 (SEMANTICS.md §6.8) ----------------------------------------------------------------

const std::vector<std::string_view> kLexDialogActions = {"Close", "ConfirmIntent", "Delegate", "ElicitIntent", "ElicitSlot"};
const std::vector<std::string_view> kLexIntentStates = {"Failed", "Fulfilled", "FulfillmentInProgress", "InProgress",
                                                        "ReadyForFulfillment", "Waiting"};
const std::vector<std::string_view> kLexConfirmationStates = {"Confirmed", "Denied", "None"};

void check_enum_member(Ctx& c, const Json& obj, std::string_view key, const std::string& base,
                       const std::vector<std::string_view>& allowed, const std::string& why) {
  const Json* v = member(obj, key);
  if (!v) return;
  if (v->is_string() && contains(allowed, v->get_ref<const std::string&>())) return;
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  c.reject(child(base, key), show(*v) + " is not one of " + list + ": " + why);
}

void check_lex(Ctx& c) {
  const std::string why = "Lex fails the turn (SEMANTICS.md §6.8)";
  const Json* obj = c.object_or_reject("{sessionState, messages, requestAttributes}", why);
  if (!obj) return;
  const Json* state = member(*obj, "sessionState");
  if (!state || !state->is_object()) {
    c.reject("/sessionState", (state ? std::string("must be an object, got ") + json_type_name(*state) : std::string("missing")) +
                                  ": sessionState is always required: " + why);
    return;
  }
  const Json* action = member(*state, "dialogAction");
  if (!action || !action->is_object()) {
    c.reject("/sessionState/dialogAction", (action ? std::string("must be an object, got ") + json_type_name(*action) : std::string("missing")) +
                                               ": " + why);
    return;
  }
  const Json* type = member(*action, "type");
  if (!type) {
    c.reject("/sessionState/dialogAction/type", "missing: " + why);
    return;
  }
  check_enum_member(c, *action, "type", "/sessionState/dialogAction", kLexDialogActions, why);
  if (c.rejected()) return;
  const std::string& t = type->get_ref<const std::string&>();
  if (t == "ElicitIntent" || t == "ConfirmIntent") {
    const Json* messages = member(*obj, "messages");
    if (!messages || !messages->is_array() || messages->empty())
      c.reject("/messages", "required (non-empty) when dialogAction.type is " + t + ": " + why);
  }
  if (t == "ElicitSlot") {
    const Json* slot = member(*action, "slotToElicit");
    if (!slot || !slot->is_string() || slot->get_ref<const std::string&>().empty())
      c.reject("/sessionState/dialogAction/slotToElicit", "required when dialogAction.type is ElicitSlot: " + why);
  }
  const Json* intent = member(*state, "intent");
  if (!intent && t != "Delegate" && t != "ElicitIntent") {
    c.reject("/sessionState/intent", "required when dialogAction.type is " + t + ": " + why);
  } else if (intent && intent->is_object()) {
    check_enum_member(c, *intent, "state", "/sessionState/intent", kLexIntentStates, why);
    check_enum_member(c, *intent, "confirmationState", "/sessionState/intent", kLexConfirmationStates, why);
  }
  if (c.rejected()) return;
  c.effective = *obj;
  c.ok_reading = "Lex continues the conversation with dialogAction " + t + " (SEMANTICS.md §6.8)";
}

// --- alexa (SEMANTICS.md §6.9) -----------------------------------------------------------------

void check_speech(Ctx& c, const Json& speech, const std::string& p, const std::string& why) {
  if (!speech.is_object()) {
    c.reject(p, std::string("must be an object {type, text | ssml}, got ") + json_type_name(speech) + ": " + why);
    return;
  }
  const Json* type = member(speech, "type");
  const char* field = type && *type == "PlainText" ? "text" : type && *type == "SSML" ? "ssml" : nullptr;
  if (!field) {
    c.reject(p + "/type", (type ? show(*type) + " is not one of" : std::string("missing: one of")) + " \"PlainText\", \"SSML\": " + why);
    return;
  }
  const Json* text = member(speech, field);
  if (!text || !text->is_string()) {
    c.reject(child(p, field), std::string(text ? "must be a string" : "missing") + " for type " + type->get<std::string>() + ": " + why);
  } else if (utf8_chars(text->get_ref<const std::string&>()) > kAlexaSpeechMaxChars) {
    c.reject(child(p, field), "longer than " + std::to_string(kAlexaSpeechMaxChars) + " characters: " + why);
  }
}

void check_alexa(Ctx& c) {
  const std::string why = "Alexa ends the session with an INVALID_RESPONSE error (SEMANTICS.md §6.9)";
  // The whole response is at most 24 KB (SEMANTICS.md §6.9); the source's own limit when lower.
  std::size_t limit = limits::kAlexaResponseBytes;
  if (c.source.limits.max_response_bytes) limit = std::min(limit, c.source.limits.max_response_bytes);
  c.check_size = false;
  if (c.raw.size() > limit)
    c.reject_size("", "the response is " + std::to_string(c.raw.size()) + " bytes, over Alexa's " + std::to_string(limit) +
                     "-byte limit: " + why);
  const Json* obj = c.object_or_reject("{version, sessionAttributes, response}", why);
  if (!obj) return;
  const Json* version = member(*obj, "version");
  if (!version || !version->is_string())
    c.reject("/version", (version ? std::string("must be a string, got ") + json_type_name(*version) : std::string("missing")) + ": " + why);
  const Json* response = member(*obj, "response");
  if (!response || !response->is_object()) {
    c.reject("/response", (response ? std::string("must be an object, got ") + json_type_name(*response) : std::string("missing")) + ": " + why);
    return;
  }
  if (const Json* s = member(*response, "outputSpeech")) check_speech(c, *s, "/response/outputSpeech", why);
  if (const Json* r = member(*response, "reprompt"); r && r->is_object())
    if (const Json* s = member(*r, "outputSpeech")) check_speech(c, *s, "/response/reprompt/outputSpeech", why);
  if (c.rejected()) return;
  c.effective = *obj;
  const Json* end = member(*response, "shouldEndSession");
  c.ok_reading = std::string("Alexa speaks the outputSpeech") +
                 (end && end->is_boolean() && end->get<bool>() ? " and ends the session" : "") + " (SEMANTICS.md §6.9)";
}

// --- appsync -------------------------------------------------------------------------------------

void check_appsync(Ctx& c) {
  const std::string why = "AppSync returns a GraphQL error for the field";
  const Json* v = c.json_or_reject(why);
  if (!v) return;
  // BatchInvoke: the event is a list and the result must have one entry per item, in order.
  if (c.event.is_array()) {
    if (!v->is_array()) {
      c.reject("", std::string("a BatchInvoke result must be a list with one entry per event item, got ") + json_type_name(*v) +
                       ": AppSync fails every field of the batch");
    } else if (v->size() != c.event.size()) {
      c.reject("", "a BatchInvoke result must have " + std::to_string(c.event.size()) + " entries, got " +
                       std::to_string(v->size()) + ": AppSync fails every field of the batch");
    }
  }
  if (c.rejected()) return;
  c.effective = *v;
  c.ok_reading = c.event.is_array() ? "AppSync uses entry i as the result of batch item i" : "AppSync uses the value as the field's result";
}

// --- cloudfront-edge ------------------------------------------------------------------------------

void check_cloudfront(Ctx& c) {
  const Json* v = c.json_or_reject("CloudFront answers 502 (the Lambda function result failed validation)");
  if (!v) return;
  c.effective = *v;
  const Json* status = member(*v, "status");
  if (status && status->is_string() && status->get_ref<const std::string&>().size() == 3 &&
      std::all_of(status->get_ref<const std::string&>().begin(), status->get_ref<const std::string&>().end(),
                  [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); })) {
    c.ok_status = std::stoi(status->get<std::string>());
    c.ok_reading = "CloudFront answers " + status->get<std::string>() + " with the generated response";
  } else {
    c.ok_reading = "CloudFront forwards the returned request";
  }
}

// --- contracts read through their schema only (appsync aside) --------------------------------------

void check_schema_only(Ctx& c) {
  const Json* v = c.json_or_reject("the platform cannot read it");
  if (!v) return;
  c.effective = *v;
  c.ok_reading = c.contract.read_by.empty() ? "the platform reads the value as declared" : c.contract.read_by;
}

// --- The table ----------------------------------------------------------------------------------

/// HTTP statuses for failures; all zero = no HTTP client.
struct HttpStatuses {
  int malformed = 0;              ///< a response the platform rejects
  int function_error = 0;         ///< function error, crash, or a timeout before the integration timeout
  int integration_timeout = 0;    ///< the function ran past integration_timeout_ms
  int64_t integration_timeout_ms = 0;  ///< 0 = no separate integration timeout
  int throttled = 0;              ///< the invoke was refused with 429
  int invoke_rejected = 0;        ///< any other refused invoke
  int unauthorized = 0;           ///< the function threw "Unauthorized" (Lambda authorizers: 401)
};

struct ContractSpec {
  std::string_view name;
  void (*check)(Ctx&);
  HttpStatuses http;
  const char* failure_reading;
};

constexpr HttpStatuses kNoHttp{};
constexpr HttpStatuses kRestHttp{kApiGatewayMalformedStatus, kApiGatewayMalformedStatus, kIntegrationTimeoutStatus,
                                 kRestIntegrationTimeoutMs, kApiGatewayRejectedInvokeStatus, kApiGatewayRejectedInvokeStatus};
constexpr HttpStatuses kHttpApiHttp{kHttpApiErrorStatus, kHttpApiErrorStatus, kIntegrationTimeoutStatus,
                                    kHttpApiIntegrationTimeoutMs, kApiGatewayRejectedInvokeStatus, kApiGatewayRejectedInvokeStatus};
constexpr HttpStatuses kFunctionUrlHttp{kFunctionUrlErrorStatus, kFunctionUrlErrorStatus, kFunctionUrlErrorStatus, 0,
                                        kFunctionUrlThrottleStatus, kFunctionUrlErrorStatus};
constexpr HttpStatuses kAlbHttp{kAlbErrorStatus, kAlbErrorStatus, kAlbErrorStatus, 0, kAlbErrorStatus, kAlbErrorStatus};
constexpr HttpStatuses kAuthorizerHttp{kAuthorizerErrorStatus, kAuthorizerErrorStatus, kAuthorizerErrorStatus, 0,
                                       kAuthorizerErrorStatus, kAuthorizerErrorStatus, kAuthorizerUnauthorizedStatus};
constexpr HttpStatuses kCloudFrontHttp{kCloudFrontValidationStatus, kCloudFrontFunctionErrorStatus, kCloudFrontFunctionErrorStatus, 0,
                                       kCloudFrontFunctionErrorStatus, kCloudFrontFunctionErrorStatus};

// One line per contract name (STYLE.md §7.4); docs/response-contracts.md has a section for each.
const std::vector<ContractSpec>& contracts() {
  static const std::vector<ContractSpec> kContracts = {
      {"ignored", check_ignored, kNoHttp, "the platform ignores the return value"},
      {"batch-item-failures", check_batch_item_failures, kNoHttp, "the whole batch is retried (SEMANTICS.md §4)"},
      {"apigw-proxy-v1", check_proxy_v1, kRestHttp, kApiGatewayErrorReading},
      {"apigw-proxy-v2", check_proxy_v2, kHttpApiHttp, kHttpApiErrorReading},
      {"function-url", check_function_url, kFunctionUrlHttp, kFunctionUrlErrorReading},
      {"alb", check_alb, kAlbHttp, kAlbErrorReading},
      {"apigw-websocket", check_websocket, kRestHttp,
       "API Gateway fails the route: $connect is refused, other routes get an Internal server error message (not confirmed)"},
      {"authorizer", check_authorizer, kAuthorizerHttp, "API Gateway answers 500 (AuthorizerConfigurationException)"},
      {"authorizer-iam-policy", check_authorizer_iam, kAuthorizerHttp, "API Gateway answers 500 (AuthorizerConfigurationException)"},
      {"firehose-records", check_firehose, kNoHttp,
       "Firehose treats the transformation as failed: the records are retried or go to the processing-failed prefix (SEMANTICS.md §6.5)"},
      {"s3-batch-results", check_s3_batch, kNoHttp, "S3 Batch Operations fails the task (SEMANTICS.md §6.6)"},
      {"cognito-trigger", check_cognito, kNoHttp, "Cognito fails the user's request (SEMANTICS.md §6.7)"},
      {"lex-v2", check_lex, kNoHttp, "Lex fails the turn (SEMANTICS.md §6.8)"},
      {"cloudformation-put", check_cloudformation, kNoHttp, "CloudFormation ignores the return value (SEMANTICS.md §6.4)"},
      {"alexa", check_alexa, kNoHttp, "Alexa ends the session with a SessionEndedRequest (error INVALID_RESPONSE, SEMANTICS.md §6.9)"},
      {"appsync", check_appsync, kNoHttp, "AppSync returns a GraphQL error for the field"},
      {"cloudfront-edge", check_cloudfront, kCloudFrontHttp, "CloudFront answers 502 (the Lambda function result failed validation)"},
      {"iot-authorizer", check_schema_only, kNoHttp, "IoT Core denies the connection"},
      {"iot-provisioning-hook", check_schema_only, kNoHttp, "fleet provisioning fails the request"},
      {"s3-object-lambda", check_schema_only, kNoHttp, "S3 Object Lambda cannot read the answer and fails the request (not confirmed)"},
      {"ses-disposition", check_schema_only, kNoHttp,
       "SES does not recognise the disposition and continues with the next action (CONTINUE)"},
  };
  return kContracts;
}

const ContractSpec* find_spec(std::string_view name) {
  for (const auto& s : contracts())
    if (s.name == name) return &s;
  return nullptr;
}

void check_unknown(Ctx& c) {
  const Json* v = c.json_or_reject("the declared schema cannot be checked");
  if (!v) return;
  c.effective = *v;
  c.ok_reading = "evh knows no contract named '" + clip(c.contract.contract, 64) + "': only its declared schema was checked";
}

ContractVerdict assess(const Source& source, const ResponseContract& contract, const Json& event, const std::string& response,
                       bool rbif) {
  const ContractSpec* spec = find_spec(contract.contract);
  Ctx c(source, contract, event, response, rbif);
  if (spec) {
    spec->check(c);
  } else {
    check_unknown(c);
  }

  std::vector<RuleProblem> all;
  if (c.check_size && source.limits.max_response_bytes && response.size() > source.limits.max_response_bytes) {
    all.push_back({{"", "the response is " + std::to_string(response.size()) + " bytes, over this source's limit of " +
                            std::to_string(source.limits.max_response_bytes) + " bytes (SEMANTICS.md §1)", true},
                   true});
  }
  for (auto& f : c.findings) all.push_back(std::move(f));

  // The declared schema, merged one problem per pointer: a rule's message wins (it says what the
  // platform does); the validator's "matches none of the alternatives" summary goes last.
  if (c.run_schema && contract.schema) {
    if (const Json* v = c.json()) {
      std::vector<Problem> found;
      validate_value(contract.schema->root(), *v, "", found);
      std::set<std::string> taken;
      for (const auto& f : all) taken.insert(f.problem.pointer);
      std::vector<RuleProblem> summaries;
      for (auto& p : found) {
        bool summary = p.message.rfind("matches none of", 0) == 0;
        if (summary) {
          if (!c.findings.empty()) continue;  // the rules already said what is wrong
          summaries.push_back({{p.pointer, clip("matches none of the shapes the contract allows (closest shape's problems above)")}, true});
          continue;
        }
        if (!taken.insert(p.pointer).second) continue;
        all.push_back({{p.pointer, clip(p.message)}, true});
      }
      for (auto& s : summaries) all.push_back(std::move(s));
    }
  }

  ContractVerdict v;
  bool rejected = std::any_of(all.begin(), all.end(), [](const RuleProblem& f) { return f.rejecting; });
  for (auto& f : all) v.problems.push_back(std::move(f.problem));
  v.ok = v.problems.empty();
  if (rejected) {
    v.http_status = spec ? spec->http.malformed : 0;
    v.reading = !c.failure_reading.empty() ? c.failure_reading
                : spec                     ? spec->failure_reading
                                           : "the response does not match the declared schema";
    v.effective = std::move(c.failure_effective);
  } else {
    v.http_status = c.ok_status;
    v.reading = std::move(c.ok_reading);
    v.effective = std::move(c.effective);
  }
  return v;
}

}  // namespace

ContractVerdict assess_response(const Source& source, const ResponseContract& contract, const Json& event,
                                const std::string& response, bool report_batch_item_failures) {
  try {
    return assess(source, contract, event, response, report_batch_item_failures);
  } catch (const std::exception& e) {
    // A bug in evh, never the handler's fault: reported as such rather than thrown at the mode.
    ContractVerdict v;
    v.ok = false;
    v.problems.push_back({"", kInternalErrorPrefix + clip(e.what())});
    v.reading = "evh could not assess the response";
    return v;
  }
}

ContractVerdict assess_response(const Source& source, const Json& event, const std::string& response,
                                bool report_batch_item_failures) {
  return assess_response(source, source.response, event, response, report_batch_item_failures);
}

int http_status_for_failure(const Source& source, const Outcome& outcome) {
  const ContractSpec* spec = find_spec(source.response.contract);
  if (!spec) return 0;
  const HttpStatuses& h = spec->http;
  switch (outcome.kind) {
    case OutcomeKind::kSuccess:
    case OutcomeKind::kDryRun:
    case OutcomeKind::kQueued:
      return 0;
    case OutcomeKind::kFunctionError:
      if (h.unauthorized && outcome.error_message == kAuthorizerUnauthorizedMessage) return h.unauthorized;
      return h.function_error;
    case OutcomeKind::kCrash:
    case OutcomeKind::kNoAnswer:
      // The platform sees a runtime that died without an answer: a function error to the caller.
      return h.function_error;
    case OutcomeKind::kTimeout:
      // Past the integration timeout the gateway gives up (504, SEMANTICS.md §6.1); a function
      // that times out earlier comes back as a Sandbox.Timedout function error. An unknown
      // duration (0) is taken as the integration timeout.
      if (h.integration_timeout_ms &&
          (outcome.duration_ms <= 0 || outcome.duration_ms >= h.integration_timeout_ms))
        return h.integration_timeout;
      return h.function_error;
    case OutcomeKind::kInvokeError:
      return outcome.status == kThrottleStatus ? h.throttled : h.invoke_rejected;
  }
  return 0;
}

const std::vector<std::string_view>& known_contracts() {
  static const std::vector<std::string_view> kNames = [] {
    std::vector<std::string_view> names;
    for (const auto& s : contracts()) names.push_back(s.name);
    return names;
  }();
  return kNames;
}

bool is_known_contract(std::string_view name) { return find_spec(name) != nullptr; }

bool has_http_client(std::string_view contract) {
  const ContractSpec* spec = find_spec(contract);
  return spec && spec->http.malformed != 0;
}

Result<std::vector<ResponseVariant>> response_variants(const Source& source) {
  std::vector<ResponseVariant> out;
  const Json* variants = find_at(source.meta, "/response/variants");
  if (!variants) return out;
  if (!variants->is_object())
    return make_error(ErrorCode::kConfig, source.id + ": x-evh-source/response/variants must be an object of named contracts");
  for (const auto& [name, spec] : variants->items()) {
    std::string what = source.id + "#/x-evh-source/response/variants/" + pointer_token(name);
    const Json* contract = find_at(spec, "/contract");
    if (!contract || !contract->is_string() || contract->get_ref<const std::string&>().empty())
      return make_error(ErrorCode::kConfig, what + ": contract is missing");
    ResponseVariant v;
    v.name = name;
    v.contract.contract = contract->get<std::string>();
    if (const Json* r = find_at(spec, "/readBy"); r && r->is_string()) v.contract.read_by = r->get<std::string>();
    if (const Json* sch = find_at(spec, "/schema")) {
      auto loaded = Schema::load(*sch, what + "/schema");
      if (!loaded) return loaded.error();
      v.contract.schema = std::move(*loaded);
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace evh::harness
