// Amazon Kinesis: one shard per batch, eventID = "<shardId>:<sequenceNumber>", sequence numbers increasing and
// arrival times non-decreasing in batch order, one stream and region, tumbling-window fields (SEMANTICS.md §3.2, §3.5).
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "generators/sources/kinesis_common.h"
#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

constexpr std::string_view kDigits = "0123456789";

bool all_digits(const std::string& s) { return !s.empty() && s.find_first_not_of(kDigits) == std::string::npos; }

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  Json* records = array_at(event, "/Records");
  if (!records || records->empty()) return;
  char buf[64];
  std::snprintf(buf, sizeof buf, "shardId-%012" PRIu64, rng.below(16));
  const std::string shard = buf;
  // 56-digit sequence numbers: a per-shard prefix, then a counter that only grows.
  const std::string prefix = "49" + rng.chars(24, kDigits);
  uint64_t counter = static_cast<uint64_t>(rng.range(1000000000000LL, 900000000000000000LL));
  bool windowed = event.is_object() && event.contains("window");  // TumblingWindowInSeconds > 0
  std::pair<int64_t, int64_t> window{0, 0};
  std::vector<int64_t> arrivals;
  if (windowed) {
    window = draw_window(rng, ctx);
    arrivals = sorted_times(rng, records->size(), window.first, std::min(window.second, ctx.now_ms));
  } else {
    int64_t first = ctx.now_ms - rng.range(1000, 300000);
    arrivals = sorted_times(rng, records->size(), first, first + 60000);
  }
  std::string arn;
  for (std::size_t i = 0; i < records->size(); ++i) {
    Json& r = (*records)[i];
    if (!r.is_object()) continue;
    if (arn.empty()) arn = str(r, "eventSourceARN");
    if (!arn.empty()) r["eventSourceARN"] = arn;  // one mapping reads one stream
    Json& k = r["kinesis"];
    if (!k.is_object()) continue;
    counter += static_cast<uint64_t>(rng.range(1, 1000000000000LL));
    std::snprintf(buf, sizeof buf, "%030" PRIu64, counter);
    std::string seq = prefix + buf;
    k["sequenceNumber"] = seq;
    k["approximateArrivalTimestamp"] = static_cast<double>(arrivals[i]) / 1000.0;
    r["eventID"] = shard + ":" + seq;
  }
  if (windowed) {
    set_window_fields(event, rng, window, shard, arn);
  } else {
    clear_window_fields(event);
  }
}

void check(const Json& event, std::vector<Problem>& out) {
  const Json* records = array_at(event, "/Records");
  if (!records) return;
  std::string shard, arn, last_seq;
  double last_arrival = -1;
  std::vector<double> arrivals;
  for (std::size_t i = 0; i < records->size(); ++i) {
    const Json& r = (*records)[i];
    std::string at = "/Records/" + std::to_string(i);
    if (!r.is_object()) continue;
    auto kit = r.find("kinesis");
    const Json* k = kit != r.end() && kit->is_object() ? &*kit : nullptr;
    std::string seq = k ? str(*k, "sequenceNumber") : std::string();
    std::string id = str(r, "eventID");
    auto colon = id.rfind(':');
    std::string id_shard = colon == std::string::npos ? std::string() : id.substr(0, colon);
    if (!id.empty() && !seq.empty() && (colon == std::string::npos || id.substr(colon + 1) != seq))
      report(out, at + "/eventID", "is not \"<shardId>:<sequenceNumber>\" of this record");
    if (!id_shard.empty()) {
      if (shard.empty()) {
        shard = id_shard;
      } else if (id_shard != shard) {
        report(out, at + "/eventID",
               "names shard " + id_shard + " but the batch comes from " + shard + " (one batch = one shard)");
      }
    }
    if (all_digits(seq)) {
      if (!last_seq.empty() && compare_decimal(seq, last_seq) <= 0)
        report(out, at + "/kinesis/sequenceNumber", "does not increase (records of a shard arrive in order)");
      last_seq = seq;
    }
    if (k) {
      auto t = k->find("approximateArrivalTimestamp");
      if (t != k->end() && t->is_number()) {
        double v = t->get<double>();
        if (v < last_arrival)
          report(out, at + "/kinesis/approximateArrivalTimestamp", "is before the previous record's");
        last_arrival = v;
        arrivals.push_back(v);
      }
    }
    std::string record_arn = str(r, "eventSourceARN");
    if (arn.empty()) {
      arn = record_arn;
    } else if (!record_arn.empty() && record_arn != arn) {
      report(out, at + "/eventSourceARN", "names another stream than the first record (one mapping reads one stream)");
    }
    std::string region = str(r, "awsRegion"), arn_region = arn_part(record_arn, 3);
    if (!region.empty() && !arn_region.empty() && region != arn_region)
      report(out, at + "/awsRegion", "is not the region of eventSourceARN");
  }
  auto window = check_window(event, shard, arn, out);
  if (window) {
    // Windows are aligned on arrival time: every record of a window arrived inside it (SEMANTICS.md §3.5).
    for (std::size_t i = 0; i < arrivals.size(); ++i) {
      double ms = arrivals[i] * 1000.0;
      if (ms < static_cast<double>(window->first) - 0.5 || ms >= static_cast<double>(window->second) - 0.5) {
        report(out, "/Records", "a record's approximateArrivalTimestamp lies outside the window");
        break;
      }
    }
  }
}

// After a legal mutation: eventIDs follow their sequence numbers, the window fields follow the records.
void refresh(Json& event) {
  Json* records = array_at(event, "/Records");
  if (!records) return;
  std::string shard, arn;
  std::vector<int64_t> times;
  for (auto& r : *records) {
    if (!r.is_object()) continue;
    const Json* k = find_at(r, "/kinesis");
    std::string seq = k ? str(*k, "sequenceNumber") : std::string();
    std::string id = str(r, "eventID");
    auto colon = id.rfind(':');
    if (!seq.empty() && colon != std::string::npos) r["eventID"] = id.substr(0, colon + 1) + seq;
    if (shard.empty() && colon != std::string::npos) shard = id.substr(0, colon);
    if (arn.empty()) arn = str(r, "eventSourceARN");
    const Json* t = k ? find_at(*k, "/approximateArrivalTimestamp") : nullptr;
    if (t && t->is_number()) times.push_back(static_cast<int64_t>(std::llround(t->get<double>() * 1000.0)));
  }
  refresh_window(event, shard, arn, times);
}

}  // namespace

SourceHooks kinesis_hooks() { return {finalize, check, refresh}; }

}  // namespace evh::sources
