// Amazon S3 Object Lambda: the Host header names the userRequest URL's host, the Object Lambda and supporting access
// point ARNs share region and account, userIdentity fields agree with its type, X-Amz-Date is the event's "now".
#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

// "https://host/path?query" → "host".
std::string url_host(const std::string& url) {
  auto start = url.find("://");
  if (start == std::string::npos) return {};
  start += 3;
  auto end = url.find_first_of("/?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// Makes arn, principalId and sessionContext agree with userIdentity.type (CloudTrail userIdentity conventions).
void fix_identity(Json& id, Rng& rng, GenContext& ctx) {
  static constexpr std::string_view kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string type = str(id, "type");
  id["accountId"] = ctx.account;
  if (type == "AssumedRole") {
    std::string role = ctx.name + "-role", session = ctx.function;
    std::string role_id = "AROA" + rng.chars(17, kUpper);
    id["principalId"] = role_id + ":" + session;
    id["arn"] = "arn:aws:sts::" + ctx.account + ":assumed-role/" + role + "/" + session;
    id["accessKeyId"] = "ASIA" + rng.chars(16, kUpper);
    Json& sc = id["sessionContext"];
    if (!sc.is_object()) sc = Json::object();
    sc["attributes"] = {{"mfaAuthenticated", "false"},
                        {"creationDate", iso8601(ctx.now_ms - rng.range(0, 3600000), false)}};
    sc["sessionIssuer"] = {{"type", "Role"},
                           {"principalId", role_id},
                           {"arn", "arn:aws:iam::" + ctx.account + ":role/" + role},
                           {"accountId", ctx.account},
                           {"userName", role}};
    return;
  }
  id.erase("sessionContext");
  if (type == "IAMUser") {
    id["arn"] = "arn:aws:iam::" + ctx.account + ":user/" + ctx.name + "-app";
  } else if (type == "Root") {
    id["arn"] = "arn:aws:iam::" + ctx.account + ":root";
    id["principalId"] = ctx.account;
  } else if (type == "FederatedUser") {
    id["arn"] = "arn:aws:sts::" + ctx.account + ":federated-user/" + ctx.name + "-user";
    id["principalId"] = ctx.account + ":" + ctx.name + "-user";
  } else {  // AWSAccount, AWSService: no IAM ARN or access key of their own
    id.erase("arn");
    id.erase("accessKeyId");
  }
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  if (Json* id = find_at(event, "/userIdentity"); id && id->is_object()) fix_identity(*id, rng, ctx);
  if (Json* headers = find_at(event, "/userRequest/headers"); headers && headers->is_object()) {
    (*headers)["Host"] = url_host(str(event["userRequest"], "url"));
    if (headers->contains("X-Amz-Date")) {
      std::string iso = iso8601(ctx.now_ms, false);  // 2026-01-01T00:00:00Z → 20260101T000000Z
      std::string amz;
      for (char c : iso)
        if (c != '-' && c != ':') amz += c;
      (*headers)["X-Amz-Date"] = amz;
    }
  }
}

void check(const Json& event, std::vector<Problem>& out) {
  const Json* url = find_at(event, "/userRequest/url");
  const Json* host = find_at(event, "/userRequest/headers/Host");
  if (url && url->is_string() && host && host->is_string() &&
      url_host(url->get<std::string>()) != host->get<std::string>())
    report(out, "/userRequest/headers/Host", "is not the host of userRequest.url");
  const Json* olap = find_at(event, "/configuration/accessPointArn");
  const Json* ap = find_at(event, "/configuration/supportingAccessPointArn");
  if (olap && olap->is_string() && ap && ap->is_string()) {
    std::string a = olap->get<std::string>(), b = ap->get<std::string>();
    if (arn_field(a, 3) != arn_field(b, 3))
      report(out, "/configuration/supportingAccessPointArn", "names another region than accessPointArn");
    if (arn_field(a, 4) != arn_field(b, 4))
      report(out, "/configuration/supportingAccessPointArn", "names another account than accessPointArn");
  }
}

}  // namespace

SourceHooks s3_object_lambda_hooks() { return {finalize, check}; }

}  // namespace evh::sources
