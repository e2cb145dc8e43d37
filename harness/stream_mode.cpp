// Poll mode for ordered logs: Kinesis and DynamoDB Streams shards, Kafka partitions, Amazon MQ
// queues and DocumentDB change streams (SEMANTICS.md §3, §3.2–§3.7, §4, §7, §8.1, §8.3). What
// differs between them is data, read from the source's x-evh-source "delivery" block ("log":
// shards | partitions | queue | change-stream), never from its id.
//
// The producer's records are appended to the log (shard by the partition key's MD5 hash range,
// Kafka partition by murmur2 of the record key), each with the sequence number or offset the
// service would give it. Every lane (a shard × ParallelizationFactor key group, a partition, the
// queue, the change stream) has at most one batch in flight and delivers in order. A failed
// batch blocks its lane and is retried until it succeeds, MaximumRetryAttempts or
// MaximumRecordAgeInSeconds run out, or its records leave the log; BisectBatchOnFunctionError
// splits it without consuming a retry; a partial batch response checkpoints before the lowest
// failed record, whose retry budget starts afresh (§8.3). Lanes run concurrently on the virtual
// clock; reserved concurrency throttles them. Tumbling windows carry state between invokes.
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <deque>
#include <map>
#include <queue>

#include "generators/codec.h"
#include "generators/format.h"
#include "harness/contract.h"
#include "harness/filter.h"
#include "harness/run.h"
#include "harness/workload.h"

