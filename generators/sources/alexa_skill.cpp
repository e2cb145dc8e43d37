// alexa-skill: session and context.System name the same skill and user, a new session has no attributes yet, each
// slot is keyed by its own name, SessionEndedRequest carries error exactly when reason is ERROR, and apiAccessToken
// is a JWT issued for this skill, device and user (SEMANTICS.md §6.9).
#include <optional>
#include <string>
#include <vector>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

std::string base64url(std::string_view bytes) {
  std::string s = codec::base64_encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (auto& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return s;
}

std::optional<std::string> base64url_decode(std::string s) {
  for (auto& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s += '=';
  return codec::base64_decode(s);
}

// The claims of a JWT's payload, or null when the token is not a JWT.
Json jwt_claims(const std::string& token) {
  std::size_t a = token.find('.');
  std::size_t b = a == std::string::npos ? a : token.find('.', a + 1);
  if (b == std::string::npos) return nullptr;
  auto payload = base64url_decode(token.substr(a + 1, b - a - 1));
  if (!payload) return nullptr;
  Json claims = parse_untrusted(*payload);
  return claims.is_discarded() ? Json(nullptr) : claims;
}

// An apiAccessToken shaped like Alexa's: RS256 header, claims naming the skill, device and user, a signature.
std::string access_token(const Json& system, Rng& rng, GenContext& ctx) {
  int64_t iat = ctx.now_ms / 1000;
  Json claims = Json::object();
  claims["aud"] = str(system, "apiEndpoint").empty() ? "https://api.amazonalexa.com" : str(system, "apiEndpoint");
  claims["iss"] = "AlexaSkillKit";
  const Json* app = find_at(system, "/application/applicationId");
  claims["sub"] = app && app->is_string() ? *app : Json("");
  claims["exp"] = iat + 3600;
  claims["iat"] = iat;
  claims["nbf"] = iat;
  Json priv = Json::object();
  priv["consentToken"] = nullptr;
  const Json* device = find_at(system, "/device/deviceId");
  priv["deviceId"] = device && device->is_string() ? *device : Json(nullptr);
  const Json* user = find_at(system, "/user/userId");
  priv["userId"] = user && user->is_string() ? *user : Json("");
  claims["privateClaims"] = priv;
  return base64url(R"({"typ":"JWT","alg":"RS256","kid":"1"})") + "." + base64url(dump(claims)) + "." +
         base64url(rng.chars(256, "abcdefghijklmnopqrstuvwxyz0123456789"));
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  if (!event.is_object()) return;
  Json* system = find_at(event, "/context/System");
  if (!system || !system->is_object()) return;
  if (Json* session = find_at(event, "/session"); session && session->is_object()) {
    if (system->contains("application")) (*session)["application"] = (*system)["application"];
    if (system->contains("user")) (*session)["user"] = (*system)["user"];
    // The attributes map is empty when a new session starts.
    const Json* fresh = find_at(*session, "/new");
    if (fresh && fresh->is_boolean() && fresh->get<bool>() && session->contains("attributes"))
      (*session)["attributes"] = Json::object();
  }
  if (Json* slots = find_at(event, "/request/intent/slots"); slots && slots->is_object()) {
    for (auto& [key, slot] : slots->items())
      if (slot.is_object()) slot["name"] = key;
  }
  Json* request = find_at(event, "/request");
  if (request && str(*request, "type") == "SessionEndedRequest") {
    if (str(*request, "reason") != "ERROR") {
      request->erase("error");
    } else if (!request->contains("error")) {
      (*request)["error"] = Json{{"type", "INVALID_RESPONSE"}, {"message", "Skill response was invalid."}};
    }
  }
  if (system->contains("apiAccessToken")) (*system)["apiAccessToken"] = access_token(*system, rng, ctx);
}

void check(const Json& event, std::vector<Problem>& out) {
  if (!event.is_object()) return;
  const Json* system = find_at(event, "/context/System");
  if (!system || !system->is_object()) return;
  const Json* session = find_at(event, "/session");
  const Json* app = find_at(*system, "/application/applicationId");
  const Json* user = find_at(*system, "/user/userId");
  if (session && session->is_object()) {
    const Json* sapp = find_at(*session, "/application/applicationId");
    if (app && sapp && *app != *sapp)
      report(out, "/session/application/applicationId", "differs from context.System.application");
    const Json* suser = find_at(*session, "/user/userId");
    if (user && suser && *user != *suser) report(out, "/session/user/userId", "differs from context.System.user");
    const Json* fresh = find_at(*session, "/new");
    const Json* attrs = find_at(*session, "/attributes");
    if (fresh && fresh->is_boolean() && fresh->get<bool>() && attrs && attrs->is_object() && !attrs->empty())
      report(out, "/session/attributes", "a new session starts with no attributes");
  }
  if (const Json* slots = find_at(event, "/request/intent/slots"); slots && slots->is_object()) {
    for (const auto& [key, slot] : slots->items()) {
      std::string name = str(slot, "name");
      if (!name.empty() && name != key)
        report(out, "/request/intent/slots/" + pointer_token(key) + "/name", "differs from the slot's key");
    }
  }
  const Json* request = find_at(event, "/request");
  if (request && str(*request, "type") == "SessionEndedRequest") {
    bool error = request->contains("error");
    std::string reason = str(*request, "reason");
    if (error && !reason.empty() && reason != "ERROR") report(out, "/request/error", "present but reason is not ERROR");
  }
  Json claims = jwt_claims(str(*system, "apiAccessToken"));
  if (claims.is_object() && app && app->is_string()) {
    std::string sub = str(claims, "sub");
    if (!sub.empty() && sub != app->get<std::string>())
      report(out, "/context/System/apiAccessToken", "was issued for another skill (sub)");
  }
}

}  // namespace

SourceHooks alexa_skill_hooks() { return {finalize, check}; }

}  // namespace evh::sources
