// alb: lower-case headers agree with the load balancer region and the body; isBase64Encoded fits the body.
#include "generators/sources/apigw_common.h"
#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

// The region field of an ARN (arn:partition:service:region:...), or "".
std::string arn_region(const std::string& arn) {
  std::size_t a = 0;
  for (int i = 0; i < 3; ++i) {
    a = arn.find(':', a);
    if (a == std::string::npos) return {};
    ++a;
  }
  std::size_t b = arn.find(':', a);
  return b == std::string::npos ? std::string() : arn.substr(a, b - a);
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  if (!event.is_object()) return;
  std::string region = arn_region(str_at(event, "/requestContext/elb/targetGroupArn"));
  if (region.empty()) region = ctx.region;
  // SEMANTICS.md §6.3: a request without a body arrives with body "".
  if (bodiless_method(str(event, "httpMethod")) && event.contains("body")) event["body"] = "";
  settle_base64(event, 0.1, rng);
  bool multi = event.contains("multiValueHeaders");
  // Members exist before references are taken (ordered_json moves members on insert).
  if (!multi && (!event.contains("headers") || !event["headers"].is_object())) event["headers"] = Json::object();
  RequestFacts f;
  f.host = ctx.name + "-alb-" + std::to_string(rng.range(100000000, 2099999999)) + "." + region + ".elb.amazonaws.com";
  f.user_agent = rng.pick(std::vector<std::string>{"curl/7.79.1", "python-requests/2.31.0",
                                                   "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                                                   "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"});
  f.source_ip = std::to_string(rng.range(1, 223)) + "." + std::to_string(rng.below(256)) + "." +
                std::to_string(rng.below(256)) + "." + std::to_string(rng.range(1, 254));
  f.trace_id = trace_header(ctx.now_ms, rng);
  bool tls = rng.chance(0.5);
  f.proto = tls ? "https" : "http";
  f.port = tls ? "443" : "80";
  f.body = find_at(event, "/body");
  const Json* flag = find_at(event, "/isBase64Encoded");
  f.base64 = flag && flag->is_boolean() && flag->get<bool>();
  f.lower = true;
  f.content_length = true;
  if (multi) {
    // lambda.multi_value_headers.enabled: the same set, every value in a list.
    Json single = Json::object();
    if (event["multiValueHeaders"].is_object())
      for (const auto& [k, v] : event["multiValueHeaders"].items())
        single[k] = v.is_array() && !v.empty() && v.back().is_string() ? v.back() : Json("");
    fill_headers(single, f, rng);
    sync_multi_value(single, event["multiValueHeaders"], false, rng);
  } else {
    fill_headers(event["headers"], f, rng);
  }
}

void check(const Json& event, std::vector<Problem>& out) {
  if (!event.is_object()) return;
  check_base64_body(event, out);
  check_content_length(event, out);
  std::string region = arn_region(str_at(event, "/requestContext/elb/targetGroupArn"));
  std::string at = "/headers/host", host = str_at(event, at);
  if (const Json* m = find_at(event, "/multiValueHeaders/host");
      m && m->is_array() && !m->empty() && m->back().is_string()) {
    at = "/multiValueHeaders/host";
    host = m->back().get<std::string>();
  }
  const std::string suffix = ".elb.amazonaws.com";
  bool elb_host = host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
  if (!region.empty() && elb_host && host.find("." + region + ".elb.") == std::string::npos)
    report(out, at, "names another region than the target group (" + region + ")");
}

}  // namespace

SourceHooks alb_hooks() { return {finalize, check}; }

}  // namespace evh::sources