namespace evh::harness::internal {
namespace {

// SEMANTICS.md §0.6, §3: the ESM batch cap.
constexpr std::size_t kBatchMaxBytes = 6291456;
// SEMANTICS.md §3.5: tumbling-window state above 1 MB ends the window early.
constexpr std::size_t kWindowStateMaxBytes = 1048576;
// The window fields besides the state (window{start,end}, shardId, eventSourceARN, the two
// flags) take about this much of the payload.
constexpr std::size_t kWindowFieldsBytes = 512;
// A bound on invocations per case, as in queue mode: with default settings a poison record is
// retried until it leaves the stream (24 h for Kinesis), which is bounded but long.
constexpr uint64_t kMaxInvocationsPerCase = 200;
// Throttles (reserved concurrency, the throttle fault) back off from 1 s, doubling to 1 min, and
// do not count as retries (SEMANTICS.md §3.2, §7). The curve is not published: evh's choice.
constexpr int64_t kThrottleBackoffStartMs = 1000;
constexpr int64_t kThrottleBackoffMaxMs = 60000;
constexpr uint64_t kStreamSalt = 0x73747265616dULL;  // "stream"
// Kafka's default partitioner (murmur2, seed 0x9747b28c).
constexpr uint32_t kMurmurSeed = 0x9747b28c;

enum class LogKind { kShards, kPartitions, kQueue, kChangeStream };
enum class RecState { kOpen, kDone, kDiscarded, kExpired, kFiltered, kDisabled };

struct Rec {
  std::size_t case_index = 0;
  Json record;
  Json id;                // the itemIdentifier the contract reads for this record
  std::string seq;        // sequence number or offset, as text (failure records, trace)
  std::string group;      // Kafka "<topic>-<partition>", RabbitMQ queue: the event's group key
  int64_t at = 0;         // arrival (virtual ms)
  std::size_t bytes = 0;
  int deliveries = 0;
  RecState state = RecState::kOpen;
};

struct Range {
  std::size_t lo = 0, hi = 0;  // positions in Lane::recs
};

struct Lane {
  std::string name;            // shardId, "<topic>-<partition>", queue or change stream
  std::vector<std::size_t> recs;
  std::size_t cursor = 0;      // first unsettled position
  bool has_range = false;
  Range range;
  int attempts = 0;            // invocations of `range` so far
  bool threw = false;          // the last failure of `range` was an error, not a returned response
  std::vector<Range> pending;  // bisect halves still to deliver, back() next
  int64_t ready_at = 0;
  int64_t last_end = 0;        // when the previous invoke returned (the batching window restarts)
  int64_t backoff = kThrottleBackoffStartMs;
  std::string last_request;
  // Tumbling window (SEMANTICS.md §3.5).
  bool win_active = false;
  int64_t win_start = 0;
  Json win_state = Json::object();
  bool win_early = false;
};

int64_t number(const Json& block, const char* key, int64_t fallback) {
  auto it = block.find(key);
  if (it == block.end() || !it->is_number()) return fallback;
  return it->get<int64_t>();
}

double real(const Json& block, const char* key, double fallback) {
  auto it = block.find(key);
  return it != block.end() && it->is_number() ? it->get<double>() : fallback;
}

uint32_t murmur2(std::string_view data) {
  const uint32_t m = 0x5bd1e995;
  const int r = 24;
  uint32_t h = kMurmurSeed ^ static_cast<uint32_t>(data.size());
  std::size_t len = data.size(), i = 0;
  auto byte = [&](std::size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(data[k])); };
  for (; len >= 4; len -= 4, i += 4) {
    uint32_t k = byte(i) | byte(i + 1) << 8 | byte(i + 2) << 16 | byte(i + 3) << 24;
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  switch (len) {
    case 3: h ^= byte(i + 2) << 16; [[fallthrough]];
    case 2: h ^= byte(i + 1) << 8; [[fallthrough]];
    case 1: h ^= byte(i); h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return h;
}

// Kinesis maps a partition key to a shard by the MD5 hash key range; a stream of N shards made
// by CreateStream splits the 128-bit space evenly.
std::size_t kinesis_shard(const std::string& partition_key, std::size_t shards) {
  const std::string h = codec::md5_hex(partition_key);
  const uint64_t top = std::strtoull(h.substr(0, 16).c_str(), nullptr, 16);
  // floor(top × shards / 2^64) without 128-bit arithmetic (shards ≤ 500).
  const uint64_t hi = top >> 32, lo = top & 0xffffffffULL;
  return static_cast<std::size_t>((hi * shards + ((lo * shards) >> 32)) >> 32);
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// "/records/<group>/<index>" → the unescaped group key (RFC 6901).
std::string group_of(const std::string& pointer) {
  auto a = pointer.find('/', 1);
  auto b = a == std::string::npos ? a : pointer.find('/', a + 1);
  if (b == std::string::npos) return {};
  std::string g = pointer.substr(a + 1, b - a - 1), out;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (g[i] == '~' && i + 1 < g.size()) {
      out += g[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      out += g[i];
    }
  }
  return out;
}

DataKey data_key(const std::string& name) {
  if (name == "data") return DataKey::kData;
  if (name == "dynamodb") return DataKey::kDynamodb;
  if (name == "value") return DataKey::kValueKey;
  if (name == "body") return DataKey::kBody;
  return DataKey::kNone;
}

std::string service_of(const std::string& arn) {
  if (arn.rfind("kafka://", 0) == 0) return "kafka";
  auto a = arn.find(':');
  auto b = a == std::string::npos ? a : arn.find(':', a + 1);
  auto c = b == std::string::npos ? b : arn.find(':', b + 1);
  return c == std::string::npos ? "" : arn.substr(b + 1, c - b - 1);
}

struct Settings {
  LogKind kind = LogKind::kShards;
  std::string sequence;       // "kinesis" | "dynamodb" | "offset" | ""
  std::string batch_info;     // KinesisBatchInfo | DDBStreamBatchInfo | KafkaBatchInfo
  std::size_t batch_size = 100;
  int64_t window_ms = 0;
  bool window_from_first = false;  // Kafka/MQ: the window starts with the first record (§3)
  int64_t pf = 1;
  int64_t max_retries = -1;   // -1 = until the records leave the log
  int64_t max_age_ms = -1;
  bool bisect = false;
  int64_t tumbling_ms = 0;
  bool rbif = false;
  int64_t retention_ms = -1;  // -1 = the log keeps them
  std::size_t shards = 1;
  int64_t poll_ms = 1000;
  int64_t retry_delay_ms = 1000;  // platform.streamRetryDelayMs (default poll_ms)
  bool ignore_unknown_ids = false;  // platform.streamUnknownItemIdentifier "ignore"
  std::string destination;    // OnFailure
  std::string broker_dlq;     // MQ: where the broker moves messages after maxRedeliveries
  std::string redelivered;    // MQ: pointer of the redelivered flag
  bool disable_on_expiry = false;
  std::optional<int> reserved;
};

Settings read_settings(const RunConfig& config) {
  const Source& source = *config.source;
  const Json& esm = config.scenario.event_source_mapping;
  const Json& stream = config.scenario.stream;
  const Json delivery = source.meta.value("delivery", Json::object());
  Settings s;
  const std::string log = delivery.value("log", std::string("shards"));
  s.kind = log == "partitions" ? LogKind::kPartitions : log == "queue" ? LogKind::kQueue
         : log == "change-stream" ? LogKind::kChangeStream : LogKind::kShards;
  s.sequence = delivery.value("sequence", std::string());
  s.batch_info = delivery.value("batchInfo", std::string());
  s.batch_size = static_cast<std::size_t>(std::max<int64_t>(1, number(esm, "BatchSize", number(source.defaults, "BatchSize", 100))));
  s.window_ms = static_cast<int64_t>(std::llround(real(esm, "MaximumBatchingWindowInSeconds", real(source.defaults, "MaximumBatchingWindowInSeconds", 0)) * 1000));
  s.window_from_first = s.kind == LogKind::kPartitions || s.kind == LogKind::kQueue;
  s.pf = std::max<int64_t>(1, number(esm, "ParallelizationFactor", 1));
  s.max_retries = number(esm, "MaximumRetryAttempts", -1);
  const int64_t age = number(esm, "MaximumRecordAgeInSeconds", -1);
  s.max_age_ms = age < 0 ? -1 : age * 1000;
  s.bisect = esm.value("BisectBatchOnFunctionError", false);
  s.tumbling_ms = number(esm, "TumblingWindowInSeconds", 0) * 1000;
  if (auto frt = esm.find("FunctionResponseTypes"); frt != esm.end() && frt->is_array())
    s.rbif = std::find(frt->begin(), frt->end(), Json("ReportBatchItemFailures")) != frt->end();
  const int64_t hours = number(stream, "RetentionPeriodHours", number(delivery, "retentionHours", -1));
  s.retention_ms = hours < 0 ? -1 : hours * 3600 * 1000;
  s.shards = static_cast<std::size_t>(std::max<int64_t>(
      1, number(stream, s.kind == LogKind::kPartitions ? "NumPartitions" : "ShardCount",
                number(delivery, s.kind == LogKind::kPartitions ? "defaultNumPartitions" : "defaultShardCount", 1))));
  if (s.kind == LogKind::kQueue || s.kind == LogKind::kChangeStream) s.shards = 1;
  s.poll_ms = number(delivery, "pollIntervalMs", 1000);
  // SEMANTICS.md §9: the retry spacing of streams and what a batch response naming an id that is
  // not in the batch does are not confirmed: the scenario's "platform" block says (defaults: one
  // poll interval; the whole batch fails).
  const PlatformSettings platform = platform_settings(config.scenario);
  s.retry_delay_ms = platform.stream_retry_delay_ms.value_or(s.poll_ms);
  s.ignore_unknown_ids = platform.stream_unknown_item_identifier == UnknownItemIdentifier::kIgnore;
  if (auto dc = esm.find("DestinationConfig"); dc != esm.end() && dc->is_object())
    if (auto of = dc->find("OnFailure"); of != dc->end() && of->is_object())
      s.destination = of->value("Destination", std::string());
  // SEMANTICS.md §3: Kafka caps infinite retries at 10 when an on-failure destination is set.
  if (s.max_retries < 0 && !s.destination.empty() && delivery.contains("retryCapWithDestination"))
    s.max_retries = number(delivery, "retryCapWithDestination", 10);
  // SEMANTICS.md §3.7: ActiveMQ's redelivery policy is fixed (maximumRedeliveries 5).
  if (delivery.contains("maxRedeliveries")) s.max_retries = number(delivery, "maxRedeliveries", 5);
  s.broker_dlq = delivery.value("brokerDlq", std::string());
  s.redelivered = delivery.value("redeliveredFlag", std::string());
  s.disable_on_expiry = delivery.value("disableOnExpiry", false);
  s.reserved = config.scenario.reserved_concurrency;
  return s;
}

// platform.streamUnknownItemIdentifier "ignore" (SEMANTICS.md §4, §9): the batch response
// without its entries whose itemIdentifier is well formed (a record id's shape: a string for
// Kinesis and DynamoDB, {partition, offset} for Kafka) but names no record of the batch.
// `dropped` gets each such entry's index. Anything else is left for the contract to judge.
std::string without_unknown_ids(const std::string& payload, const std::vector<Json>& batch_ids, std::vector<std::size_t>& dropped) {
  if (batch_ids.empty()) return payload;
  Json body = parse_untrusted(payload);
  if (!body.is_object() || !body.contains("batchItemFailures") || !body["batchItemFailures"].is_array()) return payload;
  const Json& sample = batch_ids.front();
  auto same_kind = [](const Json& a, const Json& b) {
    return (a.is_string() && b.is_string()) || (a.is_number() && b.is_number()) || (a.is_boolean() && b.is_boolean());
  };
  auto well_formed = [&](const Json& id) {
    if (sample.is_object()) {
      if (!id.is_object() || id.size() != sample.size()) return false;
      for (const auto& [k, v] : sample.items())
        if (!id.contains(k) || !same_kind(id[k], v)) return false;
      return true;
    }
    return same_kind(id, sample) && !(id.is_string() && id.get_ref<const std::string&>().empty());
  };
  Json kept = Json::array();
  const Json& list = body["batchItemFailures"];
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Json& entry = list[i];
    const Json* id = entry.is_object() && entry.contains("itemIdentifier") ? &entry["itemIdentifier"] : nullptr;
    if (id && well_formed(*id) && std::find(batch_ids.begin(), batch_ids.end(), *id) == batch_ids.end()) {
      dropped.push_back(i);
      continue;
    }
    kept.push_back(entry);
  }
  if (dropped.empty()) return payload;
  body["batchItemFailures"] = std::move(kept);
  return dump(body);
}

}  // namespace

std::vector<CaseRun> run_poll_log(RunState& state, const std::vector<Case>& cases, std::deque<Case>& batches) {
  const RunConfig& config = state.config;
  const Source& source = *config.source;
  const FunctionConfig& fn = config.scenario.function;
  const Settings s = read_settings(config);
  const Json delivery = source.meta.value("delivery", Json::object());
  const int64_t start = state.clock.now_ms() - state.clock.elapsed_ms();
  Rng rng(mix64(config.seed ^ kStreamSalt));
  const std::string records_key = source.identity.records.empty() ? "" : source.identity.records.substr(1);
  const std::string esm_uuid = uuid(rng);

  FilterCriteria filters;
  if (auto fc = config.scenario.event_source_mapping.find("FilterCriteria"); fc != config.scenario.event_source_mapping.end()) {
    auto parsed = FilterCriteria::parse(*fc);
    if (parsed) filters = std::move(*parsed);
  }
  const DataKey key_kind = data_key(delivery.value("dataKey", std::string()));

  // The event every batch is built on: the first case that is not deliberately broken, without
  // its records (the mapping's own fields: eventSource, eventSourceArn, bootstrapServers).
  Json tmpl = Json::object();
  for (const auto& c : cases) {
    if (c.expect == Expect::kIllegal && &c != &cases.back()) continue;
    if (c.event.is_object()) tmpl = c.event;
    break;
  }
  for (const char* f : {"window", "state", "shardId", "isFinalInvokeForWindow", "isWindowTerminatedEarly"}) tmpl.erase(f);
  if (s.kind == LogKind::kShards) tmpl.erase("eventSourceARN");
  if (!records_key.empty()) tmpl[records_key] = source.identity.grouped ? Json::object() : Json::array();
  // The event without records, plus a group key's worth for grouped sources ("<topic>-<n>":[]).
  const std::size_t envelope_bytes = dump(tmpl).size() + (source.identity.grouped ? 64 : 0);

  // --- The log: the producer's records, each given its place and id by the service ----------
  std::vector<Rec> log;
  std::vector<Lane> lanes;
  std::map<std::string, std::size_t> lane_of;  // lane name → index (partitions, queue groups)
  std::vector<std::string> shard_names;
  std::vector<std::string> shard_prefix;
  if (s.kind == LogKind::kShards) {
    for (std::size_t i = 0; i < s.shards; ++i) {
      char buf[64];
      if (s.sequence == "dynamodb") {
        std::snprintf(buf, sizeof buf, "shardId-%020" PRIu64 "-", static_cast<uint64_t>(rng.range(1000000000000LL, 9999999999999LL)));
        shard_names.push_back(buf + rng.chars(8, "0123456789abcdef"));
      } else {
        std::snprintf(buf, sizeof buf, "shardId-%012zu", i);
        shard_names.push_back(buf);
      }
      shard_prefix.push_back("49" + rng.chars(24, "0123456789"));
      for (int64_t p = 0; p < s.pf; ++p) {
        Lane l;
        l.name = shard_names.back();
        lanes.push_back(std::move(l));
      }
    }
  }
  std::string stream_arn;
  uint64_t counter = 1000000000000ULL;
  std::map<std::string, int64_t> next_offset;
  std::size_t round_robin = 0;
  // One mapping reads one topic (Kafka) or one queue (RabbitMQ, the ESM's Queues list holds
  // one name): the first record's, whatever topic or queue each generated case named.
  std::string topic_name, queue_name;
  std::vector<Produced> produced = produce(source, cases, config.scenario.workload, config.seed, start, &config.input_timing);
  for (auto& p : produced) {
    Rec r;
    r.case_index = p.case_index;
    r.record = std::move(p.record);
    r.at = p.at_ms;
    Json& rec = r.record;
    std::size_t lane = 0;
    counter += 1 + rng.below(1000);
    if (s.kind == LogKind::kShards && s.sequence == "kinesis") {
      Json& k = rec["kinesis"];
      if (!k.is_object()) k = Json::object();
      const std::string pk = k.value("partitionKey", std::string());
      const std::size_t shard = kinesis_shard(pk, s.shards);
      char buf[40];
      std::snprintf(buf, sizeof buf, "%030" PRIu64, counter);
      r.seq = shard_prefix[shard] + buf;
      k["sequenceNumber"] = r.seq;
      k["approximateArrivalTimestamp"] = static_cast<double>(r.at) / 1000.0;  // SEMANTICS.md §8.6: epoch seconds
      rec["eventID"] = shard_names[shard] + ":" + r.seq;
      if (stream_arn.empty()) stream_arn = rec.value("eventSourceARN", std::string());
      rec["eventSourceARN"] = stream_arn;  // one mapping reads one stream
      lane = shard * static_cast<std::size_t>(s.pf) + static_cast<std::size_t>(fnv1a(pk) % static_cast<uint64_t>(s.pf));
      r.id = r.seq;
    } else if (s.kind == LogKind::kShards) {  // DynamoDB Streams
      Json& d = rec["dynamodb"];
      if (!d.is_object()) d = Json::object();
      const std::string keys = dump(d.value("Keys", Json::object()));
      const std::size_t shard = static_cast<std::size_t>(fnv1a(keys) % s.shards);
      char buf[40];
      std::snprintf(buf, sizeof buf, "1%020" PRIu64, counter);
      r.seq = buf;
      d["SequenceNumber"] = r.seq;
      d["ApproximateCreationDateTime"] = r.at / 1000;  // SEMANTICS.md §8.6: epoch seconds
      rec["eventID"] = rng.chars(32, "0123456789abcdef");
      if (stream_arn.empty()) stream_arn = rec.value("eventSourceARN", std::string());
      rec["eventSourceARN"] = stream_arn;
      // The key group within the shard must not follow from the shard: take other bits of the hash.
      lane = shard * static_cast<std::size_t>(s.pf) +
             static_cast<std::size_t>(fnv1a(keys) / s.shards % static_cast<uint64_t>(s.pf));
      r.id = r.seq;
    } else if (s.kind == LogKind::kPartitions) {
      if (topic_name.empty()) topic_name = rec.value("topic", std::string("topic"));
      const std::string& topic = topic_name;
      std::size_t partition;
      auto key = rec.find("key");
      std::optional<std::string> key_bytes;
      if (key != rec.end() && key->is_string()) key_bytes = codec::base64_decode(key->get<std::string>());
      if (p.partition) {  // --input named it: the producer chose the partition itself
        partition = static_cast<std::size_t>(*p.partition) % s.shards;
      } else if (key_bytes) {
        partition = static_cast<std::size_t>((murmur2(*key_bytes) & 0x7fffffff) % s.shards);
      } else {
        partition = round_robin++ % s.shards;
      }
      r.group = topic + "-" + std::to_string(partition);
      const int64_t offset = next_offset[r.group]++;
      rec["topic"] = topic;
      rec["partition"] = partition;
      rec["offset"] = offset;
      rec["timestamp"] = r.at;
      r.seq = std::to_string(offset);
      r.id = Json{{"partition", r.group}, {"offset", offset}};
      auto [it, fresh] = lane_of.emplace(r.group, lanes.size());
      if (fresh) {
        Lane l;
        l.name = r.group;
        lanes.push_back(std::move(l));
      }
      lane = it->second;
    } else {  // one ordered queue or change stream
      if (lanes.empty()) {
        Lane l;
        l.name = s.kind == LogKind::kChangeStream ? "change-stream" : "queue";
        lanes.push_back(std::move(l));
      }
      if (source.identity.grouped) {  // RabbitMQ: the queue
        if (queue_name.empty()) queue_name = group_of(p.pointer);
        r.group = queue_name;
      }
      const Json* id = find_at(rec, source.identity.id);
      r.id = id ? *id : Json();
      r.seq = id && id->is_string() ? id->get<std::string>() : std::to_string(log.size());
      lane = 0;
    }
    r.bytes = dump(rec).size();
    if (!filters.empty() && !filters.matches_record(rec, key_kind)) {
      r.state = RecState::kFiltered;  // SEMANTICS.md §5, §8b: never delivered, never retried
      state.trace.add(r.at, start, "filter-drop", {{"case", r.case_index}, {"seq", r.seq}});
    } else {
      lanes[lane].recs.push_back(log.size());
    }
    state.trace.add(r.at, start, "send", {{"case", r.case_index}, {"lane", lanes[lane].name}, {"seq", r.seq}, {"duplicate", p.duplicate}, {"poison", p.poison}});
    log.push_back(std::move(r));
  }

  // --- Delivery -----------------------------------------------------------------------------
  std::vector<CaseRun> runs;
  std::vector<int64_t> in_flight;  // end times of invocations (concurrency)
  const uint64_t max_invocations = kMaxInvocationsPerCase * std::max<std::size_t>(cases.size(), 1);
  const uint64_t max_steps = max_invocations * 50;
  uint64_t invocations = 0, steps = 0;
  bool disabled = false;

  auto lane_open = [&](const Lane& l) { return l.cursor < l.recs.size() || l.win_active; };
  auto settle = [&](Lane& l, RecState st, std::size_t lo, std::size_t hi) {
    for (std::size_t p = lo; p < hi; ++p)
      if (log[l.recs[p]].state == RecState::kOpen) log[l.recs[p]].state = st;
  };
  // The range is done: move the checkpoint past it and take the next bisect half, if any.
  auto next_range = [&](Lane& l) {
    l.cursor = std::max(l.cursor, l.range.hi);
    l.attempts = 0;
    l.threw = false;
    if (!l.pending.empty()) {
      l.range = l.pending.back();
      l.pending.pop_back();
      l.has_range = true;
    } else {
      l.has_range = false;
    }
  };
  auto wrap = [&](const std::string& to, const Json& record, const Lane& l, const Json& event, int64_t at) -> Json {
    const std::string service = service_of(to);
    if (service == "sqs") return Json{{"body", dump(record)}};
    if (service == "sns") return Json{{"Message", dump(record)}};
    if (service == "s3") {
      // SEMANTICS.md §3.4: the whole invocation payload rides along, under the ESM's key layout.
      Json with = record;
      with["payload"] = event;
      const std::string t = iso8601(at, false);  // YYYY-MM-DDTHH:MM:SSZ
      std::string stamp = t.substr(0, 19);
      std::replace(stamp.begin(), stamp.end(), ':', '.');
      const std::string key = "aws/lambda/" + esm_uuid + "/" + l.name + "/" + t.substr(0, 4) + "/" + t.substr(5, 2) + "/" +
                              t.substr(8, 2) + "/" + stamp + "-" + uuid(rng);
      return Json{{"key", key}, {"body", dump(with)}};
    }
    if (service == "kafka") {
      // SEMANTICS.md §3.4: a Kafka-topic destination gets the failed records with the metadata
      // (the exact layout is not confirmed).
      return Json{{"metadata", record}, {"records", event.value(records_key, Json())}};
    }
    return record;
  };
  auto range_event = [&](const Lane& l, std::size_t lo, std::size_t hi) {
    Json ev = tmpl;
    for (std::size_t p = lo; p < hi; ++p) {
      const Rec& r = log[l.recs[p]];
      Json rec = r.record;
      // SEMANTICS.md §3.7: the broker marks a message redelivered only once it was delivered
      // before; a fresh message says false whatever the generated sample carried.
      if (!s.redelivered.empty())
        if (Json* flag = find_at(rec, s.redelivered)) *flag = r.deliveries > 0;
      if (records_key.empty()) continue;
      if (source.identity.grouped) {
        ev[records_key][r.group].push_back(std::move(rec));
      } else {
        ev[records_key].push_back(std::move(rec));
      }
    }
    return ev;
  };
  // SEMANTICS.md §3.4, §8.1: the failure record for a discarded range, where the mapping sends it.
  auto discard = [&](Lane& l, std::size_t lo, std::size_t hi, const std::string& condition, const Attempt* last, const Json& event,
                     std::size_t case_index, int64_t at) {
    settle(l, RecState::kDiscarded, lo, hi);
    Json seqs = Json::array();
    for (std::size_t p = lo; p < hi; ++p) seqs.push_back(log[l.recs[p]].seq);
    state.trace.add(at, start, "discard",
                    {{"case", case_index}, {"lane", l.name}, {"condition", condition}, {"records", seqs}, {"approximateInvokeCount", l.attempts}});
    CaseRun moved;
    moved.index = case_index;
    moved.condition = condition;
    if (!s.broker_dlq.empty()) {
      // The broker's redelivery policy gave up: the messages move to its DLQ as they are.
      for (std::size_t p = lo; p < hi; ++p)
        moved.deliveries.push_back(Json{{"to", s.broker_dlq}, {"kind", "dlq"}, {"message", log[l.recs[p]].record}});
    } else if (!s.destination.empty() && hi > lo) {
      const Rec& first = log[l.recs[lo]];
      const Rec& lastr = log[l.recs[hi - 1]];
      const bool ddb = s.sequence == "dynamodb";
      Json info;
      if (s.kind == LogKind::kPartitions) {
        const Json& fr = first.record;
        info = {{"batchSize", hi - lo}, {"topic", fr.value("topic", "")}, {"partition", fr.value("partition", 0)},
                {"firstRecordOffset", fr.value("offset", int64_t{0})}, {"lastRecordOffset", lastr.record.value("offset", int64_t{0})},
                {"approximateArrivalOfFirstRecord", iso8601(first.at, true)}, {"approximateArrivalOfLastRecord", iso8601(lastr.at, true)},
                {"eventSourceArn", tmpl.value("eventSourceArn", "")}};
      } else {
        info = {{"shardId", l.name}, {"startSequenceNumber", first.seq}, {"endSequenceNumber", lastr.seq},
                {"approximateArrivalOfFirstRecord", iso8601(first.at, !ddb)}, {"approximateArrivalOfLastRecord", iso8601(lastr.at, !ddb)},
                {"batchSize", hi - lo}, {"streamArn", stream_arn}};
      }
      Json record{{"requestContext", {{"requestId", l.last_request.empty() ? uuid(rng) : l.last_request}, {"functionArn", fn.arn()},
                                      {"condition", condition}, {"approximateInvokeCount", l.attempts}}},
                  {"version", "1.0"}, {"timestamp", iso8601(at, true)}, {s.batch_info.empty() ? "BatchInfo" : s.batch_info, info}};
      // §8.1: RecordAgeExceeded carries no responseContext; functionError is null when the
      // function returned (a malformed partial response) and "Unhandled" when it threw.
      if (condition != "RecordAgeExceeded" && last != nullptr)
        record["responseContext"] = {{"statusCode", 200}, {"executedVersion", "$LATEST"},
                                     {"functionError", l.threw ? Json("Unhandled") : Json(nullptr)}};
      Json message = wrap(s.destination, record, l, event, at);
      state.trace.add(at, start, "destination", {{"case", case_index}, {"to", s.destination}, {"message", message}});
      moved.deliveries.push_back(Json{{"to", s.destination}, {"kind", service_of(s.destination)}, {"message", std::move(message)}});
    }
    if (!moved.deliveries.empty()) runs.push_back(std::move(moved));
  };

  using Due = std::pair<int64_t, std::size_t>;  // (ready at, lane)
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> due;
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    lanes[i].ready_at = lanes[i].recs.empty() ? start : log[lanes[i].recs.front()].at;
    if (lane_open(lanes[i])) due.push({lanes[i].ready_at, i});
  }

