#include "harness/workload.h"

#include <cmath>

#include "generators/codec.h"
#include "generators/payload.h"
#include "generators/rng.h"

namespace evh::harness::internal {
namespace {

// Without a workload block, the records of case i reach the queue together, i × 100 ms after
// the start (virtual).
constexpr int64_t kCaseSpacingMs = 100;
// docs/scenario.md: steady arrival defaults to 100 records/s, trickle to one every 2 s (slow
// enough for a batching window to close on a short batch).
constexpr double kSteadyRate = 100.0;
constexpr double kTrickleRate = 0.5;
constexpr uint64_t kWorkloadSalt = 0x776f726bULL;  // "work"

std::string key_name(uint64_t k) { return "key-" + std::to_string(k); }

// A DynamoDB attribute value of the same type carrying key k.
Json ddb_key_value(const Json& old, uint64_t k) {
  if (old.is_object() && old.contains("N")) return Json{{"N", std::to_string(k)}};
  if (old.is_object() && old.contains("B")) return Json{{"B", codec::base64_encode(key_name(k))}};
  return Json{{"S", key_name(k)}};
}

// Gives `record` ordering key k: the FIFO MessageGroupId, the Kinesis partition key, the
// DynamoDB item key (and the images that carry it), or the Kafka record key.
void set_key(const Source& source, Json& record, uint64_t k) {
  const std::string& ok = source.identity.ordering_key;
  Json* v = ok.empty() ? nullptr : find_at(record, ok);
  if (v != nullptr && v->is_string()) {
    *v = key_name(k);
    return;
  }
  if (v != nullptr && v->is_object() && !v->empty()) {
    // An item key map: its first attribute carries the key; images repeat it.
    const std::string attr = v->begin().key();
    Json value = ddb_key_value(v->begin().value(), k);
    *v = Json{{attr, value}};
    auto slash = ok.rfind('/');
    Json* parent = slash == std::string::npos || slash == 0 ? &record : find_at(record, ok.substr(0, slash));
    for (const char* image : {"NewImage", "OldImage"})
      if (parent != nullptr && parent->is_object() && parent->contains(image) && (*parent)[image].is_object())
        (*parent)[image][attr] = value;
    return;
  }
  // Kafka: order is per partition and the producer's partitioner reads the record key.
  if (record.is_object() && record.contains("key")) record["key"] = codec::base64_encode(key_name(k));
}

void set_poison(const Source& source, Json& record, const Json& payload) {
  Payload p{payload, payload.is_string()};
  set_record_payload(source, record, p);
  if (source.hooks.refresh == nullptr || source.identity.records.empty() || source.identity.grouped) return;
  // Derived values (SQS md5OfBody) follow the new payload.
  Json event{{source.identity.records.substr(1), Json::array({std::move(record)})}};
  source.hooks.refresh(event);
  record = std::move(event[source.identity.records.substr(1)][0]);
}

}  // namespace

uint64_t workload_records(const Json& workload) {
  auto it = workload.find("records");
  return it != workload.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

std::vector<Produced> produce(const Source& source, const std::vector<Case>& cases, const Json& workload, uint64_t seed,
                              int64_t start_ms) {
  std::vector<Produced> out;
  const bool shaped = workload.is_object() && !workload.empty();
  const uint64_t limit = workload_records(workload);
  const uint64_t keys = shaped ? workload.value("keys", uint64_t{0}) : 0;
  const std::string arrival = shaped ? workload.value("arrival", std::string("burst")) : "";
  const double rate = shaped ? workload.value("ratePerSecond", arrival == "trickle" ? kTrickleRate : kSteadyRate) : kSteadyRate;
  const double duplicates = shaped ? workload.value("duplicates", 0.0) : 0.0;
  const Json* poison = shaped && workload.contains("poison") ? &workload["poison"] : nullptr;
  const double poison_rate = poison ? poison->value("rate", 0.0) : 0.0;
  Rng rng(mix64(seed ^ kWorkloadSalt));

  uint64_t n = 0;  // records sent so far (not counting producer duplicates)
  auto when = [&](std::size_t case_index) -> int64_t {
    if (!shaped) return start_ms + static_cast<int64_t>(case_index) * kCaseSpacingMs;
    if (arrival == "burst") return start_ms;
    return start_ms + static_cast<int64_t>(std::llround(static_cast<double>(n) * 1000.0 / rate));
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    for (const auto& p : record_pointers(source, cases[i].event)) {
      if (limit != 0 && n >= limit) return out;
      const Json* rec = find_at(cases[i].event, p);
      if (rec == nullptr || !rec->is_object()) continue;
      Produced r;
      r.case_index = i;
      r.record = *rec;
      r.pointer = p;
      r.at_ms = when(i);
      if (keys > 0) set_key(source, r.record, rng.below(keys));
      if (poison != nullptr && poison_rate > 0 && rng.chance(poison_rate)) {
        set_poison(source, r.record, (*poison)["payload"]);
        r.poison = true;
      }
      ++n;
      const bool twice = duplicates > 0 && rng.chance(duplicates);
      out.push_back(r);
      if (twice) {
        r.duplicate = true;
        out.push_back(std::move(r));
      }
    }
  }
  return out;
}

}  // namespace evh::harness::internal
