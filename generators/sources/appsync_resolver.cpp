// appsync-resolver: identity claims agree with sub/issuer/username and their times are in order, x-forwarded-for
// starts with the caller's sourceIp, the host names the event's region, selectionSetGraphQL renders
// selectionSetList, and the items of a BatchInvoke share one field, identity and request.
#include <array>
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

constexpr std::string_view kLowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::array<const char*, 10> kFields = {"id",        "status",        "total",         "createdAt",
                                                 "customer",  "customer/id",   "customer/name", "items",
                                                 "items/sku", "items/quantity"};

std::string random_ip(Rng& rng) {
  return std::to_string(rng.range(1, 223)) + "." + std::to_string(rng.below(256)) + "." +
         std::to_string(rng.below(256)) + "." + std::to_string(rng.range(1, 254));
}

// One level of a selection set: field name → sub-selection, in first-seen order.
// (A named field type, not std::pair: clang 14 with libstdc++ 12 cannot instantiate
// std::pair<std::string, Selection> while Selection is incomplete.)
struct Selection {
  struct Field;
  std::vector<Field> fields;
  Selection& child(const std::string& name);
};
struct Selection::Field {
  std::string name;
  Selection sub;
};

Selection& Selection::child(const std::string& name) {
  for (auto& [n, s] : fields)
    if (n == name) return s;
  fields.push_back({name, Selection{}});
  return fields.back().sub;
}

void render(const Selection& sel, const std::string& indent, std::string& out) {
  for (const auto& [name, sub] : sel.fields) {
    out += indent + name;
    if (!sub.fields.empty()) {
      out += " {\n";
      render(sub, indent + "  ", out);
      out += indent + "}";
    }
    out += "\n";
  }
}

