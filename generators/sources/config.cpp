// config: invokingEvent built per messageType for the rule's account and region (item, oversized
// summary, schedule or snapshot), configRuleId echoed by configRuleArn, eventLeftScope on deletion.
#include <array>
#include <string>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";

const std::array<std::string_view, 4> kMessageTypes = {
    "ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification", "ScheduledNotification",
    "ConfigurationSnapshotDeliveryCompleted"};

// One recorded resource: what a configuration item says about it.
struct Resource {
  std::string type, id, name, arn, zone;
  Json configuration, supplementary = Json::object(), tags = Json::object();
  std::string changed_property;  // a property an UPDATE changes
  Json before, after;            // its previous and updated value
};

Resource draw_resource(Rng& rng, const GenContext& ctx) {
  Resource r;
  const std::string prefix = "arn:aws:ec2:" + ctx.region + ":" + ctx.account + ":";
  switch (rng.below(3)) {
    case 0: {
      static const std::array<const char*, 4> kTypes = {"t3.micro", "t3.medium", "m6i.large", "c7g.xlarge"};
      r.type = "AWS::EC2::Instance";
      r.id = "i-" + rng.chars(17, kHex);
      r.arn = prefix + "instance/" + r.id;
      r.zone = ctx.region + "a";
      std::size_t now = rng.below(kTypes.size());
      r.after = kTypes[now];
      r.before = kTypes[(now + 1 + rng.below(kTypes.size() - 1)) % kTypes.size()];
      r.changed_property = "Configuration.InstanceType";
      r.configuration = Json{
          {"instanceId", r.id},
          {"instanceType", r.after},
          {"imageId", "ami-" + rng.chars(17, kHex)},
          {"state", Json{{"code", 16}, {"name", "running"}}},
          {"subnetId", "subnet-" + rng.chars(17, kHex)},
          {"vpcId", "vpc-" + rng.chars(17, kHex)},
          {"privateIpAddress", "10.0." + std::to_string(rng.below(256)) + "." + std::to_string(rng.range(1, 254))}};
      r.tags = Json{{"Name", ctx.name + "-worker"}, {"team", "platform"}};
      break;
    }
    case 1: {
      r.type = "AWS::S3::Bucket";
      r.id = r.name = ctx.name + "-" + ctx.account + "-" + ctx.region;
      r.arn = "arn:aws:s3:::" + r.id;
      r.zone = "Regional";
      r.before = "Off";
      r.after = rng.chance(0.5) ? "Enabled" : "Suspended";
      r.changed_property = "SupplementaryConfiguration.BucketVersioningConfiguration.Status";
      r.configuration = Json{{"name", r.id}, {"owner", Json{{"displayName", nullptr}, {"id", rng.chars(64, kHex)}}}};
      r.supplementary =
          Json{{"BucketVersioningConfiguration", Json{{"status", r.after}, {"isMfaDeleteEnabled", nullptr}}}};
      break;
    }
    default: {
      r.type = "AWS::EC2::SecurityGroup";
      r.id = "sg-" + rng.chars(17, kHex);
      r.name = ctx.name + "-sg";
      r.arn = prefix + "security-group/" + r.id;
      r.zone = "Not Applicable";
      Json open =
          Json{{"ipProtocol", "tcp"}, {"fromPort", 22}, {"toPort", 22}, {"ipRanges", Json::array({"0.0.0.0/0"})}};
      r.before = Json::array();
      r.after = Json::array({open});
      r.changed_property = "Configuration.IpPermissions";
      r.configuration = Json{{"groupName", r.name},
                             {"groupId", r.id},
                             {"vpcId", "vpc-" + rng.chars(17, kHex)},
                             {"ipPermissions", r.after}};
      break;
    }
  }
  return r;
}