  while (!due.empty() && !disabled && invocations < max_invocations && steps++ < max_steps) {
    // Not a structured binding: the lambda below captures li (clang 14 refuses captured bindings).
    const int64_t when = due.top().first;
    const std::size_t li = due.top().second;
    due.pop();
    Lane& l = lanes[li];
    if (!lane_open(l)) continue;
    state.clock.advance_to(when);
    const int64_t now = state.clock.now_ms();
    auto requeue = [&](int64_t at) {
      l.ready_at = std::max(at, now + 1);
      due.push({l.ready_at, li});
    };

    // Records that left the log (retention) are gone; DocumentDB disables the mapping.
    if (s.retention_ms >= 0) {
      bool expired = false;
      while (l.cursor < l.recs.size() && now - log[l.recs[l.cursor]].at > s.retention_ms) {
        Rec& r = log[l.recs[l.cursor]];
        r.state = RecState::kExpired;
        state.trace.add(now, start, "expire", {{"case", r.case_index}, {"lane", l.name}, {"seq", r.seq}});
        ++l.cursor;
        expired = true;
      }
      if (expired) {
        l.has_range = false;
        l.pending.clear();
        l.attempts = 0;
        if (s.disable_on_expiry) {
          disabled = true;
          state.trace.add(now, start, "disable", {{"lane", l.name}, {"reason", "events expired from the change stream (SEMANTICS.md §3.7)"}});
          break;
        }
      }
    }

    // The range to deliver: the one under retry, or a new batch from the checkpoint.
    bool final_invoke = false, early = false;
    if (!l.has_range) {
      std::size_t p = l.cursor;
      int64_t win_end = 0;
      bool full_by_bytes = false;
      if (s.tumbling_ms > 0 && p < l.recs.size() && log[l.recs[p]].at <= now && !l.win_active) {
        l.win_active = true;
        l.win_start = log[l.recs[p]].at / s.tumbling_ms * s.tumbling_ms;
        l.win_state = Json::object();
        l.win_early = false;
        state.trace.add(now, start, "window-open", {{"lane", l.name}, {"start", iso8601(l.win_start, false)}});
      }
      if (l.win_active) win_end = l.win_start + s.tumbling_ms;
      // SEMANTICS.md §0.6, §3: the 6 MB cap is on the invocation payload: the event around the
      // records (and a tumbling window's state) counts, and so does each separator.
      std::size_t bytes = envelope_bytes + (l.win_active ? dump(l.win_state).size() + kWindowFieldsBytes : 0);
      while (p < l.recs.size() && p - l.cursor < s.batch_size) {
        const Rec& r = log[l.recs[p]];
        if (r.at > now) break;
        if (l.win_active && r.at >= win_end) break;
        if (p > l.cursor && bytes + r.bytes + 1 > kBatchMaxBytes) {
          full_by_bytes = true;  // the next record does not fit: the batch is full
          break;
        }
        bytes += r.bytes + 1;
        ++p;
      }
      const std::size_t count = p - l.cursor;
      const bool window_done = l.win_active && (now >= win_end || l.win_early);
      if (count == 0 && !window_done) {
        // Nothing to read yet: wait for the next record or the end of the tumbling window.
        int64_t next = l.cursor < l.recs.size() ? log[l.recs[l.cursor]].at : INT64_MAX;
        if (l.win_active) next = std::min(next, win_end);
        if (next != INT64_MAX) requeue(next);
        continue;
      }
      // The batching window (SEMANTICS.md §3): a short batch waits, unless full by bytes.
      if (count > 0 && count < s.batch_size && s.window_ms > 0 && !full_by_bytes && !window_done) {
        const int64_t opened = s.window_from_first ? log[l.recs[l.cursor]].at : std::max(l.last_end, log[l.recs[l.cursor]].at);
        const int64_t deadline = opened + s.window_ms;
        if (now < deadline) {
          int64_t next = p < l.recs.size() ? log[l.recs[p]].at : INT64_MAX;
          if (l.win_active) next = std::min(next, win_end);
          requeue(std::min(deadline, next));
          continue;
        }
      }
      l.range = {l.cursor, p};
      l.has_range = true;
      l.attempts = 0;
    }
    if (l.win_active) {
      const int64_t win_end = l.win_start + s.tumbling_ms;
      const bool rest_outside = l.range.hi >= l.recs.size() || log[l.recs[l.range.hi]].at >= win_end;
      final_invoke = l.win_early || (now >= win_end && rest_outside && l.pending.empty());
      early = l.win_early;
    }

    // SEMANTICS.md §3.2: records older than MaximumRecordAgeInSeconds are discarded unread.
    if (s.max_age_ms >= 0) {
      std::size_t k = l.range.lo;
      while (k < l.range.hi && now - log[l.recs[k]].at > s.max_age_ms) ++k;
      if (k > l.range.lo) {
        discard(l, l.range.lo, k, "RecordAgeExceeded", nullptr, range_event(l, l.range.lo, k), log[l.recs[l.range.lo]].case_index, now);
        l.cursor = std::max(l.cursor, k);
        l.range.lo = k;
        l.attempts = 0;
        if (l.range.lo >= l.range.hi && !final_invoke) {
          next_range(l);
          requeue(now);
          continue;
        }
      }
    }

    // Build the batch as this read presents it.
    Case kase;
    kase.source = source.id;
    kase.seed = config.seed;
    kase.event = range_event(l, l.range.lo, l.range.hi);
    if (l.win_active) {
      // SEMANTICS.md §3.5: the window fields, in AWS's order.
      kase.event["window"] = {{"start", iso8601(l.win_start, false)}, {"end", iso8601(l.win_start + s.tumbling_ms, false)}};
      kase.event["state"] = l.win_state;
      kase.event["shardId"] = l.name;
      kase.event["eventSourceARN"] = stream_arn;
      kase.event["isFinalInvokeForWindow"] = final_invoke;
      kase.event["isWindowTerminatedEarly"] = early;
    }
    const std::size_t case_index = l.range.hi > l.range.lo ? log[l.recs[l.range.lo]].case_index
                                   : l.cursor > 0           ? log[l.recs[l.cursor - 1]].case_index
                                                            : 0;
    Json seqs = Json::array();
    for (std::size_t p = l.range.lo; p < l.range.hi; ++p) seqs.push_back(log[l.recs[p]].seq);
    batches.push_back(std::move(kase));
    const Case& sent = batches.back();
    CaseRun run;
    run.index = case_index;
    run.kase = &sent;

    Attempt a;
    a.request_id = uuid(rng);
    a.faults = config.faults.draw(rng);
    a.at_ms = now;
    a.number = l.attempts + 1;
    // Concurrency: reserved concurrency caps invocations in flight (SEMANTICS.md §7).
    in_flight.erase(std::remove_if(in_flight.begin(), in_flight.end(), [&](int64_t end) { return end <= now; }), in_flight.end());
    const bool over = s.reserved && static_cast<int>(in_flight.size()) >= *s.reserved;
    if (over || a.fired(FaultId::kThrottle)) {
      // Throttled before the function ran: retried with backoff, not counted (SEMANTICS.md §3.2).
      a.outcome.kind = OutcomeKind::kInvokeError;
      a.outcome.status = 429;
      a.outcome.error_type = "TooManyRequestsException";
      state.trace.add(now, start, "throttle", {{"case", case_index}, {"lane", l.name}, {"records", seqs}, {"status", 429},
                                               {"reason", over ? "ReservedFunctionConcurrentInvocationLimitExceeded" : "fault"}});
      run.attempts.push_back(std::move(a));
      runs.push_back(std::move(run));
      requeue(now + l.backoff);
      l.backoff = std::min(l.backoff * 2, kThrottleBackoffMaxMs);
      continue;
    }
    l.backoff = kThrottleBackoffStartMs;
    if (a.fired(FaultId::kColdStart)) {
      state.trace.add(now, start, "fault", {{"case", case_index}, {"fault", "cold-start"}});
      (void)state.target.restart();
    }
    Invocation inv = make_invocation(state, a, state.target.reads_payload_bytes() ? dump(sent.event) : std::string(), &sent.event, rng);
    invoke_once(state, inv, a, /*advance_clock=*/false);
    ++invocations;
    ++l.attempts;
    l.last_request = a.request_id;
    for (std::size_t p = l.range.lo; p < l.range.hi; ++p) ++log[l.recs[p]].deliveries;
    const int64_t end = now + a.outcome.duration_ms;
    in_flight.push_back(end);
    l.last_end = end;

    // What the mapping makes of the outcome: the lowest failed position, or none.
    bool whole = true, threw = true;
    std::size_t failed_at = l.range.lo;
    if (a.invoked && (a.fired(FaultId::kLostResponse) || a.fired(FaultId::kTimeout))) {
      a.response_discarded = true;
      state.trace.add(end, start, "fault", {{"case", case_index}, {"fault", a.fired(FaultId::kTimeout) ? "timeout" : "lost-response"},
                                            {"requestId", a.request_id}});
      if (a.fired(FaultId::kTimeout)) (void)state.target.restart();
    } else if (a.outcome.kind == OutcomeKind::kSuccess) {
      threw = false;
      a.verdict = assess_response(source, sent.event, a.outcome.payload, s.rbif);
      if (s.rbif && s.ignore_unknown_ids && !a.verdict->ok) {
        // platform.streamUnknownItemIdentifier "ignore": the mapping reads the response without
        // the unknown ids; the handler's mistake is still reported (a tolerated problem).
        std::vector<Json> ids;
        for (std::size_t p = l.range.lo; p < l.range.hi; ++p) ids.push_back(log[l.recs[p]].id);
        std::vector<std::size_t> dropped;
        const std::string rest = without_unknown_ids(a.outcome.payload, ids, dropped);
        if (!dropped.empty()) {
          ContractVerdict v = assess_response(source, sent.event, rest, true);
          if (!(v.effective.is_object() && v.effective.value("wholeBatch", false))) {
            std::vector<ContractProblem> problems;
            const Json body = parse_untrusted(a.outcome.payload);
            for (std::size_t i : dropped) {
              const std::string ptr = "/batchItemFailures/" + std::to_string(i) + "/itemIdentifier";
              const Json* id = find_at(body, ptr);
              problems.push_back({ptr, (id ? dump(*id) : std::string("the id")) +
                                           " is not a record of this batch: ignored (platform.streamUnknownItemIdentifier \"ignore\"; "
                                           "SEMANTICS.md §4, §9: not confirmed)"});
            }
            for (auto& p : v.problems) problems.push_back(std::move(p));
            v.problems = std::move(problems);
            v.ok = false;
            a.verdict = std::move(v);
          }
        }
      }
      const Json& eff = a.verdict->effective;
      whole = eff.is_object() && eff.value("wholeBatch", false);
      if (!whole) {
        failed_at = l.range.hi;
        if (eff.is_object() && eff.contains("failed") && eff["failed"].is_array())
          for (const auto& id : eff["failed"])
            for (std::size_t p = l.range.lo; p < l.range.hi; ++p)
              if (log[l.recs[p]].id == id) failed_at = std::min(failed_at, p);
      }
      if (l.win_active) {
        // SEMANTICS.md §3.5: a windowed invoke must return its state; without it, it failed.
        Json body = parse_untrusted(a.outcome.payload);
        if (!body.is_object() || !body.contains("state")) {
          whole = true;
          a.verdict->ok = false;
          a.verdict->problems.push_back({"/state", "missing: with TumblingWindowInSeconds the response must carry \"state\"; "
                                                   "Lambda treats the invoke as failed and retries it (SEMANTICS.md §3.5)"});
        } else if (!whole) {
          l.win_state = body["state"];
          if (dump(l.win_state).size() > kWindowStateMaxBytes) l.win_early = true;
        }
      }
    }
    Json entry{{"case", case_index}, {"lane", l.name}, {"requestId", a.request_id}, {"attempt", a.number}, {"records", seqs},
               {"outcome", a.outcome.to_json()}};
    if (l.win_active) entry["window"] = {{"final", final_invoke}, {"early", early}};
    if (!whole && failed_at < l.range.hi) entry["failedFrom"] = log[l.recs[failed_at]].seq;
    if (whole) entry["failedFrom"] = l.range.hi > l.range.lo ? Json(log[l.recs[l.range.lo]].seq) : Json("window");
    if (!a.outcome.effects.empty()) entry["effects"] = a.outcome.effects;
    state.trace.add(now, start, "invoke", std::move(entry));

    const bool dup = a.fired(FaultId::kDuplicateDelivery);
    // Whether the lane's next invoke re-sends records that just failed (the same range, a bisect
    // half, the rest after a partial response). SEMANTICS.md §9: the spacing of stream retries is
    // not published; evh retries platform.streamRetryDelayMs (default one poll interval,
    // delivery.pollIntervalMs) after the failed invoke returned. After a success or a discard
    // the lane reads on at once.
    bool retry = false;
    if (!whole && failed_at == l.range.hi) {
      if (dup && l.range.hi > l.range.lo && log[l.recs[l.range.lo]].deliveries < 2) {
        // SEMANTICS.md §3: at-least-once: the checkpoint is lost and the batch comes again.
        state.trace.add(end, start, "fault", {{"case", case_index}, {"fault", "duplicate-delivery"}, {"lane", l.name}});
        l.attempts = 0;
      } else {
        settle(l, RecState::kDone, l.range.lo, l.range.hi);
        if (l.range.hi > l.range.lo) state.trace.add(end, start, "checkpoint", {{"case", case_index}, {"lane", l.name}, {"seq", seqs.back()}});
        if (final_invoke) {
          l.win_active = false;
          state.trace.add(end, start, "window-close", {{"lane", l.name}, {"start", iso8601(l.win_start, false)}, {"early", early}});
        }
        next_range(l);
      }
    } else if (!whole && failed_at > l.range.lo) {
      // SEMANTICS.md §4, §8.3: checkpoint before the lowest failed record; its budget starts afresh.
      settle(l, RecState::kDone, l.range.lo, failed_at);
      state.trace.add(end, start, "checkpoint", {{"case", case_index}, {"lane", l.name}, {"seq", log[l.recs[failed_at - 1]].seq}, {"partial", true}});
      l.cursor = failed_at;
      l.attempts = 0;
      l.threw = false;
      retry = true;
      if (l.pending.empty()) {
        l.has_range = false;
      } else {
        l.range.lo = failed_at;
      }
    } else {
      l.threw = threw;
      retry = true;
      if (s.bisect && threw && l.range.hi - l.range.lo > 1) {
        // SEMANTICS.md §3.2: split in two; the halves do not consume a retry.
        const std::size_t mid = l.range.lo + (l.range.hi - l.range.lo) / 2;
        l.pending.push_back({mid, l.range.hi});
        l.range.hi = mid;
        l.attempts = 0;
        state.trace.add(end, start, "bisect", {{"case", case_index}, {"lane", l.name}, {"first", seqs.front()}, {"halves", {mid - l.range.lo, l.pending.back().hi - mid}}});
      } else if (s.max_retries >= 0 && l.attempts > s.max_retries) {
        discard(l, l.range.lo, l.range.hi, "RetryAttemptsExhausted", &a, sent.event, case_index, end);
        l.cursor = std::max(l.cursor, l.range.hi);
        if (final_invoke) l.win_active = false;
        next_range(l);
        retry = false;
      }
    }
    for (const auto& e : a.outcome.effects) run.effects.push_back(e);
    run.attempts.push_back(std::move(a));
    runs.push_back(std::move(run));
    if (lane_open(l)) requeue(retry ? end + s.retry_delay_ms : end);
  }

  std::size_t left = 0;
  for (auto& r : log) {
    if (r.state != RecState::kOpen) continue;
    ++left;
    if (disabled) r.state = RecState::kDisabled;
  }
  if (left > 0 && !disabled) {
    state.gave_up = std::to_string(invocations) + " invocations spent with " + std::to_string(left) +
                    " record(s) not yet processed (a poison record with MaximumRetryAttempts -1 is retried until it leaves the log; "
                    "set MaximumRetryAttempts, MaximumRecordAgeInSeconds or BisectBatchOnFunctionError)";
  }
  return runs;
}

}  // namespace evh::harness::internal
