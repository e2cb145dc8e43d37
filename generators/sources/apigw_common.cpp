// HTTP-request helpers shared by the API Gateway, ALB and function URL sources (SEMANTICS.md §6.1–§6.3).
#include "generators/sources/apigw_common.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <set>

#include "generators/codec.h"
#include "generators/format.h"
#include "generators/sources/source_util.h"

namespace evh::sources {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Reads `n` decimal digits at `pos`; -1 when they are not digits.
int digits_at(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// Header names the front end sets itself; fill_headers owns their values.
bool managed_header(std::string_view lower_name) {
  static const std::set<std::string_view> kManaged = {
      "host",         "user-agent",    "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto", "x-amzn-trace-id",
      "content-type", "content-length"};
  return kManaged.count(lower_name) > 0;
}

// A plausible value for a well-known request header; other names keep the drawn value.
Json plausible_header(std::string_view name, const Json& drawn, Rng& rng) {
  if (name == "accept")
    return rng.pick(std::vector<std::string>{"*/*", "application/json", "text/html,application/xhtml+xml"});
  if (name == "accept-encoding") return "gzip, deflate, br";
  if (name == "accept-language") return rng.pick(std::vector<std::string>{"en-US,en;q=0.9", "de-DE,de;q=0.8", "fr-FR"});
  if (name == "authorization")
    return "Bearer eyJhbGciOiJSUzI1NiJ9." +
           rng.chars(32, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
  if (name == "cache-control") return rng.pick(std::vector<std::string>{"no-cache", "max-age=0"});
  if (name == "origin") return "https://app.example.com";
  if (name == "referer") return "https://app.example.com/" + rng.chars(6, "abcdefghijklmnopqrstuvwxyz");
  if (name == "x-api-key") return rng.chars(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
  if (name == "x-request-id" || name == "postman-token") return uuid(rng);
  if (name == "cloudfront-viewer-country") return rng.pick(std::vector<std::string>{"US", "DE", "JP", "BR", "IN"});
  if (name == "cloudfront-forwarded-proto") return "https";
  if (name == "cloudfront-is-desktop-viewer") return "true";
  if (name == "cloudfront-is-mobile-viewer" || name == "cloudfront-is-smarttv-viewer" ||
      name == "cloudfront-is-tablet-viewer")
    return "false";
  if (name == "via") return "2.0 " + rng.chars(32, "0123456789abcdef") + ".cloudfront.net (CloudFront)";
  if (name == "x-amz-cf-id")
    return rng.chars(54, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") + "==";
  if (name == "upgrade-insecure-requests") return "1";
  if (name == "connection") return "keep-alive";
  return drawn.is_string() ? drawn : Json("");
}

// The body's bytes as the client sent them (decoded when isBase64Encoded).
std::optional<std::string> body_bytes(const Json& event) {
  const Json* b = find_at(event, "/body");
  if (!b || !b->is_string()) return std::nullopt;
  const Json* f = find_at(event, "/isBase64Encoded");
  if (f && f->is_boolean() && f->get<bool>()) return codec::base64_decode(b->get_ref<const std::string&>());
  return b->get<std::string>();
}

// arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>, checked against the request.
void check_execute_api_arn(const Json& event, std::string_view key, const std::string& api_id, const std::string& stage,
                           const std::string& method, const std::string& path, std::vector<Problem>& out) {
  std::string arn = str(event, key);
  if (arn.empty()) return;
  std::size_t colons = 0, pos = 0;
  while (colons < 5 && (pos = arn.find(':', pos)) != std::string::npos) {
    ++colons;
    ++pos;
  }
  if (colons < 5) return;  // the schema's pattern reports a malformed ARN
  std::string rest = arn.substr(pos);
  std::vector<std::string> parts;
  for (int i = 0; i < 3; ++i) {
    std::size_t slash = rest.find('/');
    if (slash == std::string::npos) return;
    parts.push_back(rest.substr(0, slash));
    rest = rest.substr(slash + 1);
  }
  std::string at = "/" + std::string(key);
  if (!api_id.empty() && parts[0] != api_id) report(out, at, "names API '" + parts[0] + "', not requestContext.apiId");
  if (!stage.empty() && parts[1] != "*" && parts[1] != stage)
    report(out, at, "names stage '" + parts[1] + "', not requestContext.stage");
  if (!method.empty() && parts[2] != "*" && parts[2] != method)
    report(out, at, "names method " + parts[2] + ", not " + method);
  std::string arn_path = "/" + rest;
  if (!path.empty() && arn_path.find('*') == std::string::npos && arn_path != path)
    report(out, at, "names path '" + arn_path + "', not the request path '" + path + "'");
}

}  // namespace

std::string clf_time(int64_t epoch_ms) {
  std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02d/%s/%04d:%02d:%02d:%02d +0000", tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<int64_t> parse_clf_time(std::string_view s) {
  // dd/Mon/yyyy:HH:MM:SS[ ]+hhmm
  if (s.size() < 25 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':') return std::nullopt;
  int day = digits_at(s, 0, 2), year = digits_at(s, 7, 4), hour = digits_at(s, 12, 2), minute = digits_at(s, 15, 2),
      second = digits_at(s, 18, 2);
  int month = -1;
  for (int i = 0; i < 12; ++i)
    if (s.substr(3, 3) == kMonths[i]) month = i;
  std::size_t p = 20;
  if (p < s.size() && s[p] == ' ') ++p;
  if (p + 5 != s.size() || (s[p] != '+' && s[p] != '-')) return std::nullopt;
  int off_h = digits_at(s, p + 1, 2), off_m = digits_at(s, p + 3, 2);
  if (day < 1 || month < 0 || year < 0 || hour < 0 || minute < 0 || second < 0 || off_h < 0 || off_m < 0)
    return std::nullopt;
  std::tm tm{};
  tm.tm_mday = day;
  tm.tm_mon = month;
  tm.tm_year = year - 1900;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  int64_t offset = (off_h * 3600 + off_m * 60) * (s[p] == '-' ? -1 : 1);
  return static_cast<int64_t>(timegm(&tm)) - offset;
}

std::optional<std::map<std::string, std::string>> match_route(std::string_view tmpl, std::string_view path) {
  auto t = segments(tmpl), p = segments(path);
  std::map<std::string, std::string> params;
  for (std::size_t i = 0; i < t.size(); ++i) {
    std::string_view seg = t[i];
    bool param = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
    if (param && seg[seg.size() - 2] == '+') {
      if (i >= p.size()) return std::nullopt;
      std::string rest;
      for (std::size_t j = i; j < p.size(); ++j) rest += (j > i ? "/" : "") + std::string(p[j]);
      params[std::string(seg.substr(1, seg.size() - 3))] = rest;
      return params;
    }
    if (i >= p.size()) return std::nullopt;
    if (param) {
      params[std::string(seg.substr(1, seg.size() - 2))] = std::string(p[i]);
    } else if (seg != p[i]) {
      return std::nullopt;
    }
  }
  if (p.size() != t.size()) return std::nullopt;
  return params;
}

std::string fill_route(std::string_view tmpl, Rng& rng) {
  std::string out;
  for (std::string_view seg : segments(tmpl)) {
    out += '/';
    bool param = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
    if (param && seg[seg.size() - 2] == '+') {
      out += rng.pick(std::vector<std::string>{"hello/world", "v1/items/" + std::to_string(rng.range(1, 99999)),
                                               "assets/img/logo.png", "docs"});
    } else if (param) {
      switch (rng.below(3)) {
        case 0:
          out += std::to_string(rng.range(1, 999999));
          break;
        case 1:
          out += uuid(rng);
          break;
        default:
          out += "item-" + rng.chars(6, "abcdefghijklmnopqrstuvwxyz");
          break;
      }
    } else {
      out += seg;
    }
  }
  return out.empty() ? "/" : out;
}

std::string first_label(std::string_view domain) { return std::string(domain.substr(0, domain.find('.'))); }

bool bodiless_method(std::string_view method) { return method == "GET" || method == "HEAD" || method == "OPTIONS"; }

std::string str_at(const Json& event, std::string_view pointer) {
  const Json* v = find_at(event, pointer);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

std::string trace_header(int64_t epoch_ms, Rng& rng) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(epoch_ms / 1000) & 0xffffffffULL);
  return "Root=1-" + std::string(buf) + "-" + rng.chars(24, "0123456789abcdef");
}

void fill_headers(Json& headers, const RequestFacts& f, Rng& rng) {
  if (!headers.is_object()) return;
  auto name = [&](const char* canonical) { return f.lower ? lower(canonical) : std::string(canonical); };
  Json out = Json::object();
  if (!f.host.empty()) out[name("Host")] = f.host;
  if (!f.user_agent.empty()) out[name("User-Agent")] = f.user_agent;
  std::set<std::string> seen;
  for (const auto& [k, v] : headers.items()) {
    std::string lk = lower(k);
    if (managed_header(lk) || !seen.insert(lk).second) continue;
    out[f.lower ? lk : k] = plausible_header(lk, v, rng);
  }
  if (f.body && f.body->is_string() && !f.body->get_ref<const std::string&>().empty()) {
    const std::string& b = f.body->get_ref<const std::string&>();
    out[name("Content-Type")] = f.base64          ? "application/octet-stream"
                                : Json::accept(b) ? "application/json"
                                                  : "text/plain; charset=utf-8";
    if (f.content_length) {
      auto raw = f.base64 ? codec::base64_decode(b) : std::optional<std::string>(b);
      out[name("Content-Length")] = std::to_string(raw ? raw->size() : b.size());
    }
  }
  if (!f.trace_id.empty()) out[name("X-Amzn-Trace-Id")] = f.trace_id;
  if (!f.source_ip.empty()) out[name("X-Forwarded-For")] = f.source_ip;
  out[name("X-Forwarded-Port")] = f.port;
  out[name("X-Forwarded-Proto")] = f.proto;
  headers = std::move(out);
}

void sync_multi_value(Json& single, Json& multi, bool null_when_empty, Rng& rng) {
  if (!single.is_object() || (null_when_empty && single.empty())) {
    single = nullptr;
    multi = nullptr;
    return;
  }
  Json m = Json::object();
  for (auto& [k, v] : single.items()) {
    if (!v.is_string()) v = "";
    Json values = Json::array();
    if (!managed_header(lower(k)) && rng.chance(0.1)) values.push_back(rng.chars(5, "abcdefghijklmnopqrstuvwxyz"));
    values.push_back(v);
    m[k] = std::move(values);
  }
  multi = std::move(m);
}

void check_multi_value(const Json& obj, const std::string& at, std::string_view single, std::string_view multi,
                       std::vector<Problem>& out) {
  if (!obj.is_object()) return;
  auto s = obj.find(std::string(single)), m = obj.find(std::string(multi));
  if (s == obj.end() || m == obj.end()) return;
  std::string sp = at + "/" + std::string(single), mp = at + "/" + std::string(multi);
  if (s->is_null() != m->is_null()) {
    report(out, mp,
           std::string(m->is_null() ? "is null while " : "is set while ") + std::string(single) +
               (s->is_null() ? " is null" : " is set"));
    return;
  }
  if (!s->is_object() || !m->is_object()) return;
  for (const auto& [k, v] : s->items()) {
    auto it = m->find(k);
    if (it == m->end()) {
      report(out, mp, "has no entry for '" + k + "' of " + std::string(single));
      return;
    }
    if (!it->is_array() || it->empty() || it->back() != v) {
      report(out, sp + "/" + pointer_token(k), "is not the last value of " + std::string(multi) + "/" + k);
      return;
    }
  }
  for (const auto& [k, _] : m->items()) {
    if (!s->contains(k)) {
      report(out, sp, "has no entry for '" + k + "' of " + std::string(multi));
      return;
    }
  }
}

std::string raw_query(const Json& params) {
  auto enc = [](std::string_view text) {
    std::string e = codec::url_form_encode(text), out;
    for (char c : e) out += c == '+' ? std::string("%20") : std::string(1, c);
    return out;
  };
  std::string out;
  if (!params.is_object()) return out;
  for (const auto& [k, v] : params.items()) {
    std::string value = v.is_string() ? v.get<std::string>() : std::string();
    std::size_t start = 0;
    while (true) {
      std::size_t comma = value.find(',', start);
      std::string part = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!out.empty()) out += '&';
      out += enc(k) + "=" + enc(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

std::optional<Json> parse_raw_query(std::string_view raw) {
  Json out = Json::object();
  std::size_t i = 0;
  while (i < raw.size()) {
    std::size_t amp = raw.find('&', i);
    if (amp == std::string_view::npos) amp = raw.size();
    std::string_view pair = raw.substr(i, amp - i);
    i = amp + 1;
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    auto k = codec::url_form_decode(pair.substr(0, eq));
    auto v = codec::url_form_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!k || !v) return std::nullopt;
    if (out.contains(*k) && out[*k].is_string()) {
      out[*k] = out[*k].get<std::string>() + "," + *v;
    } else {
      out[*k] = *v;
    }
  }
  return out;
}

void settle_base64(Json& event, double base64_rate, Rng& rng) {
  if (!event.is_object()) return;
  auto b = event.find("body");
  auto f = event.find("isBase64Encoded");
  bool flag = f != event.end() && f->is_boolean() && f->get<bool>();
  if (b == event.end() || !b->is_string() || b->get_ref<const std::string&>().empty()) {
    if (f != event.end()) *f = false;
    return;
  }
  std::string text = b->get<std::string>();
  if (flag) {
    if (auto raw = codec::base64_decode(text)) text = *raw;  // already encoded by the generator
  }
  bool encode = base64_rate > 0 && rng.chance(base64_rate);
  *b = encode ? codec::base64_encode(text) : text;
  if (f != event.end() || encode) event["isBase64Encoded"] = encode;
}

void check_base64_body(const Json& event, std::vector<Problem>& out) {
  const Json* f = find_at(event, "/isBase64Encoded");
  const Json* b = find_at(event, "/body");
  if (!f || !f->is_boolean() || !f->get<bool>() || !b || !b->is_string()) return;
  if (!codec::base64_decode(b->get_ref<const std::string&>()))
    report(out, "/body", "isBase64Encoded is true but the body is not base64");
}

void check_content_length(const Json& event, std::vector<Problem>& out) {
  const Json* h = find_at(event, "/headers");
  if (!h || !h->is_object()) return;
  for (const auto& [k, v] : h->items()) {
    if (lower(k) != "content-length" || !v.is_string()) continue;
    auto bytes = body_bytes(event);
    if (bytes && v.get<std::string>() != std::to_string(bytes->size()))
      report(out, "/headers/" + pointer_token(k),
             "is not the length of the body (" + std::to_string(bytes->size()) + ")");
  }
}

void check_request_time(const Json& rc, const std::string& at, std::string_view time_key, std::string_view epoch_key,
                        std::vector<Problem>& out) {
  std::string time = str(rc, time_key);
  const Json* epoch = rc.is_object() ? find_at(rc, "/" + std::string(epoch_key)) : nullptr;
  if (time.empty() || !epoch || !epoch->is_number_integer()) return;
  auto secs = parse_clf_time(time);
  if (secs && *secs != epoch->get<int64_t>() / 1000)
    report(out, at + "/" + std::string(time_key), "is not the same second as " + std::string(epoch_key));
}

void check_domain(const Json& rc, const std::string& at, std::vector<Problem>& out) {
  std::string domain = str(rc, "domainName"), prefix = str(rc, "domainPrefix"), api = str(rc, "apiId");
  if (domain.empty()) return;
  if (!prefix.empty() && prefix != first_label(domain))
    report(out, at + "/domainPrefix", "is not the first label of domainName");
  bool aws_domain =
      domain.find(".execute-api.") != std::string::npos || domain.find(".lambda-url.") != std::string::npos;
  if (aws_domain && !api.empty() && first_label(domain) != api)
    report(out, at + "/domainName", "names another API than apiId '" + api + "'");
}

void add_authorizer_context(Json& authorizer, Rng& rng) {
  if (!authorizer.is_object() || !authorizer.contains("principalId")) return;
  authorizer["tenantId"] = "tenant-" + std::to_string(rng.range(1, 9999));
  if (rng.chance(0.5)) authorizer["plan"] = rng.pick(std::vector<std::string>{"free", "pro", "enterprise"});
  if (rng.chance(0.3)) authorizer["clientId"] = rng.range(1, 500);
}

void rest_finalize(Json& event, Rng& rng, GenContext& ctx, bool authorizer) {
  if (!event.is_object() || !event.contains("requestContext") || !event["requestContext"].is_object()) return;
  // Members are created before references are taken: ordered_json keeps them in a vector, so an
  // insert or erase moves every member (and invalidates pointers into them).
  for (const char* k : {"resource", "path", "pathParameters", "headers", "multiValueHeaders", "queryStringParameters",
                        "multiValueQueryStringParameters", "stageVariables"})
    if (!event.contains(k)) event[k] = nullptr;
  if (authorizer && !event.contains("methodArn")) event["methodArn"] = "";
  for (const char* k : {"httpMethod", "resourcePath", "path", "requestTime", "requestTimeEpoch"})
    if (!event["requestContext"].contains(k)) event["requestContext"][k] = nullptr;

  std::string method = str(event, "httpMethod");
  std::string resource = str(event, "resource");
  if (resource.empty() || resource[0] != '/') resource = "/";
  event["resource"] = resource;
  std::string path = fill_route(resource, rng);
  event["path"] = path;
  Json params = authorizer ? Json::object() : Json(nullptr);  // none: {} for authorizers, null for the proxy event
  if (auto captured = match_route(resource, path); captured && !captured->empty()) {
    params = Json::object();
    for (const auto& [k, v] : *captured) params[k] = v;
  }
  event["pathParameters"] = params;
  if (event["stageVariables"].is_object() && event["stageVariables"].empty()) event["stageVariables"] = nullptr;
  if (!authorizer && event.contains("body") && bodiless_method(method)) event["body"] = nullptr;
  if (!authorizer) settle_base64(event, 0.0, rng);  // JSON and text bodies arrive as text

  Json& rc = event["requestContext"];
  std::string stage = str(rc, "stage"), domain = str(rc, "domainName");
  rc["httpMethod"] = method;
  rc["resourcePath"] = resource;
  // The default execute-api domain puts the stage in front of the path (SEMANTICS.md §6.1).
  rc["path"] = domain.find(".execute-api.") != std::string::npos && !stage.empty() ? "/" + stage + path : path;
  if (!domain.empty() && rc.contains("domainPrefix")) rc["domainPrefix"] = first_label(domain);
  int64_t epoch = rc["requestTimeEpoch"].is_number_integer() ? rc["requestTimeEpoch"].get<int64_t>() : ctx.now_ms;
  rc["requestTimeEpoch"] = epoch;
  rc["requestTime"] = clf_time(epoch);
  if (rc.contains("authorizer")) add_authorizer_context(rc["authorizer"], rng);

  RequestFacts f;
  f.host = domain;
  f.user_agent = str_at(rc, "/identity/userAgent");
  f.source_ip = str_at(rc, "/identity/sourceIp");
  f.trace_id = trace_header(epoch, rng);
  f.body = find_at(event, "/body");
  Json& headers = event["headers"];
  fill_headers(headers, f, rng);
  if (authorizer && (event.contains("identitySource") || event.contains("authorizationToken"))) {
    // HTTP API payload 1.0 authorizers echo the identity source (the Authorization header here).
    std::string token = "Bearer " + rng.chars(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    if (headers.is_object()) {
      if (headers.contains("Authorization") && headers["Authorization"].is_string()) {
        token = headers["Authorization"].get<std::string>();
      } else {
        headers["Authorization"] = token;
      }
    }
    if (event.contains("identitySource")) event["identitySource"] = token;
    if (event.contains("authorizationToken")) event["authorizationToken"] = token;
  }
  sync_multi_value(headers, event["multiValueHeaders"], false, rng);
  sync_multi_value(event["queryStringParameters"], event["multiValueQueryStringParameters"], true, rng);
  if (authorizer) {
    event["methodArn"] = "arn:aws:execute-api:" + ctx.region + ":" + str(rc, "accountId") + ":" + str(rc, "apiId") +
                         "/" + stage + "/" + method + path;
  }
}

void rest_check(const Json& event, std::vector<Problem>& out, bool authorizer) {
  if (!event.is_object()) return;
  check_multi_value(event, "", "headers", "multiValueHeaders", out);
  check_multi_value(event, "", "queryStringParameters", "multiValueQueryStringParameters", out);
  std::string method = str(event, "httpMethod"), resource = str(event, "resource"), path = str(event, "path");
  if (!resource.empty() && !path.empty()) {
    auto params = match_route(resource, path);
    const Json* pp = find_at(event, "/pathParameters");
    if (!params) {
      report(out, "/path", "does not fit resource '" + resource + "'");
    } else if (pp && pp->is_object()) {
      for (const auto& [k, v] : *params) {
        auto it = pp->find(k);
        if (it == pp->end() || !it->is_string() || it->get<std::string>() != v) {
          report(out, "/pathParameters", "does not hold '" + k + "' = '" + v + "' from path and resource");
          break;
        }
      }
      for (const auto& [k, _] : pp->items()) {
        if (!params->count(k)) {
          report(out, "/pathParameters/" + pointer_token(k), "is not a parameter of resource '" + resource + "'");
          break;
        }
      }
    } else if (!params->empty()) {
      report(out, "/pathParameters", "is missing, but resource '" + resource + "' has parameters");
    }
  }
  const Json* rc = find_at(event, "/requestContext");
  if (rc && rc->is_object()) {
    std::string rc_method = str(*rc, "httpMethod"), rc_resource = str(*rc, "resourcePath"), rc_path = str(*rc, "path");
    if (!rc_method.empty() && !method.empty() && rc_method != method)
      report(out, "/requestContext/httpMethod", "is not httpMethod (" + method + ")");
    if (!rc_resource.empty() && !resource.empty() && rc_resource != resource)
      report(out, "/requestContext/resourcePath", "is not resource (" + resource + ")");
    if (!rc_path.empty() && !path.empty() && !ends_with(rc_path, path) && !ends_with(rc_path + "/", path))
      report(out, "/requestContext/path", "does not end with path (" + path + ")");
    check_domain(*rc, "/requestContext", out);
    check_request_time(*rc, "/requestContext", "requestTime", "requestTimeEpoch", out);
    if (authorizer) check_execute_api_arn(event, "methodArn", str(*rc, "apiId"), str(*rc, "stage"), method, path, out);
  }
  if (!authorizer) check_base64_body(event, out);
}

void v2_finalize(Json& event, Rng& rng, GenContext& ctx, V2Kind kind) {
  if (!event.is_object() || !event.contains("requestContext") || !event["requestContext"].is_object()) return;
  if (!event["requestContext"].contains("http") || !event["requestContext"]["http"].is_object()) return;
  const Json rc_in = event["requestContext"];
  std::string route = kind.function_url ? "$default" : str(event, "routeKey");
  if (route.empty()) route = "$default";
  std::string stage = str(rc_in, "stage"), method = str_at(rc_in, "/http/method"), path;
  Json params = nullptr;
  if (route != "$default" && route.find(' ') != std::string::npos) {
    std::string route_method = route.substr(0, route.find(' ')), tmpl = route.substr(route.find(' ') + 1);
    if (route_method != "ANY") method = route_method;
    path = fill_route(tmpl, rng);
    if (auto captured = match_route(tmpl, path); captured && !captured->empty()) {
      params = Json::object();
      for (const auto& [k, v] : *captured) params[k] = v;
    }
  } else {
    path = str(event, "rawPath");
    if (path.empty() || path[0] != '/') path = "/";
  }
  // A named stage of an HTTP API shows in the raw path (/prod/orders); $default does not.
  std::string raw_path = !kind.function_url && !stage.empty() && stage != "$default" ? "/" + stage + path : path;

  // Top-level members first: ordered_json keeps members in a vector, so an insert or erase moves
  // every member; references are taken only once the member set is final.
  event["rawPath"] = raw_path;
  if (!kind.function_url || event.contains("routeKey")) event["routeKey"] = route;
  if (!params.is_null()) {
    event["pathParameters"] = params;
  } else if (kind.function_url && event.contains("pathParameters")) {
    event["pathParameters"] = nullptr;
  } else {
    event.erase("pathParameters");
  }
  auto q = event.find("queryStringParameters");
  if (q != event.end() && q->is_object() && !q->empty()) {
    for (auto& [k, v] : q->items()) {
      if (!v.is_string()) v = "";
      if (rng.chance(0.15)) v = v.get<std::string>() + "," + rng.chars(5, "abcdefghijklmnopqrstuvwxyz");
    }
    event["rawQueryString"] = raw_query(*q);
  } else {
    if (q != event.end()) event.erase(q);
    event["rawQueryString"] = "";
  }
  if (auto c = event.find("cookies"); c != event.end() && (!c->is_array() || c->empty())) event.erase(c);
  // Empty maps are left out (function URLs send null for the ones they never have).
  if (auto v = event.find("stageVariables"); v != event.end() && v->is_object() && v->empty()) event.erase(v);
  if (kind.authorizer || bodiless_method(method)) event.erase("body");
  if (!kind.authorizer) settle_base64(event, 0.1, rng);
  if (!event.contains("headers") || !event["headers"].is_object()) event["headers"] = Json::object();
  if (kind.authorizer) {
    event["identitySource"] = Json::array();
    event["routeArn"] = "";
  }

  Json& rc = event["requestContext"];
  rc["http"]["path"] = raw_path;
  rc["http"]["method"] = method;
  if (!kind.function_url || rc.contains("routeKey")) rc["routeKey"] = route;
  std::string domain = str(rc, "domainName");
  if (kind.function_url) {
    // <url-id>.lambda-url.<region>.on.aws; the url id is the apiId and the domain prefix.
    domain = str(rc, "apiId") + ".lambda-url." + ctx.region + ".on.aws";
    rc["domainName"] = domain;
    if (!rc.contains("authorizer")) rc["accountId"] = "anonymous";  // AuthType NONE
  }
  if (!domain.empty()) rc["domainPrefix"] = first_label(domain);
  int64_t epoch =
      rc.contains("timeEpoch") && rc["timeEpoch"].is_number_integer() ? rc["timeEpoch"].get<int64_t>() : ctx.now_ms;
  rc["timeEpoch"] = epoch;
  rc["time"] = clf_time(epoch);

  RequestFacts f;
  f.host = domain;
  f.user_agent = str_at(rc, "/http/userAgent");
  f.source_ip = str_at(rc, "/http/sourceIp");
  f.trace_id = trace_header(epoch, rng);
  f.body = find_at(event, "/body");
  const Json* flag = find_at(event, "/isBase64Encoded");
  f.base64 = flag && flag->is_boolean() && flag->get<bool>();
  f.lower = true;
  f.content_length = true;
  Json& headers = event["headers"];
  fill_headers(headers, f, rng);
  if (kind.authorizer) {
    if (!headers.contains("authorization") || !headers["authorization"].is_string())
      headers["authorization"] =
          "Bearer " + rng.chars(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    event["identitySource"] = Json::array({headers["authorization"]});
    event["routeArn"] = "arn:aws:execute-api:" + ctx.region + ":" + str(rc, "accountId") + ":" + str(rc, "apiId") +
                        "/" + stage + "/" + method + path;
  }
}

void v2_check(const Json& event, std::vector<Problem>& out, V2Kind kind) {
  if (!event.is_object()) return;
  const Json* rc = find_at(event, "/requestContext");
  if (!rc || !rc->is_object()) return;
  std::string raw_path = str(event, "rawPath"), http_path = str_at(*rc, "/http/path"),
              method = str_at(*rc, "/http/method");
  std::string stage = str(*rc, "stage");
  if (!raw_path.empty() && !http_path.empty() && raw_path != http_path)
    report(out, "/rawPath", "is not requestContext.http.path (" + http_path + ")");
  std::string route = str(event, "routeKey"), rc_route = str(*rc, "routeKey");
  if (!route.empty() && !rc_route.empty() && route != rc_route)
    report(out, "/requestContext/routeKey", "is not routeKey (" + route + ")");
  if (route.empty()) route = rc_route;
  // The path the route matched: the raw path without a named stage in front.
  std::string path = raw_path;
  if (!stage.empty() && stage != "$default" && path.rfind("/" + stage + "/", 0) == 0)
    path = path.substr(stage.size() + 1);
  if (!route.empty() && route != "$default" && route.find(' ') != std::string::npos) {
    std::string route_method = route.substr(0, route.find(' ')), tmpl = route.substr(route.find(' ') + 1);
    if (route_method != "ANY" && !method.empty() && method != route_method)
      report(out, "/requestContext/http/method", "is not the method of routeKey '" + route + "'");
    auto params = match_route(tmpl, path);
    const Json* pp = find_at(event, "/pathParameters");
    if (!raw_path.empty() && !params) {
      report(out, "/rawPath", "does not fit routeKey '" + route + "'");
    } else if (params && !params->empty()) {
      for (const auto& [k, v] : *params) {
        const Json* got = pp && pp->is_object() ? find_at(*pp, "/" + pointer_token(k)) : nullptr;
        if (!got || !got->is_string() || got->get<std::string>() != v) {
          report(out, "/pathParameters", "does not hold '" + k + "' = '" + v + "' from rawPath and routeKey");
          break;
        }
      }
    }
  }
  if (const Json* raw = find_at(event, "/rawQueryString"); raw && raw->is_string()) {
    auto parsed = parse_raw_query(raw->get_ref<const std::string&>());
    const Json* q = find_at(event, "/queryStringParameters");
    Json empty = Json::object();
    const Json& qs = q && q->is_object() ? *q : empty;
    if (!parsed) {
      report(out, "/rawQueryString", "is not a well-formed query string");
    } else {
      bool same = parsed->size() == qs.size();
      for (const auto& [k, v] : parsed->items()) {
        auto it = qs.find(k);
        same = same && it != qs.end() && *it == v;
      }
      if (!same)
        report(out, "/queryStringParameters", "does not hold rawQueryString's parameters (duplicates comma-joined)");
    }
  }
  if (const Json* h = find_at(event, "/headers"); h && h->is_object()) {
    for (const auto& [k, _] : h->items()) {
      if (k != lower(k)) {
        report(out, "/headers/" + pointer_token(k), "header names are lower-case in payload 2.0 (SEMANTICS.md §6.2)");
        break;
      }
    }
  }
  check_domain(*rc, "/requestContext", out);
  check_request_time(*rc, "/requestContext", "time", "timeEpoch", out);
  if (kind.function_url) {
    std::string domain = str(*rc, "domainName");
    if (!domain.empty() && !ends_with(domain, ".on.aws"))
      report(out, "/requestContext/domainName", "is not a lambda-url domain");
  }
  if (!kind.authorizer) {
    check_base64_body(event, out);
    check_content_length(event, out);
  } else {
    check_execute_api_arn(event, "routeArn", str(*rc, "apiId"), stage, method, path, out);
  }
}

}  // namespace evh::sources
