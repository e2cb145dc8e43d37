// cloudformation-custom-resource: ServiceToken copied into ResourceProperties, StackId and ServiceToken in one
// region and account, a ResponseURL presigned for that stack/resource/request, property values as strings,
// OldResourceProperties on Update only and no PhysicalResourceId on Create (SEMANTICS.md §6.4).
#include <string>
#include <vector>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

// The colon-separated fields of an ARN ("arn", partition, service, region, account, resource...).
std::vector<std::string> arn_fields(const std::string& arn) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (out.size() < 5) {
    std::size_t colon = arn.find(':', start);
    if (colon == std::string::npos) break;
    out.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  out.push_back(arn.substr(start));
  return out;
}

// "us-east-1" → "useast1", as the response bucket names the region.
std::string compact_region(const std::string& region) {
  std::string out;
  for (char c : region)
    if (c != '-') out += c;
  return out;
}

// CloudFormation passes every scalar property value as a string (numbers and booleans included).
void stringify_scalars(Json& v) {
  if (v.is_object() || v.is_array()) {
    for (auto& child : v) stringify_scalars(child);
  } else if (v.is_boolean()) {
    v = v.get<bool>() ? "true" : "false";
  } else if (v.is_number()) {
    v = dump(v);
  }
}

// The presigned SigV4 PUT URL CloudFormation hands out: bucket per region, key = StackId|LogicalId|RequestId.
std::string response_url(const Json& event, Rng& rng, GenContext& ctx) {
  std::string region = ctx.region;
  auto stack = arn_fields(str(event, "StackId"));
  if (stack.size() > 3 && !stack[3].empty()) region = stack[3];
  std::string key = str(event, "StackId") + "|" + str(event, "LogicalResourceId") + "|" + str(event, "RequestId");
  std::string encoded;
  for (char c : key) {
    if (c == ':') {
      encoded += "%3A";
    } else if (c == '|') {
      encoded += "%7C";
    } else {
      encoded += c;
    }
  }
  std::string stamp;  // 20260101T000000Z
  for (char c : iso8601(ctx.now_ms, false))
    if (c != '-' && c != ':') stamp += c;
  return "https://cloudformation-custom-resource-response-" + compact_region(region) + ".s3.amazonaws.com/" + encoded +
         "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=" + stamp + "&X-Amz-SignedHeaders=host&X-Amz-Expires=7199" +
         "&X-Amz-Credential=AKIA" + rng.chars(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") + "%2F" + stamp.substr(0, 8) +
         "%2F" + region + "%2Fs3%2Faws4_request&X-Amz-Signature=" + rng.chars(64, "0123456789abcdef");
}

// Old properties differ from the new ones in one value (an update that changes nothing is not sent).
Json old_properties(const Json& props) {
  Json old = props;
  for (auto& [k, v] : old.items()) {
    if (k == "ServiceToken" || k == "ServiceTimeout" || !v.is_string()) continue;
    v = v.get<std::string>() + "-previous";
    return old;
  }
  old["Revision"] = "1";
  return old;
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  if (!event.is_object()) return;
  std::string type = str(event, "RequestType");
  std::string token = str(event, "ServiceToken");
  if (token.empty()) token = expand_template("arn:aws:lambda:{region}:{account}:function:{function}", rng, ctx);
  Json& props = event["ResourceProperties"];
  if (!props.is_object()) props = Json{{"Value", props.is_string() ? props : Json(dump(props))}};
  Json ordered = Json{{"ServiceToken", token}};
  // ServiceTimeout (1-3600 s) appears when the template sets it; the payload fills the rest.
  if (rng.chance(0.2)) ordered["ServiceTimeout"] = std::to_string(rng.pick(std::vector<int>{60, 300, 900, 1800, 3600}));
  for (auto& [k, v] : props.items())
    if (k != "ServiceToken" && k != "ServiceTimeout") ordered[k] = v;
  stringify_scalars(ordered);
  props = std::move(ordered);
  if (type == "Create") {
    event.erase("PhysicalResourceId");
    event.erase("OldResourceProperties");
  } else if (type == "Delete") {
    event.erase("OldResourceProperties");
  } else if (type == "Update") {
    event["OldResourceProperties"] = old_properties(props);
  }
  event["ResponseURL"] = response_url(event, rng, ctx);
}

void check(const Json& event, std::vector<Problem>& out) {
  if (!event.is_object()) return;
  std::string type = str(event, "RequestType");
  if (type == "Create" && event.contains("PhysicalResourceId"))
    report(out, "/PhysicalResourceId", "a Create request has no PhysicalResourceId yet");
  if (type != "Update" && !type.empty() && event.contains("OldResourceProperties"))
    report(out, "/OldResourceProperties", "only Update requests carry OldResourceProperties");
  const Json* props = find_at(event, "/ResourceProperties");
  std::string token = str(event, "ServiceToken");
  std::string inner = props ? str(*props, "ServiceToken") : std::string();
  if (!token.empty() && !inner.empty() && token != inner)
    report(out, "/ResourceProperties/ServiceToken", "differs from the top-level ServiceToken");
  if (token.empty()) token = inner;
  auto stack = arn_fields(str(event, "StackId"));
  auto fn = arn_fields(token);
  if (stack.size() > 4 && fn.size() > 4) {
    if (stack[3] != fn[3]) report(out, "/StackId", "names another region than ServiceToken (it must be the stack's)");
    if (stack[4] != fn[4]) report(out, "/StackId", "names another account than ServiceToken");
  }
  std::string url = str(event, "ResponseURL");
  const std::string bucket = "https://cloudformation-custom-resource-response-";
  if (stack.size() > 3 && url.rfind(bucket, 0) == 0) {
    std::size_t dot = url.find('.', bucket.size());
    if (dot != std::string::npos && url.substr(bucket.size(), dot - bucket.size()) != compact_region(stack[3]))
      report(out, "/ResponseURL", "the response bucket is not the stack's region");
  }
}

}  // namespace

SourceHooks cloudformation_custom_resource_hooks() { return {finalize, check}; }

}  // namespace evh::sources