// AppSync's selectionSetGraphQL for a selectionSetList ("customer/name" is a nested field).
std::string graphql_of(const Json& list) {
  Selection root;
  for (const auto& item : list) {
    if (!item.is_string()) continue;
    Selection* cur = &root;
    std::string path = item.get<std::string>();
    std::size_t start = 0;
    while (start <= path.size()) {
      std::size_t slash = path.find('/', start);
      std::string name = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      if (!name.empty()) cur = &cur->child(name);
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
  }
  std::string out = "{\n";
  render(root, "  ", out);
  return out + "}";
}

void fix_identity(Json& identity, Rng& rng, GenContext& ctx) {
  if (!identity.is_object() || identity.contains("accountId")) return;
  std::string sub = str(identity, "sub");
  if (sub.empty()) return;
  bool cognito = identity.contains("username");
  if (cognito && identity.contains("issuer"))
    identity["issuer"] = "https://cognito-idp." + ctx.region + ".amazonaws.com/" + ctx.region + "_" +
                         rng.chars(9, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
  Json* claims = find_at(identity, "/claims");
  if (!claims || !claims->is_object()) return;
  (*claims)["sub"] = sub;
  if (identity.contains("issuer")) (*claims)["iss"] = identity["issuer"];
  if (cognito && claims->contains("cognito:username")) (*claims)["cognito:username"] = identity["username"];
  int64_t iat = ctx.now_ms / 1000 - rng.range(0, 3000);
  if (claims->contains("iat")) (*claims)["iat"] = iat;
  if (claims->contains("exp")) (*claims)["exp"] = iat + 3600;
  if (claims->contains("auth_time")) (*claims)["auth_time"] = iat - rng.range(0, 86400);
}

// A realistic header set for the request, agreeing with the identity and region.
Json headers_for(const Json& event, Rng& rng, GenContext& ctx) {
  const Json* identity = find_at(event, "/identity");
  const Json* ip = identity ? find_at(*identity, "/sourceIp/0") : nullptr;
  std::string client = ip && ip->is_string() ? ip->get<std::string>() : random_ip(rng);
  std::string domain = find_at(event, "/request/domainName") && find_at(event, "/request/domainName")->is_string()
                           ? find_at(event, "/request/domainName")->get<std::string>()
                           : rng.chars(26, kLowerAlnum) + ".appsync-api." + ctx.region + ".amazonaws.com";
  Json h = Json::object();
  h["host"] = domain;
  h["content-type"] = "application/json";
  h["accept"] = "application/json, text/plain, */*";
  h["user-agent"] = rng.chance(0.5) ? "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36"
                                    : "aws-amplify/6.0.9 api/1 framework/1";
  h["x-forwarded-for"] = client + ", " + random_ip(rng);
  h["x-forwarded-proto"] = "https";
  h["x-forwarded-port"] = "443";
  h["x-amzn-trace-id"] = "Root=1-" + rng.chars(8, "0123456789abcdef") + "-" + rng.chars(24, "0123456789abcdef");
  h["content-length"] = std::to_string(rng.range(60, 2000));
  if (!identity || identity->is_null()) {
    h["x-api-key"] = "da2-" + rng.chars(26, kLowerAlnum);
  } else if (identity->contains("accountId")) {
    h["authorization"] =
        "AWS4-HMAC-SHA256 Credential=ASIA" + rng.chars(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") + "/" +
        iso8601(ctx.now_ms, false).substr(0, 10) + "/" + ctx.region +
        "/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + rng.chars(64, "0123456789abcdef");
  } else {
    h["authorization"] = "eyJraWQiOi" + rng.chars(60, kLowerAlnum) + "." + rng.chars(80, kLowerAlnum);
  }
  return h;
}

void fix_info(Json& info, Rng& rng) {
  if (!info.is_object()) return;
  Json list = Json::array();
  std::map<std::string, bool> taken;
  std::size_t n = static_cast<std::size_t>(rng.range(2, 5));
  for (std::size_t i = 0; i < n; ++i) {
    std::string f = kFields[rng.below(kFields.size())];
    std::size_t slash = f.find('/');
    if (slash != std::string::npos && !taken[f.substr(0, slash)]) {
      taken[f.substr(0, slash)] = true;
      list.push_back(f.substr(0, slash));
    }
    if (!taken[f]) {
      taken[f] = true;
      list.push_back(f);
    }
  }
  info["selectionSetList"] = list;
  info["selectionSetGraphQL"] = graphql_of(list);
}

void finalize_one(Json& event, Rng& rng, GenContext& ctx) {
  if (!event.is_object()) return;
  if (Json* identity = find_at(event, "/identity")) fix_identity(*identity, rng, ctx);
  if (Json* request = find_at(event, "/request"); request && request->is_object())
    (*request)["headers"] = headers_for(event, rng, ctx);
  if (Json* info = find_at(event, "/info")) fix_info(*info, rng);
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  if (event.is_object()) {
    finalize_one(event, rng, ctx);
    return;
  }
  if (!event.is_array() || event.empty() || !event[0].is_object()) return;
  // BatchInvoke: one field for many parents; only arguments and source differ between items.
  finalize_one(event[0], rng, ctx);
  for (std::size_t i = 0; i < event.size(); ++i) {
    if (!event[i].is_object()) continue;
    // Each item resolves the field for one parent object.
    if (event[i].contains("source") && event[i]["source"].is_null())
      event[i]["source"] = Json{{"id", "parent-" + std::to_string(i + 1)}};
    if (i == 0) continue;
    for (const char* key : {"identity", "request", "info", "prev"}) {
      if (event[0].contains(key)) {
        event[i][key] = event[0][key];
      } else {
        event[i].erase(key);
      }
    }
  }
}

bool has_word(const std::string& text, const std::string& word) {
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    bool left = at == 0 || !is_word(text[at - 1]);
    bool right = at + word.size() >= text.size() || !is_word(text[at + word.size()]);
    if (left && right) return true;
  }
  return false;
}

void check_one(const Json& event, const std::string& at, std::vector<Problem>& out) {
  if (!event.is_object()) return;
  const Json* identity = find_at(event, "/identity");
  const Json* claims = identity ? find_at(*identity, "/claims") : nullptr;
  if (identity && claims && claims->is_object()) {
    auto same = [&](const char* field, const char* claim) {
      std::string a = str(*identity, field), b = str(*claims, claim);
      if (!a.empty() && !b.empty() && a != b)
        report(out, at + "/identity/claims/" + pointer_token(claim), std::string("differs from identity.") + field);
    };
    same("sub", "sub");
    same("issuer", "iss");
    same("username", "cognito:username");
    const Json* iat = find_at(*claims, "/iat");
    const Json* exp = find_at(*claims, "/exp");
    if (iat && exp && iat->is_number() && exp->is_number() && exp->get<double>() < iat->get<double>())
      report(out, at + "/identity/claims/exp", "is before iat");
  }
  const Json* ip = identity ? find_at(*identity, "/sourceIp/0") : nullptr;
  const Json* xff = find_at(event, "/request/headers/x-forwarded-for");
  if (ip && ip->is_string() && xff && xff->is_string()) {
    std::string first = xff->get<std::string>().substr(0, xff->get<std::string>().find(','));
    if (first != ip->get<std::string>())
      report(out, at + "/request/headers/x-forwarded-for", "does not start with identity.sourceIp");
  }
  const Json* list = find_at(event, "/info/selectionSetList");
  const Json* gql = find_at(event, "/info/selectionSetGraphQL");
  if (list && list->is_array() && gql && gql->is_string()) {
    for (const auto& item : *list) {
      if (!item.is_string()) continue;
      std::string name = item.get<std::string>();
      name = name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
      if (!name.empty() && !has_word(gql->get<std::string>(), name)) {
        report(out, at + "/info/selectionSetGraphQL", "does not select '" + name + "' of selectionSetList");
        break;
      }
    }
  }
}

void check(const Json& event, std::vector<Problem>& out) {
  if (event.is_object()) {
    check_one(event, "", out);
    return;
  }
  if (!event.is_array()) return;
  for (std::size_t i = 0; i < event.size(); ++i) {
    std::string at = "/" + std::to_string(i);
    check_one(event[i], at, out);
    if (i == 0 || !event[0].is_object() || !event[i].is_object()) continue;
    for (const char* field : {"/info/fieldName", "/info/parentTypeName"}) {
      const Json* a = find_at(event[0], field);
      const Json* b = find_at(event[i], field);
      if (a && b && *a != *b) report(out, at + field, "differs from the batch's first item (one field per batch)");
    }
  }
}

}  // namespace

SourceHooks appsync_resolver_hooks() { return {finalize, check}; }

}  // namespace evh::sources
