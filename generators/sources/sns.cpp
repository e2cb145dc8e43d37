// Amazon SNS: subscription ARN under the topic ARN, unsubscribe URL naming that subscription, URLs in the
// topic's region, and message attribute values that agree with their Type (SEMANTICS.md §6.12).
#include <vector>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == sep) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// The region of a full SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME), or "".
std::string topic_region(const std::string& arn) {
  auto parts = split(arn, ':');
  return parts.size() == 6 && parts[0] == "arn" ? parts[3] : std::string();
}

bool is_number(const std::string& s) {
  if (s.empty()) return false;
  Json j = parse_untrusted(s);
  return !j.is_discarded() && j.is_number();
}

void fix_attribute(Json& attr, Rng& rng) {
  std::string type = str(attr, "Type");
  if (type.rfind("Number", 0) == 0) {
    attr["Value"] = std::to_string(rng.range(0, 100000));
  } else if (type.rfind("Binary", 0) == 0) {
    attr["Value"] = codec::base64_encode(rng.chars(12, "abcdefghijklmnopqrstuvwxyz0123456789"));
  } else if (type.rfind("String.Array", 0) == 0) {
    attr["Value"] = dump(Json::array({"red", "green", rng.range(1, 9)}));
  }
}

void finalize(Json& event, Rng& rng, GenContext&) {
  Json* records = array_at(event, "/Records");
  if (!records) return;
  for (auto& r : *records) {
    if (!r.is_object() || !r["Sns"].is_object()) continue;
    Json& sns = r["Sns"];
    std::string sub = str(sns, "TopicArn") + ":" + uuid(rng);
    r["EventSubscriptionArn"] = sub;
    std::string region = topic_region(str(sns, "TopicArn"));
    sns["UnsubscribeUrl"] = "https://sns." + region + ".amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + sub;
    if (sns["MessageAttributes"].is_object())
      for (auto& [_, a] : sns["MessageAttributes"].items()) fix_attribute(a, rng);
  }
}

void check(const Json& event, std::vector<Problem>& out) {
  const Json* records = array_at(event, "/Records");
  if (!records) return;
  for (std::size_t i = 0; i < records->size(); ++i) {
    const Json& r = (*records)[i];
    std::string at = "/Records/" + std::to_string(i);
    if (!r.is_object()) continue;
    auto sit = r.find("Sns");
    if (sit == r.end() || !sit->is_object()) continue;
    const Json& sns = *sit;
    std::string topic = str(sns, "TopicArn"), sub = str(r, "EventSubscriptionArn");
    std::string region = topic_region(topic);
    if (!region.empty() && !sub.empty() && sub.rfind(topic + ":", 0) != 0)
      report(out, at + "/EventSubscriptionArn", "is not a subscription of TopicArn");
    std::string unsub = str(sns, "UnsubscribeUrl");
    auto p = unsub.find("SubscriptionArn=");
    if (p != std::string::npos && !sub.empty() && unsub.substr(p + 16) != sub)
      report(out, at + "/Sns/UnsubscribeUrl", "names another subscription than EventSubscriptionArn");
    for (const char* key : {"UnsubscribeUrl", "SigningCertUrl"}) {
      std::string url = str(sns, key);
      if (!region.empty() && url.rfind("https://sns.", 0) == 0 && url.find("https://sns." + region + ".") != 0)
        report(out, at + "/Sns/" + key, "names another region than TopicArn");
    }
    auto attrs = sns.find("MessageAttributes");
    if (attrs == sns.end() || !attrs->is_object()) continue;
    for (const auto& [name, a] : attrs->items()) {
      std::string type = str(a, "Type"), value = str(a, "Value");
      std::string ap = at + "/Sns/MessageAttributes/" + pointer_token(name) + "/Value";
      if (type.rfind("Number", 0) == 0 && !is_number(value)) {
        report(out, ap, "is not a number although Type is " + type);
      } else if (type.rfind("Binary", 0) == 0 && !codec::base64_decode(value)) {
        report(out, ap, "is not base64 although Type is " + type);
      } else if (type.rfind("String.Array", 0) == 0) {
        Json j = parse_untrusted(value);
        if (j.is_discarded() || !j.is_array()) report(out, ap, "is not a JSON array although Type is String.Array");
      }
    }
  }
}

}  // namespace

SourceHooks sns_hooks() { return {finalize, check}; }

}  // namespace evh::sources
