// Amazon Data Firehose: unique recordIds, arrival times in buffer order, kinesisRecordMetadata on every record exactly
// when the stream reads a Kinesis source (same arrival time), ARNs in the event's region (SEMANTICS.md §6.5).
#include <cinttypes>
#include <cstdio>
#include <set>

#include "generators/sources/kinesis_common.h"
#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

constexpr std::string_view kDigits = "0123456789";

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  Json* records = array_at(event, "/records");
  if (!records || records->empty()) return;
  const bool kinesis_source = event.contains("sourceKinesisStreamArn");
  const std::string prefix = "49" + rng.chars(24, kDigits);
  // Records of a Kinesis source come from one or two shards, each with its own sequence counter.
  std::size_t shards = kinesis_source ? static_cast<std::size_t>(rng.range(1, 2)) : 1;
  std::size_t first_shard = rng.below(8);
  std::vector<uint64_t> counters(shards);
  for (auto& c : counters) c = static_cast<uint64_t>(rng.range(1000000000000LL, 900000000000000000LL));
  int64_t first = ctx.now_ms - rng.range(1000, 120000);
  std::vector<int64_t> arrivals = sorted_times(rng, records->size(), first, first + 60000);
  char buf[64];
  for (std::size_t i = 0; i < records->size(); ++i) {
    Json& r = (*records)[i];
    if (!r.is_object()) continue;
    r["approximateArrivalTimestamp"] = arrivals[i];
    std::size_t shard = rng.below(shards);
    counters[shard] += static_cast<uint64_t>(rng.range(1, 1000000000000LL));
    std::snprintf(buf, sizeof buf, "%030" PRIu64, counters[shard]);
    std::string seq = prefix + buf;
    if (kinesis_source) {
      std::snprintf(buf, sizeof buf, "shardId-%012zu", first_shard + shard);
      Json meta = Json::object();
      meta["shardId"] = buf;
      meta["partitionKey"] = r.contains("kinesisRecordMetadata") ? str(r["kinesisRecordMetadata"], "partitionKey") : "";
      if (str(meta, "partitionKey").empty()) meta["partitionKey"] = uuid(rng);
      meta["approximateArrivalTimestamp"] = arrivals[i];
      meta["sequenceNumber"] = seq;
      meta["subsequenceNumber"] = 0;
      r["kinesisRecordMetadata"] = meta;
    } else {
      r.erase("kinesisRecordMetadata");
    }
    r["recordId"] = seq + "000000";
  }
}

void check(const Json& event, std::vector<Problem>& out) {
  std::string region = str(event, "region");
  std::string arn_region = arn_part(str(event, "deliveryStreamArn"), 3);
  if (!region.empty() && !arn_region.empty() && region != arn_region)
    report(out, "/deliveryStreamArn", "names another region than `region`");
  const Json* records = array_at(event, "/records");
  if (!records) return;
  const bool kinesis_source = event.is_object() && event.contains("sourceKinesisStreamArn");
  std::set<std::string> ids;
  for (std::size_t i = 0; i < records->size(); ++i) {
    const Json& r = (*records)[i];
    std::string at = "/records/" + std::to_string(i);
    if (!r.is_object()) continue;
    std::string id = str(r, "recordId");
    if (!id.empty() && !ids.insert(id).second)
      report(out, at + "/recordId", "repeats another record's recordId (the response could not name both)");
    auto mit = r.find("kinesisRecordMetadata");
    if (mit == r.end()) {
      if (kinesis_source) report(out, at, "has no kinesisRecordMetadata although the source is a Kinesis stream");
      continue;
    }
    if (!kinesis_source)
      report(out, at + "/kinesisRecordMetadata", "is present although the event names no sourceKinesisStreamArn");
    if (!mit->is_object()) continue;
    const Json& m = *mit;
    auto outer = r.find("approximateArrivalTimestamp"), inner = m.find("approximateArrivalTimestamp");
    if (outer != r.end() && inner != m.end() && outer->is_number() && inner->is_number() && *outer != *inner)
      report(out, at + "/kinesisRecordMetadata/approximateArrivalTimestamp",
             "differs from the record's approximateArrivalTimestamp");
  }
}

// After a legal mutation: a Kinesis source keeps metadata on every record (sourceKinesisStreamArn derived from the
// delivery stream when it went missing, arrival times copied); otherwise the event is a Direct PUT without either.
void refresh(Json& event) {
  Json* records = array_at(event, "/records");
  if (!records || !event.is_object()) return;
  bool all_meta = !records->empty();
  for (const auto& r : *records)
    all_meta =
        all_meta && r.is_object() && r.contains("kinesisRecordMetadata") && r["kinesisRecordMetadata"].is_object();
  std::string delivery = str(event, "deliveryStreamArn");
  auto name_at = delivery.find(":deliverystream/");
  if (all_meta && !event.contains("sourceKinesisStreamArn") && name_at != std::string::npos &&
      !arn_part(delivery, 4).empty()) {
    Json ordered = Json::object();
    for (auto& [k, v] : event.items()) {
      ordered[k] = v;
      if (k == "deliveryStreamArn")
        ordered["sourceKinesisStreamArn"] = "arn:aws:kinesis:" + arn_part(delivery, 3) + ":" + arn_part(delivery, 4) +
                                            ":stream/" + delivery.substr(name_at + 16);
    }
    event = std::move(ordered);
    records = array_at(event, "/records");
  }
  if (all_meta && event.contains("sourceKinesisStreamArn")) {
    for (auto& r : *records) {
      auto t = r.find("approximateArrivalTimestamp");
      if (t != r.end()) r["kinesisRecordMetadata"]["approximateArrivalTimestamp"] = *t;
    }
    return;
  }
  event.erase("sourceKinesisStreamArn");
  for (auto& r : *records)
    if (r.is_object()) r.erase("kinesisRecordMetadata");
}

}  // namespace

SourceHooks firehose_hooks() { return {finalize, check, refresh}; }

}  // namespace evh::sources