Json configuration_item(const Resource& r, const std::string& change, const GenContext& ctx, int64_t captured,
                        int64_t created) {
  std::string status = change == "CREATE" ? "ResourceDiscovered" : change == "DELETE" ? "ResourceDeleted" : "OK";
  Json item = Json::object();
  item["relatedEvents"] = Json::array();
  item["relationships"] = Json::array();
  item["configuration"] = change == "DELETE" ? Json(nullptr) : r.configuration;
  item["supplementaryConfiguration"] = change == "DELETE" ? Json::object() : r.supplementary;
  item["tags"] = r.tags;
  item["configurationItemVersion"] = "1.3";
  item["configurationItemCaptureTime"] = iso8601(captured, true);
  item["configurationStateId"] = captured;
  item["awsAccountId"] = ctx.account;
  item["configurationItemStatus"] = status;
  item["resourceType"] = r.type;
  item["resourceId"] = r.id;
  item["resourceName"] = r.name.empty() ? Json(nullptr) : Json(r.name);
  item["ARN"] = r.arn;
  item["awsRegion"] = ctx.region;
  item["availabilityZone"] = r.zone;
  item["configurationStateMd5Hash"] = "";
  item["resourceCreationTime"] = iso8601(created, true);
  return item;
}

Json diff(const Resource& r, const std::string& change) {
  Json props = Json::object();
  if (change == "UPDATE") {
    props[r.changed_property] = Json{{"previousValue", r.before}, {"updatedValue", r.after}, {"changeType", "UPDATE"}};
  } else if (change == "CREATE") {
    props["Configuration"] =
        Json{{"previousValue", nullptr}, {"updatedValue", r.configuration}, {"changeType", "CREATE"}};
  } else {
    props["Configuration"] =
        Json{{"previousValue", r.configuration}, {"updatedValue", nullptr}, {"changeType", "DELETE"}};
  }
  return Json{{"changedProperties", props}, {"changeType", change}};
}

// "2016-02-24T18:23:19.000Z" → "20160224T182319Z"; "2016/2/24" for the S3 prefix.
std::string compact_time(const std::string& iso) {
  std::string out;
  for (char c : iso.substr(0, 19))
    if (c != '-' && c != ':') out += c;
  return out + "Z";
}
std::string slash_date(const std::string& iso) {
  return iso.substr(0, 4) + "/" + std::to_string(std::stoi(iso.substr(5, 2))) + "/" +
         std::to_string(std::stoi(iso.substr(8, 2)));
}

// Config's result tokens are base64 of an encrypted blob described in JSON.
std::string result_token(Rng& rng) {
  Json data = Json::array(), iv = Json::array();
  for (int64_t i = 0, n = rng.range(200, 600); i < n; ++i) data.push_back(rng.range(-128, 127));
  for (int i = 0; i < 16; ++i) iv.push_back(rng.range(-128, 127));
  return codec::base64_encode(
      dump(Json{{"encryptedData", data}, {"materialSetSerialNumber", 1}, {"ivParameterSpec", Json{{"iv", iv}}}}));
}

