// mq-rabbitmq: every message under the one "<queue>::<vhost>" the mapping consumes, bodySize equal
// to the decoded data length, unique messageIds, Gson-style timestamps and byte-array headers.
#include <algorithm>
#include <array>
#include <ctime>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

// java.util.Date as Gson prints it with the CLDR locale data of current JDKs, in UTC.
std::string gson_date(int64_t epoch_ms) {
  static const std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %d, %04d, %d:%02d:%02d %s", kMonths[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900,
                hour12, tm.tm_min, tm.tm_sec, tm.tm_hour < 12 ? "AM" : "PM");
  return buf;
}

// An AMQP long-string header as the event carries it: {"bytes": [signed bytes]}.
Json header_bytes(std::string_view s) {
  Json bytes = Json::array();
  for (char c : s) bytes.push_back(static_cast<int>(static_cast<signed char>(c)));
  return Json{{"bytes", std::move(bytes)}};
}

void fix_headers(Json& headers, Rng& rng) {
  if (!headers.is_object()) return;
  for (auto& [name, value] : headers.items()) {
    if (name == "retry-count") {
      value = rng.range(0, 5);
    } else if (name == "x-correlation-id") {
      value = header_bytes(uuid(rng));
    } else {
      value =
          header_bytes(rng.chars(static_cast<std::size_t>(rng.range(3, 12)), "abcdefghijklmnopqrstuvwxyz0123456789"));
    }
  }
}

// Only when the generator produced no group at all: an ESM never invokes with zero messages.
Json fallback_message(Rng& rng) {
  Json bp = Json::object();
  bp["contentType"] = "application/json";
  for (const char* k : {"contentEncoding", "headers"}) bp[k] = nullptr;
  bp["deliveryMode"] = 2;
  for (const char* k : {"priority", "correlationId", "replyTo", "expiration", "messageId", "timestamp", "type",
                        "userId", "appId", "clusterId"})
    bp[k] = nullptr;
  bp["bodySize"] = 0;
  Json m = Json::object();
  m["basicProperties"] = std::move(bp);
  m["redelivered"] = false;
  m["data"] = codec::base64_encode(dump(Json{{"id", uuid(rng)}}));
  return m;
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  Json* groups = find_at(event, "/rmqMessagesByQueue");
  if (!groups || !groups->is_object()) return;
  // The generator gives every group the batch size; a mapping consumes one queue of one virtual
  // host, so keep one group's worth under one key.
  std::vector<Json> messages;
  std::size_t want = 0;
  std::string key;
  for (auto& [k, group] : groups->items()) {
    if (!group.is_array()) continue;
    if (want == 0) {
      want = group.size();
      key = k;
    }
    for (auto& m : group)
      if (m.is_object()) messages.push_back(std::move(m));
  }
  if (messages.empty()) {
    messages.push_back(fallback_message(rng));
    want = 1;
  }
  messages.resize(std::min(std::max<std::size_t>(want, 1), messages.size()));
  if (key.find("::") == std::string::npos || key.find("::") == 0) key = ctx.name + "::/";
  int64_t sent = ctx.now_ms - rng.range(1000, 120000);
  for (auto& m : messages) {
    Json& bp = m["basicProperties"];
    if (!bp.is_object()) continue;
    bp["messageId"] = uuid(rng);
    bp["bodySize"] = codec::base64_decode(str(m, "data")).value_or("").size();
    bp["timestamp"] = rng.chance(0.8) ? Json(gson_date(sent)) : Json(nullptr);
    if (bp["correlationId"].is_string()) bp["correlationId"] = uuid(rng);
    fix_headers(bp["headers"], rng);
    sent += rng.range(0, 40);
  }
  Json regrouped = Json::object();
  regrouped[key] = Json(std::move(messages));
  *groups = std::move(regrouped);
}

void check(const Json& event, std::vector<Problem>& out) {
  const Json* groups = find_at(event, "/rmqMessagesByQueue");
  if (!groups || !groups->is_object()) return;
  for (const auto& [key, group] : groups->items()) {
    if (!group.is_array()) continue;
    for (std::size_t i = 0; i < group.size(); ++i) {
      const Json& m = group[i];
      if (!m.is_object()) continue;
      auto bp = m.find("basicProperties");
      if (bp == m.end() || !bp->is_object()) continue;
      auto size = bp->find("bodySize");
      auto data = codec::base64_decode(str(m, "data"));
      if (size != bp->end() && size->is_number_integer() && data &&
          size->get<int64_t>() != static_cast<int64_t>(data->size()))
        report(out, "/rmqMessagesByQueue/" + pointer_token(key) + "/" + std::to_string(i) + "/basicProperties/bodySize",
               "is not the length of the decoded data");
    }
  }
}

}  // namespace

SourceHooks mq_rabbitmq_hooks() { return {finalize, check}; }

}  // namespace evh::sources
