#include "harness/workload.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "generators/codec.h"
#include "generators/payload.h"
#include "generators/event_generator.h"
#include "generators/rng.h"
#include "generators/text.h"

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
                              int64_t start_ms, const std::vector<InputTiming>* timing) {
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
  for (std::size_t i = 0; i < cases.size() && (limit == 0 || n < limit); ++i) {
    for (const auto& p : record_pointers(source, cases[i].event)) {
      if (limit != 0 && n >= limit) break;
      const Json* rec = find_at(cases[i].event, p);
      if (rec == nullptr || !rec->is_object()) continue;
      Produced r;
      r.case_index = i;
      r.record = *rec;
      r.pointer = p;
      r.at_ms = when(i);
      if (timing != nullptr && i < timing->size()) {
        r.at_ms = start_ms + (*timing)[i].at_ms;
        r.partition = (*timing)[i].partition;
      }
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
  // Send order is arrival order: --input lines may give their times in any order, and the
  // stream numbers records as they arrive (lines with one time keep their file order).
  std::stable_sort(out.begin(), out.end(), [](const Produced& a, const Produced& b) { return a.at_ms < b.at_ms; });
  return out;
}

}  // namespace evh::harness::internal

namespace evh::harness {
namespace {

// Where each --input key goes in a record, and what it must be (DESIGN.md The command line).
struct InputKey {
  const char* name;
  const char* pointer;  ///< inside the record; the key applies when the source's records have it
  const char* type;     ///< "string" | "object" | "array" | "integer" | "any"
  bool base64 = false;  ///< the record carries base64 of the given text (Kafka key)
};
const InputKey kInputKeys[] = {
    {"group", "/attributes/MessageGroupId", "string"},
    {"deduplicationId", "/attributes/MessageDeduplicationId", "string"},
    {"messageAttributes", "/messageAttributes", "object"},
    {"partitionKey", "/kinesis/partitionKey", "string"},
    {"eventName", "/eventName", "string"},
    {"keys", "/dynamodb/Keys", "object"},
    {"newImage", "/dynamodb/NewImage", "object"},
    {"oldImage", "/dynamodb/OldImage", "object"},
    {"topic", "/topic", "string"},
    {"partition", "/partition", "integer"},
    {"key", "/key", "string", true},
    {"headers", "/headers", "array"},
};

bool has_type(const Json& v, const std::string& type) {
  if (type == "string") return v.is_string();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "integer") return v.is_number_integer();
  return true;
}

}  // namespace

Result<WorkloadInput> read_workload_input(const Source& source, const std::string& path, const PayloadContract& payloads,
                                          uint64_t seed) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorCode::kIo, "--input " + path + ": cannot read the file");
  EventGenerator gen(source, payloads);
  if (source.batched()) gen.set_batch_size(1);
  WorkloadInput out;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    const std::string where = path + ":" + std::to_string(n);
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[line.find_first_not_of(" \t")] == '#') continue;
    Json action = parse_untrusted(line);
    if (action.is_discarded() || !action.is_object())
      return make_error(ErrorCode::kConfig, where + ": each line must be one JSON object (a producer action)");
    Case kase = gen.generate(derive_seed(seed, out.cases.size()));
    Json* rec = source.batched() ? find_at(kase.event, record_pointers(source, kase.event).front()) : &kase.event;
    InputTiming timing;
    for (const auto& [k, v] : action.items()) {
      if (k == "payload") {
        if (source.identity.payload.empty())
          return make_error(ErrorCode::kConfig, where + ": \"payload\": " + source.id + " records carry no user payload");
        set_record_payload(source, *rec, Payload{v, v.is_string()});
        continue;
      }
      if (k == "at") {
        if (!v.is_number_integer()) return make_error(ErrorCode::kConfig, where + ": \"at\" must be an integer (virtual ms), got " + json_type_name(v));
        timing.at_ms = v.get<int64_t>();
        continue;
      }
      const InputKey* key = nullptr;
      for (const auto& ik : kInputKeys)
        if (k == ik.name) key = &ik;
      if (key == nullptr) {
        std::string best;
        std::size_t dist = 3;
        for (const char* known : {"payload", "at"})
          if (edit_distance(k, known) < dist) dist = edit_distance(k, known), best = known;
        for (const auto& ik : kInputKeys)
          if (edit_distance(k, ik.name) < dist) dist = edit_distance(k, ik.name), best = ik.name;
        return make_error(ErrorCode::kConfig, where + ": unknown key \"" + k + "\"" + (best.empty() ? "" : "; did you mean \"" + best + "\"?"));
      }
      Json* field = find_at(*rec, key->pointer);
      if (field == nullptr)
        return make_error(ErrorCode::kConfig, where + ": \"" + k + "\" does not apply to " + source.id + " (its records have no " + key->pointer + ")");
      if (!has_type(v, key->type))
        return make_error(ErrorCode::kConfig, where + ": \"" + k + "\" must be " + (std::string(key->type) == "integer" ? "an " : "a ") + key->type + ", got " + json_type_name(v));
      *field = key->base64 ? Json(codec::base64_encode(v.get<std::string>())) : v;
      if (k == "partition") {
        if (v.get<int64_t>() < 0) return make_error(ErrorCode::kConfig, where + ": \"partition\" must be 0 or more, got " + v.dump());
        timing.partition = v.get<int64_t>();
      }
    }
    if (source.hooks.refresh) source.hooks.refresh(kase.event);  // digests follow the new payload
    kase.mutations.clear();
    kase.expect = Expect::kValid;
    out.cases.push_back(std::move(kase));
    out.timing.push_back(timing);
  }
  if (out.cases.empty()) return make_error(ErrorCode::kConfig, "--input " + path + ": no producer actions (one JSON object per line)");
  return out;
}

}  // namespace evh::harness