std::string rule_parameters(const std::string& type) {
  if (type == "AWS::EC2::Instance") return R"({"desiredInstanceType":"t3.micro"})";
  if (type == "AWS::S3::Bucket") return R"({"versioningRequired":"true"})";
  return R"({"blockedPort1":"22","blockedPort2":"3389"})";
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  if (!event.is_object()) return;
  std::string rule_arn = str(event, "configRuleArn");
  auto slash = rule_arn.rfind('/');
  if (slash != std::string::npos) event["configRuleId"] = rule_arn.substr(slash + 1);
  event["accountId"] = ctx.account;
  event["resultToken"] = result_token(rng);
  if (event.contains("evaluationMode")) event["evaluationMode"] = "DETECTIVE";

  double u = rng.unit();
  std::string_view type = u < 0.55   ? kMessageTypes[0]
                          : u < 0.65 ? kMessageTypes[1]
                          : u < 0.95 ? kMessageTypes[2]
                                     : kMessageTypes[3];
  int64_t captured = ctx.now_ms - rng.range(2000, 60000);
  std::string notified = iso8601(captured + rng.range(500, 1500), true);
  Resource r = draw_resource(rng, ctx);
  Json inv = Json::object();
  bool left_scope = false;
  if (type == kMessageTypes[0] || type == kMessageTypes[1]) {
    double c = rng.unit();
    std::string change = c < 0.7 ? "UPDATE" : c < 0.9 ? "CREATE" : "DELETE";
    left_scope = change == "DELETE";
    int64_t created =
        change == "CREATE" ? captured - rng.range(1000, 10000) : captured - rng.range(86400000, 31536000000);
    Json item = configuration_item(r, change, ctx, captured, created);
    if (type == kMessageTypes[0]) {
      inv["configurationItemDiff"] = diff(r, change);
      inv["configurationItem"] = item;
      inv["notificationCreationTime"] = notified;
      inv["messageType"] = type;
      inv["recordVersion"] = "1.3";
    } else {
      for (const char* k : {"relatedEvents", "relationships", "configuration", "supplementaryConfiguration", "tags"})
        item.erase(k);
      Json summary = Json{{"changeType", change}};
      for (auto& [k, v] : item.items()) summary[k] = v;
      inv["configurationItemSummary"] = summary;
      inv["messageType"] = type;
      inv["notificationCreationTime"] = notified;
      inv["recordVersion"] = "1.0";
    }
  } else if (type == kMessageTypes[2]) {
    inv = Json{{"awsAccountId", ctx.account},
               {"notificationCreationTime", notified},
               {"messageType", type},
               {"recordVersion", "1.0"}};
  } else {
    std::string id = uuid(rng), t = iso8601(captured, false);
    inv["configSnapshotId"] = id;
    inv["s3ObjectKey"] = "AWSLogs/" + ctx.account + "/Config/" + ctx.region + "/" + slash_date(t) + "/ConfigSnapshot/" +
                         ctx.account + "_Config_" + ctx.region + "_ConfigSnapshot_" + compact_time(t) + "_" + id +
                         ".json.gz";
    inv["s3Bucket"] = "config-bucket-" + ctx.account;
    inv["notificationCreationTime"] = notified;
    inv["messageType"] = type;
    inv["recordVersion"] = "1.1";
  }
  event["invokingEvent"] = dump(inv);
  event["eventLeftScope"] = left_scope;
  if (event.contains("ruleParameters")) event["ruleParameters"] = rule_parameters(r.type);
}

void check(const Json& event, std::vector<Problem>& out) {
  if (!event.is_object()) return;
  std::string rule_arn = str(event, "configRuleArn"), rule_id = str(event, "configRuleId"),
              account = str(event, "accountId");
  if (!rule_arn.empty() && !rule_id.empty() && rule_arn.size() > rule_id.size() &&
      rule_arn.compare(rule_arn.size() - rule_id.size() - 1, std::string::npos, "/" + rule_id) != 0)
    report(out, "/configRuleId", "is not the id at the end of configRuleArn");
  if (!account.empty() && !arn_field(rule_arn, 4).empty() && arn_field(rule_arn, 4) != account)
    report(out, "/accountId", "is not the account of configRuleArn");
  auto inv_it = event.find("invokingEvent");
  if (inv_it == event.end() || !inv_it->is_string()) return;
  Json inv = parse_untrusted(inv_it->get<std::string>());
  if (inv.is_discarded() || !inv.is_object()) {
    report(out, "/invokingEvent", "is not a JSON object");
    return;
  }
  std::string type = str(inv, "messageType");
  bool known = false;
  for (auto t : kMessageTypes) known = known || t == type;
  if (!known) report(out, "/invokingEvent", "messageType '" + type + "' is not one AWS Config sends");
  const Json* item = inv.contains("configurationItem")          ? &inv["configurationItem"]
                     : inv.contains("configurationItemSummary") ? &inv["configurationItemSummary"]
                                                                : &inv;
  if (!item->is_object()) return;
  std::string item_account = str(*item, "awsAccountId"), item_region = str(*item, "awsRegion");
  if (!account.empty() && !item_account.empty() && item_account != account)
    report(out, "/invokingEvent", "awsAccountId " + item_account + " is not the event's accountId");
  std::string rule_region = arn_field(rule_arn, 3);
  if (!rule_region.empty() && !item_region.empty() && item_region != "global" && item_region != rule_region)
    report(out, "/invokingEvent", "resource region " + item_region + " is not the rule's region " + rule_region);
}

}  // namespace

SourceHooks config_hooks() { return {finalize, check}; }

}  // namespace evh::sources
