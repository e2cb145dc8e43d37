// mq-activemq: message IDs built from the broker of eventSourceArn and unique per message, broker
// times in order (timestamp <= brokerInTime <= brokerOutTime), persistent agreeing with deliveryMode.
#include <array>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

int64_t int_at(const Json& obj, const char* key, bool& ok) {
  auto it = obj.find(key);
  ok = it != obj.end() && it->is_number_integer();
  return ok ? it->get<int64_t>() : 0;
}

// A value that fits the property's name (the schema draws names and values independently).
std::string property_value(const std::string& name, Rng& rng) {
  static const std::array<const char*, 3> kTenants = {"acme", "globex", "initech"};
  static const std::array<const char*, 3> kTypes = {"OrderCreated", "OrderPaid", "OrderShipped"};
  if (name == "tenant") return kTenants[rng.below(kTenants.size())];
  if (name == "eventType") return kTypes[rng.below(kTypes.size())];
  if (name == "source") return "checkout";
  if (name == "testKey") return "testValue";
  return rng.chars(8, "abcdefghijklmnopqrstuvwxyz");
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  Json* messages = array_at(event, "/messages");
  if (!messages) return;
  std::string arn = str(event, "eventSourceArn");
  std::string broker = arn_field(arn, 7), region = arn_field(arn, 3);
  if (broker.empty()) broker = "b-" + uuid(rng);
  if (region.empty()) region = ctx.region;
  // OpenWire ids: ID:<broker>-<instance>.mq.<region>.amazonaws.com-<port>-<start
  // ms>-<n>:<conn>:<session>:<producer>:<seq>
  std::string producer = "ID:" + broker + "-" + std::to_string(rng.range(1, 2)) + ".mq." + region + ".amazonaws.com-" +
                         std::to_string(rng.range(30000, 60999)) + "-" +
                         std::to_string(ctx.now_ms - rng.range(3600000, 2592000000)) +
                         "-4:" + std::to_string(rng.range(1, 40)) + ":1:1:";
  int64_t seq = rng.range(1, 100000);
  int64_t sent = ctx.now_ms - rng.range(1000, 120000);
  for (auto& m : *messages) {
    if (!m.is_object()) continue;
    m["messageID"] = producer + std::to_string(seq++);
    m["timestamp"] = sent;
    int64_t in = sent + rng.range(0, 5);
    m["brokerInTime"] = in;
    m["brokerOutTime"] = in + rng.range(1, 3000);
    sent += rng.range(0, 40);
    if (m.contains("expiration")) m["expiration"] = rng.chance(0.5) ? 0 : sent + rng.range(60000, 86400000);
    if (m.contains("correlationID")) m["correlationID"] = rng.chance(0.5) ? std::string() : uuid(rng);
    if (m.contains("properties") && m["properties"].is_object())
      for (auto& [name, value] : m["properties"].items()) value = property_value(name, rng);
    auto mode = m.find("deliveryMode");
    if (m.contains("persistent") && mode != m.end() && mode->is_number_integer())
      m["persistent"] = mode->get<int64_t>() == 2;
  }
}

void check(const Json& event, std::vector<Problem>& out) {
  const Json* messages = array_at(event, "/messages");
  if (!messages) return;
  std::string broker = arn_field(str(event, "eventSourceArn"), 7);
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const Json& m = (*messages)[i];
    if (!m.is_object()) continue;
    std::string at = "/messages/" + std::to_string(i);
    std::string id = str(m, "messageID");
    if (!broker.empty() && id.find(".mq.") != std::string::npos && id.rfind("ID:" + broker + "-", 0) != 0)
      report(out, at + "/messageID", "names another broker than eventSourceArn");
    bool has_ts = false, has_in = false, has_out = false;
    int64_t ts = int_at(m, "timestamp", has_ts), in = int_at(m, "brokerInTime", has_in),
            outt = int_at(m, "brokerOutTime", has_out);
    if (has_ts && has_in && in < ts) report(out, at + "/brokerInTime", "is before the message timestamp");
    if (has_in && has_out && outt < in) report(out, at + "/brokerOutTime", "is before brokerInTime");
    bool has_mode = false;
    int64_t mode = int_at(m, "deliveryMode", has_mode);
    auto persistent = m.find("persistent");
    if (has_mode && persistent != m.end() && persistent->is_boolean() && persistent->get<bool>() != (mode == 2))
      report(out, at + "/persistent", "disagrees with deliveryMode (2 = persistent)");
  }
}

}  // namespace

SourceHooks mq_activemq_hooks() { return {finalize, check}; }

}  // namespace evh::sources
