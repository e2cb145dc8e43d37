// Kafka record regrouping and consistency checks (SEMANTICS.md §3.6, §4).
#include "generators/sources/kafka_common.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "generators/sources/source_util.h"

namespace evh::sources {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// Header values arrive as the Java client's signed bytes (-128..127), not as text.
Json signed_bytes(std::string_view s) {
  Json a = Json::array();
  for (char c : s) a.push_back(static_cast<int>(static_cast<signed char>(c)));
  return a;
}

std::string header_value(const std::string& name, Rng& rng) {
  static const std::array<const char*, 4> kEventTypes = {"OrderCreated", "OrderPaid", "OrderShipped", "OrderCancelled"};
  static const std::array<const char*, 4> kServices = {"checkout", "billing", "inventory", "fulfilment"};
  if (name == "traceparent") return "00-" + rng.chars(32, kHex) + "-" + rng.chars(16, kHex) + "-01";
  if (name == "content-type") return rng.chance(0.8) ? "application/json" : "application/avro";
  if (name == "correlation-id") return uuid(rng);
  if (name == "event-type") return kEventTypes[rng.below(kEventTypes.size())];
  if (name == "source-service") return kServices[rng.below(kServices.size())];
  if (name == "headerKey") return "headerValue";
  return rng.chars(static_cast<std::size_t>(rng.range(4, 16)), kAlnum);
}

// The event lists each header as its own one-key object, in record order.
void fix_headers(Json& record, Rng& rng) {
  Json& headers = record["headers"];
  Json out = Json::array();
  if (headers.is_array()) {
    for (auto& h : headers) {
      if (!h.is_object() || h.empty()) continue;
      for (auto& [name, _] : h.items()) out.push_back(Json{{name, signed_bytes(header_value(name, rng))}});
    }
  }
  headers = std::move(out);
}

// FNV-1a: a stable stand-in for the producer's murmur2 partitioner (one key, one partition).
uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// Only when the generator produced no group at all: an ESM never invokes with zero records.
Json fallback_record(const std::string& topic, Rng& rng) {
  Json r = Json::object();
  r["topic"] = topic;
  r["partition"] = 0;
  r["offset"] = 0;
  r["timestamp"] = 0;
  r["timestampType"] = "CREATE_TIME";
  r["value"] = codec::base64_encode(dump(Json{{"id", uuid(rng)}}));
  r["headers"] = Json::array();
  return r;
}

}  // namespace

void kafka_finalize(Json& event, Rng& rng, GenContext& ctx) {
  Json* groups = find_at(event, "/records");
  if (!groups || !groups->is_object()) return;
  // The generator gives every group the batch size; keep one group's worth so the batch size holds.
  std::vector<Json> records;
  std::size_t want = 0;
  for (auto& [_, group] : groups->items()) {
    if (!group.is_array()) continue;
    if (want == 0) want = group.size();
    for (auto& r : group)
      if (r.is_object()) records.push_back(std::move(r));
  }
  std::string topic = records.empty() ? ctx.name : str(records.front(), "topic");
  if (topic.empty()) topic = ctx.name;
  if (records.empty()) {
    records.push_back(fallback_record(topic, rng));
    want = 1;
  }
  records.resize(std::min(std::max<std::size_t>(want, 1), records.size()));

  // One topic per mapping; a key always lands on the same partition; keyless records spread.
  const int64_t partitions = rng.range(1, 12);
  std::vector<std::string> keys;
  const int64_t key_pool = rng.range(1, 8);
  for (int64_t i = 0; i < key_pool; ++i)
    keys.push_back(rng.chance(0.5) ? uuid(rng) : "customer-" + rng.chars(6, "0123456789"));
  std::vector<std::pair<int64_t, std::size_t>> order;  // (partition, original index)
  for (std::size_t i = 0; i < records.size(); ++i) {
    Json& r = records[i];
    r["topic"] = topic;
    int64_t partition = rng.range(0, partitions - 1);
    if (r.contains("key")) {
      const std::string& k = keys[rng.below(keys.size())];
      r["key"] = codec::base64_encode(k);
      partition = static_cast<int64_t>(fnv1a(k) % static_cast<uint64_t>(partitions));
    } else {
      r.erase("keySchemaMetadata");
    }
    r["partition"] = partition;
    fix_headers(r, rng);
    order.emplace_back(partition, i);
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  // Offsets and timestamps increase within a partition; disjoint offset ranges per partition
  // keep /offset unique across the batch. One timestamp type per topic (topic config).
  const std::string ts_type = rng.chance(0.8) ? "CREATE_TIME" : "LOG_APPEND_TIME";
  Json regrouped = Json::object();
  int64_t current = -1, offset = 0, ts = 0;
  for (const auto& [partition, index] : order) {
    Json& r = records[index];
    if (partition != current) {
      current = partition;
      offset = partition * 1000000 + rng.range(0, 900000);
      ts = ctx.now_ms - rng.range(500, 300000);
    } else {
      offset += rng.chance(0.05) ? 2 : 1;  // a gap: a transaction marker or a compacted record
      ts += rng.range(0, 250);
    }
    r["offset"] = offset;
    r["timestamp"] = ts;
    r["timestampType"] = ts_type;
    regrouped[topic + "-" + std::to_string(partition)].push_back(std::move(r));
  }
  *groups = std::move(regrouped);
}

void kafka_check(const Json& event, std::vector<Problem>& out) {
  const Json* groups = find_at(event, "/records");
  if (!groups || !groups->is_object()) return;
  for (const auto& [key, group] : groups->items()) {
    if (!group.is_array()) continue;
    std::string at = "/records/" + pointer_token(key);
    bool have_prev = false;
    int64_t prev = 0;
    for (std::size_t i = 0; i < group.size(); ++i) {
      const Json& r = group[i];
      if (!r.is_object()) continue;
      std::string rp = at + "/" + std::to_string(i);
      auto partition = r.find("partition");
      std::string topic = str(r, "topic");
      if (!topic.empty() && partition != r.end() && partition->is_number_integer() &&
          key != topic + "-" + std::to_string(partition->get<int64_t>()))
        report(out, rp, "group key '" + key + "' does not name the record's topic and partition");
      auto offset = r.find("offset");
      if (offset == r.end() || !offset->is_number_integer()) continue;
      int64_t o = offset->get<int64_t>();
      if (have_prev && o <= prev) report(out, rp + "/offset", "offset does not increase within the partition");
      prev = o;
      have_prev = true;
    }
  }
}

}  // namespace evh::sources
