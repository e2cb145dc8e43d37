// Lambda@Edge: header map keys are the lower-cased entry keys, eventType agrees with the record (response only in
// *-response, origin only in origin-*, body only in *-request), the host header and status text match the event.
#include <cctype>
#include <initializer_list>
#include <utility>
#include <vector>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "x-forwarded-for" → "X-Forwarded-For", as CloudFront writes `key`.
std::string canonical(const std::string& name) {
  std::string out = name;
  bool start = true;
  for (auto& c : out) {
    c = static_cast<char>(start ? std::toupper(static_cast<unsigned char>(c)) : c);
    start = c == '-';
  }
  return out;
}

const char* reason(const std::string& status) {
  static const std::pair<const char*, const char*> kReasons[] = {
      {"200", "OK"},          {"301", "Moved Permanently"},  {"302", "Found"},     {"304", "Not Modified"},
      {"400", "Bad Request"}, {"403", "Forbidden"},          {"404", "Not Found"}, {"500", "Internal Server Error"},
      {"502", "Bad Gateway"}, {"503", "Service Unavailable"}};
  for (const auto& [code, text] : kReasons)
    if (status == code) return text;
  return nullptr;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A value that fits header `name` (the generator draws names and values independently), or "" to keep the drawn one.
std::string header_value(const std::string& name, Rng& rng, GenContext& ctx, const std::string& client_ip) {
  static constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  static const char* kAgents[] = {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)",
                                  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)", "curl/8.5.0",
                                  "Amazon CloudFront"};
  auto pick = [&](std::initializer_list<const char*> l) { return std::string(*(l.begin() + rng.below(l.size()))); };
  if (name == "user-agent") return kAgents[rng.below(4)];
  if (name == "accept")
    return pick({"*/*", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json"});
  if (name == "accept-encoding") return pick({"gzip, deflate, br", "gzip", "identity"});
  if (name == "accept-language") return pick({"en-US,en;q=0.9", "de-DE,de;q=0.8", "ja"});
  if (name == "cookie") return "session=" + rng.chars(24, kAlnum);
  if (name == "x-forwarded-for") return client_ip;
  if (name == "via") return "2.0 " + rng.chars(32, "0123456789abcdef") + ".cloudfront.net (CloudFront)";
  if (name == "cloudfront-viewer-country") return pick({"US", "DE", "JP", "BR", "IN"});
  if (name == "cache-control") return pick({"no-cache", "max-age=0", "max-age=3600", "public, max-age=86400"});
  if (name == "content-type") return pick({"application/json", "text/html; charset=UTF-8", "image/png"});
  if (name == "authorization") return "Bearer " + rng.chars(40, kAlnum);
  if (name == "x-request-id") return uuid(rng);
  if (name == "content-length") return std::to_string(rng.range(0, 200000));
  if (name == "etag") return "\"" + rng.chars(32, "0123456789abcdef") + "\"";
  if (name == "last-modified" || name == "date" || name == "x-amz-meta-last-modified")
    return rfc1123(ctx.now_ms - (name == "date" ? 0 : rng.range(0, 90) * 86400000LL));
  if (name == "server") return pick({"AmazonS3", "nginx", "Apache"});
  if (name == "vary") return pick({"Accept-Encoding", "Origin", "*"});
  if (name == "x-cache") return pick({"Miss from cloudfront", "Hit from cloudfront"});
  if (name == "strict-transport-security") return "max-age=31536000; includeSubDomains";
  return {};
}

// Sets each entry's key from its map key and one fitting value per header (several only for cookie).
void fix_headers(Json* map, Rng& rng, GenContext& ctx, const std::string& client_ip = "") {
  if (!map || !map->is_object()) return;
  for (auto& [name, list] : map->items()) {
    if (!list.is_array()) continue;
    if (name != "cookie" && list.size() > 1) list.erase(list.begin() + 1, list.end());
    for (auto& entry : list) {
      if (!entry.is_object()) continue;
      entry["key"] = canonical(name);
      if (name == "host") continue;
      std::string v = header_value(name, rng, ctx, client_ip);
      if (!v.empty()) entry["value"] = v;
    }
  }
}

// Header maps of one record, with their pointers (request, response, origin custom headers).
std::vector<std::pair<std::string, const Json*>> header_maps(const Json& cf) {
  std::vector<std::pair<std::string, const Json*>> out;
  for (const char* p : {"/request/headers", "/response/headers", "/request/origin/custom/customHeaders",
                        "/request/origin/s3/customHeaders"}) {
    const Json* m = find_at(cf, p);
    if (m && m->is_object()) out.emplace_back(p, m);
  }
  return out;
}

void finalize_record(Json& cf, Rng& rng, GenContext& ctx) {
  Json* config = find_at(cf, "/config");
  Json* request = find_at(cf, "/request");
  if (!config || !config->is_object()) return;
  bool is_response = cf.contains("response");
  std::string type = str(*config, "eventType");
  if (is_response && !ends_with(type, "-response")) type = rng.chance(0.5) ? "origin-response" : "viewer-response";
  if (!is_response && !ends_with(type, "-request")) type = rng.chance(0.5) ? "viewer-request" : "origin-request";
  (*config)["eventType"] = type;
  bool origin_event = type.rfind("origin-", 0) == 0;

  if (request && request->is_object()) {
    // The origin object is part of origin events only (CloudFront DG lambda-event-structure).
    if (!origin_event) {
      request->erase("origin");
    } else if (!request->contains("origin")) {
      (*request)["origin"] = {{"s3",
                               {{"authMethod", "origin-access-identity"},
                                {"customHeaders", Json::object()},
                                {"domainName", ctx.name + "-assets.s3." + ctx.region + ".amazonaws.com"},
                                {"path", ""},
                                {"region", ctx.region}}}};
    }
    // The body (IncludeBody) reaches request triggers only; the generator placed the payload in body.data.
    Json* body = find_at(*request, "/body");
    if (body && (is_response || !body->is_object() || rng.chance(0.3))) {
      request->erase("body");
    } else if (body) {
      (*body)["inputTruncated"] = false;
      (*body)["action"] = "read-only";
      (*body)["encoding"] = "base64";
      static const char* kMethods[] = {"POST", "PUT", "PATCH"};
      (*request)["method"] = kMethods[rng.below(3)];
    }
    // CloudFront always passes Host: the distribution's (viewer) or the origin's (origin) domain.
    Json& headers = (*request)["headers"];
    if (!headers.is_object()) headers = Json::object();
    std::string host = str(*config, "distributionDomainName");
    if (origin_event) {
      const Json* d = find_at(*request, "/origin/custom/domainName");
      if (!d) d = find_at(*request, "/origin/s3/domainName");
      if (d && d->is_string()) host = d->get<std::string>();
    }
    if (!host.empty()) headers["host"] = Json::array({{{"key", "Host"}, {"value", host}}});
    std::string client_ip = str(*request, "clientIp");
    fix_headers(&headers, rng, ctx, client_ip);
    fix_headers(find_at(*request, "/origin/custom/customHeaders"), rng, ctx, client_ip);
    fix_headers(find_at(*request, "/origin/s3/customHeaders"), rng, ctx, client_ip);
  }
  if (Json* response = find_at(cf, "/response"); response && response->is_object()) {
    const char* text = reason(str(*response, "status"));
    if (text) (*response)["statusDescription"] = text;
    fix_headers(find_at(*response, "/headers"), rng, ctx);
  }
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  Json* records = array_at(event, "/Records");
  if (!records) return;
  for (auto& r : *records)
    if (Json* cf = find_at(r, "/cf"); cf && cf->is_object()) finalize_record(*cf, rng, ctx);
}

void check(const Json& event, std::vector<Problem>& out) {
  const Json* records = array_at(event, "/Records");
  if (!records) return;
  for (std::size_t i = 0; i < records->size(); ++i) {
    const Json* cf = find_at((*records)[i], "/cf");
    if (!cf || !cf->is_object()) continue;
    std::string at = "/Records/" + std::to_string(i) + "/cf";
    for (const auto& [ptr, map] : header_maps(*cf)) {
      for (const auto& [name, list] : map->items()) {
        if (!list.is_array()) continue;
        for (std::size_t k = 0; k < list.size(); ++k) {
          std::string key = str(list[k], "key");
          if (!key.empty() && lower(key) != name)
            report(out, at + ptr + "/" + pointer_token(name) + "/" + std::to_string(k) + "/key",
                   "'" + key + "' does not lower-case to its map key '" + name + "'");
        }
      }
    }
    const Json* type = find_at(*cf, "/config/eventType");
    if (!type || !type->is_string()) continue;
    std::string t = type->get<std::string>();
    bool response_event = ends_with(t, "-response");
    if (response_event && !cf->contains("response")) report(out, at + "/response", "missing on a " + t + " event");
    if (!response_event && cf->contains("response")) report(out, at + "/response", "present on a " + t + " event");
    if (t.rfind("viewer-", 0) == 0 && find_at(*cf, "/request/origin"))
      report(out, at + "/request/origin", "present on a " + t + " event (origin events only)");
    if (response_event && find_at(*cf, "/request/body"))
      report(out, at + "/request/body", "present on a " + t + " event (request events only)");
  }
}

}  // namespace

SourceHooks cloudfront_edge_hooks() { return {finalize, check}; }

}  // namespace evh::sources
