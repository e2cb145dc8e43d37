// cognito-user-pool: userPoolId in the event's region, alias attributes equal to the attribute they alias,
// trigger-specific request fields (no password on forgot-password migration, usernameParameter only for
// admin-created users, a plausible auth-challenge session, M2M token events at version 3) (SEMANTICS.md §6.7).
#include <regex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }
bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void fix_attributes(Json& attrs, const std::string& trigger) {
  if (!attrs.is_object()) return;
  // A user signing up does not exist yet: no sub, no status.
  if (starts_with(trigger, "PreSignUp_")) {
    attrs.erase("sub");
    attrs.erase("cognito:user_status");
  }
  for (const auto& [attr, alias, verified] :
       {std::tuple{"email", "cognito:email_alias", "email_verified"},
        std::tuple{"phone_number", "cognito:phone_number_alias", "phone_number_verified"}}) {
    if (!attrs.contains(attr)) {
      attrs.erase(alias);
      attrs.erase(verified);
    } else if (attrs.contains(alias)) {
      attrs[alias] = attrs[attr];
    }
  }
}

// A custom-auth session as Cognito builds it: optionally SRP_A then PASSWORD_VERIFIER, then custom challenges;
// every step but the last succeeded.
void fix_session(Json& session, Rng& rng) {
  if (!session.is_array()) return;
  bool srp = rng.chance(0.5);
  for (std::size_t i = 0; i < session.size(); ++i) {
    Json& step = session[i];
    if (!step.is_object()) continue;
    std::string name = srp && i == 0 ? "SRP_A" : srp && i == 1 ? "PASSWORD_VERIFIER" : "CUSTOM_CHALLENGE";
    step["challengeName"] = name;
    step["challengeResult"] = i + 1 < session.size() || rng.chance(0.6);
    if (name == "CUSTOM_CHALLENGE") {
      step["challengeMetadata"] = rng.chance(0.5) ? "CAPTCHA_CHALLENGE" : "SECURITY_QUESTION";
    } else {
      step.erase("challengeMetadata");
    }
  }
}

void finalize(Json& event, Rng& rng, GenContext&) {
  if (!event.is_object()) return;
  std::string trigger = str(event, "triggerSource");
  Json* request = find_at(event, "/request");
  if (!request || !request->is_object()) return;
  if (Json* attrs = find_at(*request, "/userAttributes")) {
    fix_attributes(*attrs, trigger);
    // With PreventUserExistenceErrors, an unknown user still runs the custom-auth triggers, without attributes.
    const Json* missing = find_at(*request, "/userNotFound");
    if (missing && missing->is_boolean() && missing->get<bool>()) *attrs = Json::object();
  }
  if (ends_with(trigger, "_AdminCreateUser")) {
    // Admin-created users are not created through an app client.
    if (Json* caller = find_at(event, "/callerContext"); caller && caller->is_object())
      (*caller)["clientId"] = "CLIENT_ID_NOT_APPLICABLE";
  }
  if (trigger == "UserMigration_ForgotPassword") request->erase("password");
  if (starts_with(trigger, "CustomMessage_")) {
    (*request)["codeParameter"] = "{####}";
    (*request)["usernameParameter"] = trigger == "CustomMessage_AdminCreateUser" ? Json("{username}") : Json(nullptr);
  }
  if (starts_with(trigger, "Custom") && ends_with(trigger, "_AccountTakeOverNotification"))
    (*request)["code"] = nullptr;
  if (trigger == "DefineAuthChallenge_Authentication" || trigger == "CreateAuthChallenge_Authentication") {
    if (Json* session = find_at(*request, "/session")) fix_session(*session, rng);
  }
  if (trigger == "CreateAuthChallenge_Authentication") (*request)["challengeName"] = "CUSTOM_CHALLENGE";
  // Client-credentials (M2M) grants only reach V3_0 pre token generation triggers.
  if (trigger == "TokenGeneration_ClientCredentials") event["version"] = "3";
}

void check(const Json& event, std::vector<Problem>& out) {
  if (!event.is_object()) return;
  static const std::regex kRegion("[a-z]{2}(-[a-z]+)+-[0-9]+");
  std::string region = str(event, "region"), pool = str(event, "userPoolId");
  std::size_t underscore = pool.find('_');
  if (underscore != std::string::npos && std::regex_match(region, kRegion) &&
      std::regex_match(pool.substr(0, underscore), kRegion) && pool.substr(0, underscore) != region)
    report(out, "/userPoolId", "belongs to another region than the event's region");
  std::string trigger = str(event, "triggerSource");
  const Json* attrs = find_at(event, "/request/userAttributes");
  if (attrs && attrs->is_object()) {
    for (const auto& [attr, alias] :
         {std::pair{"email", "cognito:email_alias"}, std::pair{"phone_number", "cognito:phone_number_alias"}}) {
      std::string a = str(*attrs, attr), b = str(*attrs, alias);
      if (!b.empty() && a != b)
        report(out, std::string("/request/userAttributes/") + pointer_token(alias),
               std::string("differs from ") + attr);
    }
  }
  if (trigger == "UserMigration_ForgotPassword" && find_at(event, "/request/password"))
    report(out, "/request/password", "the forgot-password flow sends no password");
  if (trigger == "TokenGeneration_ClientCredentials" && str(event, "version") != "3")
    report(out, "/version", "client-credentials token events are V3_0 (version \"3\")");
}

}  // namespace

SourceHooks cognito_user_pool_hooks() { return {finalize, check}; }

}  // namespace evh::sources
