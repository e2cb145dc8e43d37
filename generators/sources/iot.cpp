// AWS IoT: a custom authorizer request carries protocolData for exactly the listed protocols; a 1-Click event's
// placement lists the clicking device.
#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

void finalize_authorizer(Json& event, Rng& rng, GenContext& ctx) {
  // A connection is TLS plus MQTT or HTTP (IoT Core DG custom-auth-lambda); the sample lists all three.
  Json protocols = Json::array({"tls"});
  double pick = rng.unit();
  if (pick < 0.45)
    protocols.push_back("mqtt");
  else if (pick < 0.9)
    protocols.push_back("http");
  else
    protocols = Json::array({"tls", "http", "mqtt"});
  event["protocols"] = protocols;
  Json& data = event["protocolData"];
  if (!data.is_object()) data = Json::object();
  for (const char* p : {"tls", "http", "mqtt"}) {
    bool listed = false;
    for (const auto& q : protocols) listed = listed || q == p;
    if (!listed) {
      data.erase(p);
    } else if (!data.contains(p) || !data[p].is_object()) {
      if (std::string(p) == "tls")
        data[p] = {{"serverName", rng.chars(14, "abcdefghijklmnopqrstuvwxyz0123456789") + "-ats.iot." + ctx.region +
                                      ".amazonaws.com"}};
      if (std::string(p) == "http") data[p] = {{"headers", Json::object()}, {"queryString", ""}};
      if (std::string(p) == "mqtt")
        data[p] = {{"username", ctx.name + "-user"}, {"clientId", ctx.name + "-device-0001"}};
    }
  }
}

void finalize_one_click(Json& event) {
  const Json* id = find_at(event, "/deviceInfo/deviceId");
  Json* devices = find_at(event, "/placementInfo/devices");
  if (!id || !id->is_string() || !devices || !devices->is_object()) return;
  for (const auto& [_, v] : devices->items())
    if (v == *id) return;
  (*devices)[devices->empty() ? "myButton" : devices->begin().key()] = *id;
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  if (!event.is_object()) return;
  if (event.contains("connectionMetadata")) finalize_authorizer(event, rng, ctx);
  if (event.contains("placementInfo")) finalize_one_click(event);
}

void check(const Json& event, std::vector<Problem>& out) {
  if (!event.is_object()) return;
  const Json* protocols = find_at(event, "/protocols");
  const Json* data = find_at(event, "/protocolData");
  if (protocols && protocols->is_array() && data && data->is_object()) {
    for (const auto& [key, _] : data->items()) {
      bool listed = false;
      for (const auto& p : *protocols) listed = listed || (p.is_string() && p.get<std::string>() == key);
      if (!listed) report(out, "/protocolData/" + key, "carries data for a protocol not in protocols");
    }
  }
  const Json* id = find_at(event, "/deviceInfo/deviceId");
  const Json* devices = find_at(event, "/placementInfo/devices");
  if (id && id->is_string() && devices && devices->is_object()) {
    bool found = false;
    for (const auto& [_, v] : devices->items()) found = found || v == *id;
    if (!found) report(out, "/placementInfo/devices", "does not list deviceInfo.deviceId");
  }
}

}  // namespace

SourceHooks iot_hooks() { return {finalize, check}; }

}  // namespace evh::sources
