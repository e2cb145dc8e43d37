// Amazon EventBridge: source and detail-type drawn as a realistic pair, with resources ARNs of that service in the
// event's region and account. No check: the envelope has no derived field (resources may name other accounts).
#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

struct Pair {
  const char* source;
  const char* detail_type;
  const char* resource;  // template of one resource ARN ("" = none); {r} region, {a} account, {n} name
};

// Custom application events (the usual case for a user payload) and AWS service events (EventBridge UG samples).
constexpr Pair kPairs[] = {
    {"com.example.orders", "OrderCreated", ""},
    {"com.example.orders", "OrderShipped", ""},
    {"com.mycompany.billing", "InvoicePaid", ""},
    {"myapp.users", "UserSignedUp", ""},
    {"com.example.inventory", "StockLevelChanged", ""},
    {"aws.ec2", "EC2 Instance State-change Notification", "arn:aws:ec2:{r}:{a}:instance/i-{h}"},
    {"aws.s3", "Object Created", "arn:aws:s3:::{n}-bucket"},
    {"aws.codepipeline", "CodePipeline Pipeline Execution State Change", "arn:aws:codepipeline:{r}:{a}:{n}-pipeline"},
    {"aws.autoscaling", "EC2 Instance Launch Successful",
     "arn:aws:autoscaling:{r}:{a}:autoScalingGroup:{u}:autoScalingGroupName/{n}-asg"},
    {"aws.events", "Scheduled Event", "arn:aws:events:{r}:{a}:rule/{n}-schedule"},
};

std::string expand(std::string_view tmpl, Rng& rng, GenContext& ctx) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '{' && i + 2 < tmpl.size() && tmpl[i + 2] == '}') {
      switch (tmpl[i + 1]) {
        case 'r':
          out += ctx.region;
          break;
        case 'a':
          out += ctx.account;
          break;
        case 'n':
          out += ctx.name;
          break;
        case 'h':
          out += rng.chars(17, "0123456789abcdef");
          break;
        case 'u':
          out += uuid(rng);
          break;
        default:
          out += tmpl.substr(i, 3);
      }
      i += 2;
    } else {
      out += tmpl[i];
    }
  }
  return out;
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  if (!event.is_object()) return;
  // Custom sources two times out of three: a user payload rarely is an AWS service event.
  const std::size_t custom = 5, total = sizeof(kPairs) / sizeof(kPairs[0]);
  const Pair& p = kPairs[rng.chance(0.67) ? rng.below(custom) : custom + rng.below(total - custom)];
  event["source"] = p.source;
  event["detail-type"] = p.detail_type;
  Json resources = Json::array();
  if (*p.resource) resources.push_back(expand(p.resource, rng, ctx));
  event["resources"] = resources;
}

}  // namespace

SourceHooks eventbridge_hooks() { return {finalize, nullptr}; }

}  // namespace evh::sources
