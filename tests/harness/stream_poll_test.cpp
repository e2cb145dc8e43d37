// Poll mode on ordered logs (SEMANTICS.md §3.2–§3.7, §4, §7, §8.1, §8.3, §8.5, §8b): shards,
// parallelization, retries, bisect, the checkpoint after a partial batch response, record age,
// failure records, tumbling windows, batching windows, Kafka partitions, Amazon MQ redelivery,
// DocumentDB, filters, reserved concurrency and faults, on the virtual clock. One test per
// platform rule, asserting exact virtual times, attempts, batches and destination records.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "generators/catalog.h"
#include "generators/codec.h"
#include "generators/event_generator.h"
#include "generators/format.h"
#include "generators/mutation.h"
#include "generators/payload.h"
#include "generators/rng.h"
#include "harness/clock.h"
#include "harness/fault_plan.h"
#include "harness/run.h"
#include "tests/harness/poll_test_support.h"

namespace evh::harness {
namespace {

constexpr const char* kFailDest = "arn:aws:sqs:us-east-1:123456789012:failures";

// The payloads of a batch's records, with their ids as itemIdentifier carries them.
using Item = testing::BatchRecord;
std::vector<Item> items(const Source& source, const Json& event) { return testing::batch_records(source, event); }

bool is_poison(const Json& payload) { return payload.is_object() && payload.value("poison", false); }

// Handlers over any log source: the poison record is whatever payload says {"poison": true}.
enum class Style { kThrowOnPoison, kReportPoison, kReportPoisonAndRest, kOk };

Handler make_handler(const Source& source, Style style) {
  return [&source, style](const Json& event, Context& ctx) -> Json {
    Json failures = Json::array();
    bool after = false;
    for (const auto& it : items(source, event)) {
      const bool bad = is_poison(it.payload);
      if (bad && style == Style::kThrowOnPoison) throw FunctionError("Error", "poison record");
      if (bad || (after && style == Style::kReportPoisonAndRest)) {
        failures.push_back({{"itemIdentifier", it.id}});
        after = true;
        continue;
      }
      ctx.processed(it.id.is_string() ? it.id.get<std::string>() : dump(it.id));
    }
    if (style == Style::kOk || style == Style::kThrowOnPoison) return nullptr;
    return Json{{"batchItemFailures", failures}};
  };
}

struct StreamRun {
  EffectsSink sink;
  TargetOptions options;
  std::unique_ptr<Target> target;
  RunConfig config;
  const Source* source;

  StreamRun(const std::string& source_id, Style style, uint64_t records, double poison_rate) {
    source = &**find_source(source_id);
    options.effects = &sink;
    target = make_in_process_target(make_handler(*source, style), "test", options);
    config.source = source;
    config.mode = Mode::kPoll;
    config.seed = 5;
    config.cases = records;  // one record per case
    config.batch_size = 1;
    config.mutate = MutateFilter::kNone;
    config.shrink = false;  // handler calls are counted: no shrinking re-runs
    config.scenario.event_source_mapping = {{"BatchSize", 10}, {"MaximumBatchingWindowInSeconds", 0}};
    config.scenario.workload = {{"arrival", "burst"}, {"keys", 16}};
    if (poison_rate > 0) config.scenario.workload["poison"] = {{"rate", poison_rate}, {"payload", {{"poison", true}}}};
  }
  Json& esm() { return config.scenario.event_source_mapping; }
  RunResult run() { return testing::run_ok(config, *target, sink); }
};

using testing::trace_actions;
std::vector<const Json*> actions(const RunResult& r, const char* action) { return trace_actions(r, action); }

TEST(StreamPoll, EveryRecordIsDeliveredOnceInShardOrderWhenNothingFails) {
  StreamRun fx("kinesis", Style::kOk, 60, 0);
  fx.config.scenario.stream = {{"ShardCount", 3}};
  RunResult r = fx.run();
  std::map<std::string, std::vector<std::string>> by_lane;
  std::size_t delivered = 0;
  for (const auto* e : actions(r, "invoke")) {
    EXPECT_LE((*e)["records"].size(), 10u);
    for (const auto& s : (*e)["records"]) by_lane[(*e)["lane"]].push_back(s);
    delivered += (*e)["records"].size();
  }
  EXPECT_EQ(delivered, 60u);
  EXPECT_EQ(by_lane.size(), 3u);
  for (const auto& [lane, seqs] : by_lane) EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end())) << lane;
  EXPECT_FALSE(r.gave_up);
  EXPECT_TRUE(r.findings.empty());
}

TEST(StreamPoll, PoisonRecordWithRetryLimitIsRetriedThenSentToTheOnFailureDestination) {
  StreamRun fx("kinesis", Style::kThrowOnPoison, 30, 0.05);
  fx.config.scenario.stream = {{"ShardCount", 1}};
  fx.esm()["MaximumRetryAttempts"] = 2;
  fx.esm()["DestinationConfig"] = {{"OnFailure", {{"Destination", kFailDest}}}};
  RunResult r = fx.run();
  ASSERT_FALSE(r.destinations[kFailDest].empty());
  for (const auto& m : r.destinations[kFailDest]) {
    Json rec = Json::parse(m["body"].get<std::string>());
    EXPECT_EQ(rec["requestContext"]["condition"], "RetryAttemptsExhausted");
    EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 3);
    EXPECT_EQ(rec["responseContext"]["functionError"], "Unhandled");
    EXPECT_TRUE(rec.contains("KinesisBatchInfo"));
    EXPECT_EQ(rec["requestContext"]["functionArn"].get<std::string>().find(":$LATEST"), std::string::npos);
  }
  EXPECT_FALSE(r.gave_up);
}

TEST(StreamPoll, BisectIsolatesThePoisonRecordAndItsFailureRecordHasBatchSizeOne) {
  StreamRun fx("kinesis", Style::kThrowOnPoison, 40, 0.1);
  fx.config.scenario.stream = {{"ShardCount", 1}};
  fx.esm()["MaximumRetryAttempts"] = 1;
  fx.esm()["BisectBatchOnFunctionError"] = true;
  fx.esm()["DestinationConfig"] = {{"OnFailure", {{"Destination", kFailDest}}}};
  RunResult r = fx.run();
  std::size_t poison = 0;
  for (const auto* e : actions(r, "send")) poison += (*e)["poison"].get<bool>();
  ASSERT_GT(poison, 0u);
  ASSERT_EQ(r.destinations[kFailDest].size(), poison);
  for (const auto& m : r.destinations[kFailDest]) {
    Json rec = Json::parse(m["body"].get<std::string>());
    EXPECT_EQ(rec["KinesisBatchInfo"]["batchSize"], 1);
    EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 2);
  }
  EXPECT_FALSE(actions(r, "bisect").empty());
}

TEST(StreamPoll, PartialFailureCheckpointsBeforeTheLowestFailedRecordAndResetsItsBudget) {
  StreamRun fx("dynamodb-streams", Style::kReportPoison, 30, 0.2);
  fx.esm()["FunctionResponseTypes"] = {"ReportBatchItemFailures"};
  fx.esm()["MaximumRetryAttempts"] = 3;
  fx.esm()["DestinationConfig"] = {{"OnFailure", {{"Destination", kFailDest}}}};
  RunResult r = fx.run();
  EXPECT_FALSE(actions(r, "checkpoint").empty());
  ASSERT_FALSE(r.destinations[kFailDest].empty());
  for (const auto& m : r.destinations[kFailDest]) {
    Json rec = Json::parse(m["body"].get<std::string>());
    EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 4);  // SEMANTICS.md §8.3
    EXPECT_TRUE(rec["responseContext"]["functionError"].is_null());
    EXPECT_TRUE(rec.contains("DDBStreamBatchInfo"));
  }
}

TEST(StreamPoll, KafkaRecordsKeepPartitionOrderAndOffsetsGrowByOne) {
  StreamRun fx("kafka-msk", Style::kOk, 50, 0);
  fx.config.scenario.stream = {{"NumPartitions", 3}};
  RunResult r = fx.run();
  std::map<std::string, std::vector<int64_t>> offsets;
  for (const auto* e : actions(r, "invoke"))
    for (const auto& s : (*e)["records"]) offsets[(*e)["lane"]].push_back(std::stoll(s.get<std::string>()));
  std::size_t total = 0;
  for (const auto& [lane, o] : offsets) {
    for (std::size_t i = 0; i < o.size(); ++i) EXPECT_EQ(o[i], static_cast<int64_t>(i)) << lane;
    total += o.size();
  }
  EXPECT_EQ(total, 50u);
}

TEST(StreamPoll, ActiveMqMovesAFailingBatchToTheBrokerDlqAfterFiveRedeliveries) {
  StreamRun fx("mq-activemq", Style::kThrowOnPoison, 5, 0);
  fx.config.scenario.workload = {{"poison", {{"rate", 1.0}, {"payload", {{"poison", true}}}}}};
  RunResult r = fx.run();
  EXPECT_EQ(actions(r, "invoke").size(), 6u);  // first delivery + maximumRedeliveries 5
  EXPECT_EQ(r.destinations["ActiveMQ.DLQ"].size(), 5u);
  // The flag itself: ActiveMqRedeliversWithTheRedeliveredFlagThenMovesTheBatchToTheBrokerDlq.
  int attempt = 0;
  for (const auto* e : actions(r, "invoke")) EXPECT_EQ((*e)["attempt"], ++attempt);
}

// ---------------------------------------------------------------------------------------------
// One test per platform rule, on records of the test's own making: each record's payload is
// {"n": <its index>, ...} and its ordering key is chosen, so times, attempts and batches are exact.
// Virtual time: the run starts at kDefaultEpochMs (2026-01-01T00:00:00Z); trace "t" is ms since
// then; an in-process invoke that spends no time lasts 10 ms (run.cpp kNominalInvokeMs).

constexpr const char* kSnsDest = "arn:aws:sns:us-east-1:123456789012:failures";
constexpr const char* kS3Dest = "arn:aws:s3:::evh-failures";
constexpr const char* kFunctionArn = "arn:aws:lambda:us-east-1:123456789012:function:evh-function";
constexpr int64_t kInvokeMs = 10;  // run.cpp kNominalInvokeMs

// The record the test wants: its payload and, when not empty, its ordering key.
struct Spec {
  Json payload;
  std::string key;
  std::string encoded;  // when set: the payload field's value as is (already encoded), e.g. megabytes of base64
};

std::vector<Spec> numbered(int count, const std::function<Spec(int)>& make) {
  std::vector<Spec> out;
  for (int i = 0; i < count; ++i) out.push_back(make(i));
  return out;
}

Spec plain(int n, std::string key = "") { return {Json{{"n", n}}, std::move(key)}; }
Spec poisoned(int n, std::string key = "") { return {Json{{"n", n}, {"poison", true}}, std::move(key)}; }

// Gives a record its ordering key as the producer would: Kinesis partition key, DynamoDB item
// key, Kafka record key.
void set_ordering_key(Json& rec, const std::string& key) {
  if (rec.contains("kinesis")) {
    rec["kinesis"]["partitionKey"] = key;
  } else if (rec.contains("dynamodb")) {
    rec["dynamodb"]["Keys"] = Json{{"id", {{"S", key}}}};
  } else if (rec.contains("topic")) {
    rec["key"] = codec::base64_encode(key);
  }
}

// One case per spec with exactly one record, whose payload and key the spec gives. Without a
// workload block, the record of case i reaches the log at i × 100 ms (workload.cpp).
std::vector<Case> cases_for(const Source& source, const std::vector<Spec>& specs) {
  EventGenerator gen(source, PayloadContract::builtin());
  gen.set_batch_size(1);
  std::vector<Case> out;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    Case c = make_case(gen, derive_seed(7, i), MutateFilter::kNone);
    auto pointers = record_pointers(source, c.event);
    EXPECT_EQ(pointers.size(), 1u) << source.id;
    for (const auto& p : pointers) {
      Json* rec = find_at(c.event, p);
      if (specs[i].encoded.empty()) {
        set_record_payload(source, *rec, Payload{specs[i].payload, false});
      } else {
        (*rec)[Json::json_pointer(source.identity.payload)] = specs[i].encoded;
      }
      if (!specs[i].key.empty()) set_ordering_key(*rec, specs[i].key);
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string key_of(const Json& rec) {
  if (const Json* k = find_at(rec, "/kinesis/partitionKey"); k && k->is_string()) return k->get<std::string>();
  if (const Json* k = find_at(rec, "/dynamodb/Keys")) return dump(*k);
  if (const Json* k = find_at(rec, "/key"); k && k->is_string()) return codec::base64_decode(k->get<std::string>()).value_or("");
  return "";
}

int n_of(const Item& it) { return it.payload.is_object() ? it.payload.value("n", -1) : -1; }

// What the function saw in one invocation.
struct Seen {
  int64_t t = 0;  // virtual ms since the run started
  std::string request_id;
  Json event;
  std::vector<Item> items;
  std::vector<std::string> keys;
  std::vector<int> ns() const {
    std::vector<int> out;
    for (const auto& it : items) out.push_back(n_of(it));
    return out;
  }
};

// The handler's behaviour: gets what this invocation sees (and all before it in `log`).
using Script = std::function<Json(const Seen& now, const std::vector<Seen>& log, Context& ctx)>;

struct LogRun {
  EffectsSink sink;
  TargetOptions options;
  std::unique_ptr<Target> target;
  RunConfig config;
  const Source* source;
  std::vector<Seen> seen;
  Script script;
  bool decode = true;  // false: `seen` keeps only t and the request id (multi-megabyte events)

  LogRun(const std::string& source_id, const std::vector<Spec>& specs, Script s) : script(std::move(s)) {
    source = &**find_source(source_id);
    options.effects = &sink;
    target = make_in_process_target(
        [this](const Json& event, Context& ctx) -> Json {
          Seen now;
          now.t = ctx.now_ms() - kDefaultEpochMs;
          now.request_id = ctx.request_id();
          if (!decode) {
            seen.push_back(std::move(now));
            return script(seen.back(), seen, ctx);
          }
          now.event = event;
          now.items = items(*source, event);
          for (const auto& p : record_pointers(*source, event))
            if (const Json* rec = find_at(event, p)) now.keys.push_back(key_of(*rec));
          seen.push_back(std::move(now));
          return script(seen.back(), seen, ctx);
        },
        "test", options);
    config.source = source;
    config.mode = Mode::kPoll;
    config.seed = 5;
    config.mutate = MutateFilter::kNone;
    config.shrink = false;  // handler calls are counted: no shrinking re-runs
    config.input = cases_for(*source, specs);
    config.scenario.event_source_mapping = {{"BatchSize", 10}, {"MaximumBatchingWindowInSeconds", 0}};
    // One shard or partition unless a test says otherwise; MQ and DocumentDB have one lane.
    const std::string log_kind = source->meta.value("delivery", Json::object()).value("log", "");
    if (log_kind == "shards") config.scenario.stream = {{"ShardCount", 1}};
    if (log_kind == "partitions") config.scenario.stream = {{"NumPartitions", 1}};
  }
  LogRun(const LogRun&) = delete;
  Json& esm() { return config.scenario.event_source_mapping; }
  void burst() { config.scenario.workload = {{"arrival", "burst"}}; }
  RunResult run() {
    auto r = harness::run(config, *target, sink);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return std::move(*r);
  }
};

// Scripts.
Json succeed(const Seen&, const std::vector<Seen>&, Context&) { return nullptr; }
Json throw_on_poison(const Seen& now, const std::vector<Seen>&, Context&) {
  for (const auto& it : now.items)
    if (is_poison(it.payload)) throw FunctionError("Error", "poison record");
  return nullptr;
}
Json report_poison(const Seen& now, const std::vector<Seen>&, Context&) {
  Json failures = Json::array();
  for (const auto& it : now.items)
    if (is_poison(it.payload)) failures.push_back({{"itemIdentifier", it.id}});
  return Json{{"batchItemFailures", failures}};
}

int64_t t_of(const Json* e) { return (*e)["t"].get<int64_t>(); }
int64_t end_of(const Json* e) { return t_of(e) + (*e)["outcome"]["durationMs"].get<int64_t>(); }

// Sequence number (or offset) → the n of the record that carries it, from the "send" entries.
std::map<std::string, int> n_by_seq(const RunResult& r) {
  std::map<std::string, int> out;
  for (const auto* e : actions(r, "send")) out[(*e)["seq"].get<std::string>()] = (*e)["case"].get<int>();
  return out;
}
std::vector<int> ns_of(const Json& seqs, const std::map<std::string, int>& by_seq) {
  std::vector<int> out;
  for (const auto& s : seqs) out.push_back(by_seq.at(s.get<std::string>()));
  return out;
}
std::vector<int64_t> invoke_times(const RunResult& r) {
  std::vector<int64_t> out;
  for (const auto* e : actions(r, "invoke")) out.push_back(t_of(e));
  return out;
}
std::vector<std::vector<int>> invoke_batches(const RunResult& r) {
  auto by_seq = n_by_seq(r);
  std::vector<std::vector<int>> out;
  for (const auto* e : actions(r, "invoke")) out.push_back(ns_of((*e)["records"], by_seq));
  return out;
}
std::vector<int> range(int lo, int hi) {
  std::vector<int> out;
  for (int i = lo; i < hi; ++i) out.push_back(i);
  return out;
}

// The failure record inside a destination message (SQS "body", SNS "Message", S3 "body").
Json record_in(const Json& message) {
  if (message.contains("Message")) return Json::parse(message["Message"].get<std::string>());
  if (message.contains("body")) return Json::parse(message["body"].get<std::string>());
  return message;
}

std::set<std::string> keys_of(const Json& object) {
  std::set<std::string> out;
  for (const auto& [k, v] : object.items()) out.insert(k);
  return out;
}

// The largest number of invocations running at one instant.
std::size_t max_overlap(const std::vector<const Json*>& invokes) {
  std::vector<std::pair<int64_t, int>> edges;
  for (const auto* e : invokes) {
    edges.emplace_back(t_of(e), +1);
    edges.emplace_back(end_of(e), -1);
  }
  std::sort(edges.begin(), edges.end());  // an end (-1) sorts before a start (+1) at the same t
  int now = 0, most = 0;
  for (const auto& [t, d] : edges) most = std::max(most, now += d);
  return static_cast<std::size_t>(most);
}

// --- 1. ParallelizationFactor (SEMANTICS.md §0.7, §3.2, §7) ------------------------------------

TEST(StreamPoll, ParallelizationFactorKeepsEachKeyInOrderAndRunsShardsTimesFactorBatchesAtOnce) {
  struct Row {
    const char* source;
    int shards;
    int factor;
  };
  for (const Row& row : {Row{"kinesis", 1, 3}, Row{"kinesis", 2, 2}, Row{"dynamodb-streams", 2, 2}, Row{"dynamodb-streams", 1, 4}}) {
    SCOPED_TRACE(std::string(row.source) + " shards " + std::to_string(row.shards) + " PF " + std::to_string(row.factor));
    LogRun fx(row.source, numbered(48, [](int i) { return plain(i, "k" + std::to_string(i % 16)); }),
              [](const Seen&, const std::vector<Seen>&, Context& ctx) -> Json {
                ctx.spend_ms(200);
                return nullptr;
              });
    fx.burst();
    fx.config.scenario.stream = {{"ShardCount", row.shards}};
    fx.esm()["ParallelizationFactor"] = row.factor;
    fx.esm()["BatchSize"] = 2;
    RunResult r = fx.run();
    const auto invokes = actions(r, "invoke");
    ASSERT_EQ(invokes.size(), fx.seen.size());
    // Every record once; per key, in sequence order (n grows with the sequence number).
    std::map<std::string, std::vector<int>> by_key;
    std::size_t delivered = 0;
    for (const auto& s : fx.seen)
      for (std::size_t i = 0; i < s.items.size(); ++i, ++delivered) by_key[s.keys[i]].push_back(n_of(s.items[i]));
    EXPECT_EQ(delivered, 48u);
    for (const auto& [key, ns] : by_key) EXPECT_TRUE(std::is_sorted(ns.begin(), ns.end())) << key;
    // Never two in-flight batches holding the same key.
    for (std::size_t a = 0; a < invokes.size(); ++a)
      for (std::size_t b = a + 1; b < invokes.size(); ++b) {
        const bool overlap = t_of(invokes[a]) < end_of(invokes[b]) && t_of(invokes[b]) < end_of(invokes[a]);
        if (!overlap) continue;
        for (const auto& k : fx.seen[a].keys)
          EXPECT_EQ(std::count(fx.seen[b].keys.begin(), fx.seen[b].keys.end(), k), 0) << k << " at t=" << t_of(invokes[a]);
      }
    // Up to shards × PF invocations overlap, and with 16 keys all of them do.
    EXPECT_EQ(max_overlap(invokes), static_cast<std::size_t>(row.shards * row.factor));
    EXPECT_FALSE(r.gave_up);
  }
}

// --- 2. One batch in flight per lane (SEMANTICS.md §3.2, §3.6, §3.7, §8b) -----------------------

TEST(StreamPoll, ALaneNeverStartsABatchBeforeItsPreviousInvokeEnded) {
  struct Row {
    const char* source;
    int64_t poll_ms;  // x-evh-source delivery.pollIntervalMs
  };
  for (const Row& row : {Row{"kinesis", 1000}, Row{"dynamodb-streams", 250}, Row{"kafka-msk", 500}}) {
    SCOPED_TRACE(row.source);
    // n = 7 throws on its first two deliveries; everyone spends 30 + 20 × (n mod 3) ms.
    LogRun fx(row.source, numbered(45, [](int i) { return plain(i, "k" + std::to_string(i % 9)); }),
              [](const Seen& now, const std::vector<Seen>& log, Context& ctx) -> Json {
                for (const auto& it : now.items) ctx.spend_ms(30 + 20 * (n_of(it) % 3));
                int earlier = 0;
                for (const auto& s : log)
                  for (int n : s.ns()) earlier += n == 7;
                for (int n : now.ns())
                  if (n == 7 && earlier <= 2) throw FunctionError("Error", "flaky");
                return nullptr;
              });
    fx.burst();
    if (std::string(row.source) == "kafka-msk") {
      fx.config.scenario.stream = {{"NumPartitions", 3}};
    } else {
      fx.config.scenario.stream = {{"ShardCount", 3}};
    }
    fx.esm()["BatchSize"] = 4;
    RunResult r = fx.run();
    std::map<std::string, std::vector<const Json*>> by_lane;
    for (const auto* e : actions(r, "invoke")) by_lane[(*e)["lane"]].push_back(e);
    EXPECT_EQ(by_lane.size(), 3u);
    std::size_t retries = 0;
    for (const auto& [lane, list] : by_lane) {
      for (std::size_t i = 1; i < list.size(); ++i) {
        EXPECT_GE(t_of(list[i]), end_of(list[i - 1])) << lane;
        if ((*list[i - 1])["outcome"]["kind"] != "success") {
          // SEMANTICS.md §9 (stream retry spacing not confirmed): evh retries one poll interval
          // after the failed invoke returned.
          EXPECT_EQ(t_of(list[i]), end_of(list[i - 1]) + row.poll_ms) << lane;
          ++retries;
        }
      }
    }
    EXPECT_EQ(retries, 2u);
    EXPECT_FALSE(r.gave_up);
  }
}

// --- 3. Retries, giving up, record age (SEMANTICS.md §3, §3.2, §3.4, §8.1, §8b) -----------------

TEST(StreamPoll, APoisonBatchIsInvokedOncePlusMaximumRetryAttemptsTimesOnePollIntervalApart) {
  struct Row {
    const char* source;
    int retries;
    int64_t poll_ms;
  };
  for (const Row& row : {Row{"kinesis", 0, 1000}, Row{"kinesis", 2, 1000}, Row{"dynamodb-streams", 3, 250}, Row{"kafka-msk", 5, 500}}) {
    SCOPED_TRACE(std::string(row.source) + " MaximumRetryAttempts " + std::to_string(row.retries));
    LogRun fx(row.source, {poisoned(0)}, throw_on_poison);
    fx.esm()["MaximumRetryAttempts"] = row.retries;
    fx.esm()["DestinationConfig"] = {{"OnFailure", {{"Destination", kFailDest}}}};
    RunResult r = fx.run();
    // SEMANTICS.md §9: the spacing of stream retries is not published; evh's default is the
    // source's poll interval after the failed invoke returned (delivery.pollIntervalMs).
    std::vector<int64_t> want;
    for (int k = 0; k <= row.retries; ++k) want.push_back(k * (kInvokeMs + row.poll_ms));
    EXPECT_EQ(invoke_times(r), want);
    int attempt = 0;
    for (const auto* e : actions(r, "invoke")) EXPECT_EQ((*e)["attempt"], ++attempt);
    const auto discards = actions(r, "discard");
    ASSERT_EQ(discards.size(), 1u);
    EXPECT_EQ(t_of(discards[0]), want.back() + kInvokeMs);
    EXPECT_EQ((*discards[0])["condition"], "RetryAttemptsExhausted");
    ASSERT_EQ(r.destinations[kFailDest].size(), 1u);
    Json rec = record_in(r.destinations[kFailDest][0]);
    EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], row.retries + 1);
    EXPECT_EQ(rec["requestContext"]["condition"], "RetryAttemptsExhausted");
    EXPECT_FALSE(r.gave_up);
  }
}

TEST(StreamPoll, InfiniteRetriesWithoutADestinationGiveUpAndNeverPass) {
  for (const char* source : {"kinesis", "dynamodb-streams", "kafka-msk"}) {
    SCOPED_TRACE(source);
    LogRun fx(source, {poisoned(0)}, throw_on_poison);
    fx.esm()["MaximumRetryAttempts"] = -1;
    RunResult r = fx.run();
    EXPECT_TRUE(r.gave_up);
    EXPECT_EQ(r.exit_code(), 1);
    EXPECT_EQ(r.to_json()["verdict"], "gave-up");
    EXPECT_EQ(r.invocations, 200u);  // stream_mode.cpp kMaxInvocationsPerCase × 1 case
    EXPECT_TRUE(r.destinations.empty());
  }
}

TEST(StreamPoll, InfiniteRetriesEndWhenTheRecordLeavesTheStreamAtRetention) {
  // Each attempt lasts 899 s, then a 1 s poll: attempts at k × 900 s while the record is at most
  // 24 h old (Kinesis default retention, SEMANTICS.md §3.2): k = 0..96, then it expires.
  LogRun fx("kinesis", {poisoned(0), plain(1)}, [](const Seen& now, const std::vector<Seen>& log, Context& ctx) -> Json {
    ctx.spend_ms(899000);
    return throw_on_poison(now, log, ctx);
  });
  fx.burst();
  fx.config.scenario.function.timeout = std::chrono::milliseconds(900000);
  RunResult r = fx.run();
  auto times = invoke_times(r);
  ASSERT_EQ(times.size(), 97u);
  for (std::size_t k = 0; k < times.size(); ++k) EXPECT_EQ(times[k], static_cast<int64_t>(k) * 900000);
  const auto expired = actions(r, "expire");
  ASSERT_EQ(expired.size(), 2u);  // the poison record and the one blocked behind it
  EXPECT_EQ(t_of(expired[0]), 97 * 900000);
  EXPECT_FALSE(r.gave_up);
  EXPECT_TRUE(r.destinations.empty());  // expiry is not a discard: no failure record
}

TEST(StreamPoll, RecordAgeExceededDiscardsTheBatchWithoutResponseContext) {
  struct Row {
    const char* source;
    int64_t spend_ms;
    int attempts;        // while age ≤ 60 s
    int64_t discard_at;  // the first retry time past 60 s
    const char* info;
  };
  // Kinesis: attempts every 10 + 1000 ms → 0 .. 59 590 (60 attempts), then 60 600 > 60 000.
  // DynamoDB: 750 + 250 ms → 0 .. 60 000 (61 attempts; exactly 60 s is not older), then 61 000.
  for (const Row& row : {Row{"kinesis", 0, 60, 60600, "KinesisBatchInfo"}, Row{"dynamodb-streams", 750, 61, 61000, "DDBStreamBatchInfo"}}) {
    SCOPED_TRACE(row.source);
    LogRun fx(row.source, {poisoned(0)}, [&row](const Seen& now, const std::vector<Seen>& log, Context& ctx) -> Json {
      ctx.spend_ms(row.spend_ms);
      return throw_on_poison(now, log, ctx);
    });
    fx.esm()["MaximumRecordAgeInSeconds"] = 60;
    fx.esm()["DestinationConfig"] = {{"OnFailure", {{"Destination", kFailDest}}}};
    RunResult r = fx.run();
    EXPECT_EQ(fx.seen.size(), static_cast<std::size_t>(row.attempts));
    ASSERT_EQ(r.destinations[kFailDest].size(), 1u);
    Json rec = record_in(r.destinations[kFailDest][0]);
    EXPECT_EQ(rec["requestContext"]["condition"], "RecordAgeExceeded");
    EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], row.attempts);
    EXPECT_FALSE(rec.contains("responseContext"));  // SEMANTICS.md §8.1
    EXPECT_EQ(rec["timestamp"], iso8601(kDefaultEpochMs + row.discard_at, true));
    EXPECT_EQ(rec[row.info]["batchSize"], 1);
    EXPECT_FALSE(r.gave_up);
  }
}

// --- 4. Bisect (SEMANTICS.md §3.2, §8b) ---------------------------------------------------------

TEST(StreamPoll, BisectSplitsWithoutSpendingRetriesAndIsolatesOnlyThePoisonRecord) {
  LogRun fx("kinesis", numbered(8, [](int i) { return i == 5 ? poisoned(i) : plain(i); }), throw_on_poison);
  fx.burst();
  fx.esm()["BatchSize"] = 8;
  fx.esm()["BisectBatchOnFunctionError"] = true;
  fx.esm()["MaximumRetryAttempts"] = 0;  // halves must still be tried: a split is not a retry
  fx.esm()["DestinationConfig"] = {{"OnFailure", {{"Destination", kFailDest}}}};
  RunResult r = fx.run();
  // A failed range is redelivered (first half) one poll interval later; the next half of a
  // successful or discarded range follows at once.
  EXPECT_EQ(invoke_times(r), (std::vector<int64_t>{0, 1010, 1020, 2030, 3040, 3050, 3060}));
  EXPECT_EQ(invoke_batches(r), (std::vector<std::vector<int>>{range(0, 8), range(0, 4), range(4, 8), {4, 5}, {4}, {5}, {6, 7}}));
  std::vector<std::vector<int>> halves;
  for (const auto* e : actions(r, "bisect")) halves.push_back((*e)["halves"].get<std::vector<int>>());
  EXPECT_EQ(halves, (std::vector<std::vector<int>>{{4, 4}, {2, 2}, {1, 1}}));
  // Every good record checkpointed; the poison record alone in the failure record.
  auto by_seq = n_by_seq(r);
  std::set<int> ok;
  for (const auto* e : actions(r, "invoke"))
    if ((*e)["outcome"]["kind"] == "success")
      for (int n : ns_of((*e)["records"], by_seq)) ok.insert(n);
  EXPECT_EQ(ok, (std::set<int>{0, 1, 2, 3, 4, 6, 7}));
  ASSERT_EQ(r.destinations[kFailDest].size(), 1u);
  Json rec = record_in(r.destinations[kFailDest][0]);
  EXPECT_EQ(rec["KinesisBatchInfo"]["batchSize"], 1);
  EXPECT_EQ(by_seq.at(rec["KinesisBatchInfo"]["startSequenceNumber"]), 5);
  EXPECT_EQ(by_seq.at(rec["KinesisBatchInfo"]["endSequenceNumber"]), 5);
  // evh counts the invocations of the range that was discarded (the isolated record), not the
  // bigger batches it rode in before the splits.
  EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 1);
  EXPECT_EQ(actions(r, "checkpoint").size(), 3u);
  EXPECT_FALSE(r.gave_up);
}

// --- 5. Partial batch response (SEMANTICS.md §4, §8.3) ------------------------------------------

TEST(StreamPoll, PartialResponseCheckpointsAtTheLowestFailedRecordAndRedeliversTheRest) {
  // n = 2 and n = 4 are reported on their first delivery only.
  LogRun fx("kinesis", numbered(6, [](int i) { return plain(i); }), [](const Seen& now, const std::vector<Seen>& log, Context&) -> Json {
    Json failures = Json::array();
    for (const auto& it : now.items)
      if ((n_of(it) == 2 || n_of(it) == 4) && log.size() == 1) failures.push_back({{"itemIdentifier", it.id}});
    return Json{{"batchItemFailures", failures}};
  });
  fx.burst();
  fx.esm()["FunctionResponseTypes"] = {"ReportBatchItemFailures"};
  RunResult r = fx.run();
  EXPECT_EQ(invoke_batches(r), (std::vector<std::vector<int>>{range(0, 6), range(2, 6)}));
  EXPECT_EQ(invoke_times(r), (std::vector<int64_t>{0, 1010}));  // a retry: one poll interval later
  auto by_seq = n_by_seq(r);
  const auto cps = actions(r, "checkpoint");
  ASSERT_EQ(cps.size(), 2u);
  EXPECT_EQ(by_seq.at((*cps[0])["seq"]), 1);
  EXPECT_EQ((*cps[0])["partial"], true);
  EXPECT_EQ(by_seq.at((*cps[1])["seq"]), 5);
  EXPECT_EQ((*actions(r, "invoke")[1])["attempt"], 1);  // the budget starts afresh (§8.3)
  EXPECT_TRUE(r.findings.empty());
}

TEST(StreamPoll, ReturnedFailuresAreIgnoredWithoutReportBatchItemFailures) {
  for (const char* source : {"kinesis", "dynamodb-streams", "kafka-msk"}) {
    SCOPED_TRACE(source);
    LogRun fx(source, numbered(4, [](int i) { return i == 1 ? poisoned(i) : plain(i); }), report_poison);
    fx.burst();
    fx.esm()["FunctionResponseTypes"] = Json::array();
    RunResult r = fx.run();
    EXPECT_EQ(invoke_batches(r), (std::vector<std::vector<int>>{range(0, 4)}));
    EXPECT_EQ(actions(r, "checkpoint").size(), 1u);
    EXPECT_TRUE(r.findings.empty());
  }
}

TEST(StreamPoll, AMalformedItemIdentifierFailsTheWholeBatch) {
  struct Row {
    const char* what;
    Json response;
  };
  const std::vector<Row> rows = {
      {"null id", Json{{"batchItemFailures", {{{"itemIdentifier", nullptr}}}}}},
      {"empty id", Json{{"batchItemFailures", {{{"itemIdentifier", ""}}}}}},
      {"number id", Json{{"batchItemFailures", {{{"itemIdentifier", 123}}}}}},
      {"wrong key", Json{{"batchItemFailures", {{{"foo", "x"}}}}}},
      {"list not a list", Json{{"batchItemFailures", "x"}}},
      // SEMANTICS.md §4, §9: a well-formed id that is not in the batch is not documented for
      // streams; evh's default is LocalStack's: the whole batch fails.
      {"id not in batch", Json{{"batchItemFailures", {{{"itemIdentifier", "49000000000000000000000000000000000000000000000000000000"}}}}}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    LogRun fx("kinesis", numbered(3, [](int i) { return plain(i); }),
              [&row](const Seen&, const std::vector<Seen>&, Context&) -> Json { return row.response; });
    fx.burst();
    fx.esm()["FunctionResponseTypes"] = {"ReportBatchItemFailures"};
    fx.esm()["MaximumRetryAttempts"] = 1;
    fx.esm()["DestinationConfig"] = {{"OnFailure", {{"Destination", kFailDest}}}};
    RunResult r = fx.run();
    EXPECT_EQ(invoke_batches(r), (std::vector<std::vector<int>>{range(0, 3), range(0, 3)}));
    EXPECT_EQ(invoke_times(r), (std::vector<int64_t>{0, 1010}));
    EXPECT_TRUE(actions(r, "checkpoint").empty());
    ASSERT_EQ(r.destinations[kFailDest].size(), 1u);
    Json rec = record_in(r.destinations[kFailDest][0]);
    EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 2);
    EXPECT_TRUE(rec["responseContext"]["functionError"].is_null());  // returned, did not throw (§8.1)
    EXPECT_EQ(rec["KinesisBatchInfo"]["batchSize"], 3);
    ASSERT_FALSE(r.findings.empty());
    EXPECT_EQ(r.findings[0].finding.invariant, "batch.identifiers");
  }
}

TEST(StreamPoll, BisectWithPartialResponseRetriesFromTheReturnedSequenceNumber) {
  LogRun fx("kinesis", numbered(6, [](int i) { return plain(i); }), [](const Seen& now, const std::vector<Seen>& log, Context&) -> Json {
    Json failures = Json::array();
    for (const auto& it : now.items)
      if (n_of(it) == 3 && log.size() == 1) failures.push_back({{"itemIdentifier", it.id}});
    return Json{{"batchItemFailures", failures}};
  });
  fx.burst();
  fx.esm()["FunctionResponseTypes"] = {"ReportBatchItemFailures"};
  fx.esm()["BisectBatchOnFunctionError"] = true;
  RunResult r = fx.run();
  // SEMANTICS.md §4: with both enabled, the retry starts at the returned record; no split.
  EXPECT_EQ(invoke_batches(r), (std::vector<std::vector<int>>{range(0, 6), range(3, 6)}));
  EXPECT_EQ(invoke_times(r), (std::vector<int64_t>{0, 1010}));
  EXPECT_TRUE(actions(r, "bisect").empty());
}

TEST(StreamPoll, ARecordFailingInsideABatchIsDeliveredOnceThenOnePlusRetriesTimesAlone) {
  // SEMANTICS.md §8.3 (recorded on Kinesis and DynamoDB): MaximumRetryAttempts 3, the failing
  // record is the last of the batch; failure record approximateInvokeCount 4, batchSize 1.
  struct Row {
    const char* source;
    int64_t poll_ms;
    const char* info;
  };
  for (const Row& row : {Row{"kinesis", 1000, "KinesisBatchInfo"}, Row{"dynamodb-streams", 250, "DDBStreamBatchInfo"}}) {
    SCOPED_TRACE(row.source);
    LogRun fx(row.source, numbered(5, [](int i) { return i == 4 ? poisoned(i) : plain(i); }), report_poison);
    fx.burst();
    fx.esm()["FunctionResponseTypes"] = {"ReportBatchItemFailures"};
    fx.esm()["MaximumRetryAttempts"] = 3;
    fx.esm()["DestinationConfig"] = {{"OnFailure", {{"Destination", kFailDest}}}};
    RunResult r = fx.run();
    EXPECT_EQ(invoke_batches(r), (std::vector<std::vector<int>>{range(0, 5), {4}, {4}, {4}, {4}}));
    const int64_t step = kInvokeMs + row.poll_ms;
    EXPECT_EQ(invoke_times(r), (std::vector<int64_t>{0, step, 2 * step, 3 * step, 4 * step}));
    ASSERT_EQ(r.destinations[kFailDest].size(), 1u);
    Json rec = record_in(r.destinations[kFailDest][0]);
    EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 4);
    EXPECT_EQ(rec[row.info]["batchSize"], 1);
    EXPECT_TRUE(rec["responseContext"]["functionError"].is_null());
    EXPECT_EQ(rec["timestamp"], iso8601(kDefaultEpochMs + 4 * step + kInvokeMs, true));
  }
}

// --- 6. Failure record shape (SEMANTICS.md §3.4, §8.1) ------------------------------------------

TEST(StreamPoll, FailureRecordHasTheRecordedShapeForEachDestination) {
  struct Row {
    const char* source;
    const char* dest;
    bool threw;
  };
  const std::vector<Row> rows = {{"kinesis", kFailDest, true},          {"kinesis", kSnsDest, false},
                                 {"kinesis", kS3Dest, true},            {"dynamodb-streams", kFailDest, false},
                                 {"dynamodb-streams", kSnsDest, true},  {"dynamodb-streams", kS3Dest, false}};
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.source) + " → " + row.dest + (row.threw ? " (threw)" : " (malformed)"));
    const bool ddb = std::string(row.source) == "dynamodb-streams";
    LogRun fx(row.source, {plain(0), plain(1)}, [&row](const Seen&, const std::vector<Seen>&, Context&) -> Json {
      if (row.threw) throw FunctionError("Error", "boom");
      return Json{{"batchItemFailures", {{{"itemIdentifier", nullptr}}}}};
    });
    // Arrivals at 0 and 100 ms; a 1 s batching window puts both in one batch at t = 1000.
    fx.config.scenario.workload = {{"arrival", "steady"}, {"ratePerSecond", 10}};
    fx.esm()["MaximumBatchingWindowInSeconds"] = 1;
    fx.esm()["FunctionResponseTypes"] = {"ReportBatchItemFailures"};
    fx.esm()["MaximumRetryAttempts"] = 1;
    fx.esm()["DestinationConfig"] = {{"OnFailure", {{"Destination", row.dest}}}};
    RunResult r = fx.run();
    const int64_t poll = ddb ? 250 : 1000;
    ASSERT_EQ(invoke_times(r), (std::vector<int64_t>{1000, 1000 + kInvokeMs + poll}));
    ASSERT_EQ(r.destinations[row.dest].size(), 1u);
    const Json& message = r.destinations[row.dest][0];
    Json rec;
    if (std::string(row.dest) == kSnsDest) {
      EXPECT_EQ(keys_of(message), (std::set<std::string>{"Message"}));
      rec = Json::parse(message["Message"].get<std::string>());
    } else if (std::string(row.dest) == kFailDest) {
      EXPECT_EQ(keys_of(message), (std::set<std::string>{"body"}));
      rec = Json::parse(message["body"].get<std::string>());
    } else {
      // S3: aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid> (§3.4).
      rec = Json::parse(message["body"].get<std::string>());
      const std::string shard = rec[ddb ? "DDBStreamBatchInfo" : "KinesisBatchInfo"]["shardId"];
      const std::regex key("aws/lambda/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/" + shard +
                           "/2026/01/01/2026-01-01T00\\.00\\.0[0-9]-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
      EXPECT_TRUE(std::regex_match(message["key"].get<std::string>(), key)) << message["key"];
      ASSERT_TRUE(rec.contains("payload"));
      EXPECT_EQ(rec["payload"]["Records"].size(), 2u);
    }
    const char* info_key = ddb ? "DDBStreamBatchInfo" : "KinesisBatchInfo";
    std::set<std::string> top{"requestContext", "responseContext", "version", "timestamp", info_key};
    if (std::string(row.dest) == kS3Dest) top.insert("payload");
    EXPECT_EQ(keys_of(rec), top);
    const int64_t discarded = 1000 + kInvokeMs + poll + kInvokeMs;
    EXPECT_EQ(rec["requestContext"],
              (Json{{"requestId", fx.seen.back().request_id}, {"functionArn", kFunctionArn},
                    {"condition", "RetryAttemptsExhausted"}, {"approximateInvokeCount", 2}}));
    EXPECT_EQ(rec["responseContext"], (Json{{"statusCode", 200}, {"executedVersion", "$LATEST"},
                                            {"functionError", row.threw ? Json("Unhandled") : Json(nullptr)}}));
    EXPECT_EQ(rec["version"], "1.0");
    EXPECT_EQ(rec["timestamp"], iso8601(kDefaultEpochMs + discarded, true));
    const Json& first = fx.seen[0].event["Records"][0];
    const Json& last = fx.seen[0].event["Records"][1];
    const char* seq = ddb ? "/dynamodb/SequenceNumber" : "/kinesis/sequenceNumber";
    Json info{{"shardId", rec[info_key]["shardId"]},
              {"startSequenceNumber", *find_at(first, seq)},
              {"endSequenceNumber", *find_at(last, seq)},
              {"approximateArrivalOfFirstRecord", ddb ? "2026-01-01T00:00:00Z" : "2026-01-01T00:00:00.000Z"},
              {"approximateArrivalOfLastRecord", ddb ? "2026-01-01T00:00:00Z" : "2026-01-01T00:00:00.100Z"},
              {"batchSize", 2},
              {"streamArn", first["eventSourceARN"]}};
    EXPECT_EQ(rec[info_key], info);
    EXPECT_TRUE(rec[info_key]["shardId"].get<std::string>().rfind("shardId-", 0) == 0);
  }
}

// --- 7. Tumbling windows (SEMANTICS.md §3.5) ----------------------------------------------------

Json count_in_state(const Seen& now, const std::vector<Seen>&, Context&) {
  const int before = now.event["state"].is_object() ? now.event["state"].value("count", 0) : 0;
  return Json{{"state", {{"count", before + static_cast<int>(now.items.size())}}}};
}

TEST(StreamPoll, TumblingWindowsCarryStateAndEndWithAFinalInvokeAfterTheWindowCloses) {
  for (const char* source : {"kinesis", "dynamodb-streams"}) {
    SCOPED_TRACE(source);
    LogRun fx(source, numbered(25, [](int i) { return plain(i); }), count_in_state);
    fx.config.scenario.workload = {{"arrival", "steady"}, {"ratePerSecond", 1}};  // n arrives at n s
    fx.esm()["TumblingWindowInSeconds"] = 10;
    RunResult r = fx.run();
    ASSERT_EQ(fx.seen.size(), 28u);  // 25 records one by one + a final invoke per window
    int64_t window = 0;
    int count = 0;
    std::vector<int64_t> finals;
    for (const auto& s : fx.seen) {
      const Json& ev = s.event;
      ASSERT_TRUE(ev.contains("window"));
      EXPECT_EQ(ev["window"]["start"], iso8601(kDefaultEpochMs + window, false));
      EXPECT_EQ(ev["window"]["end"], iso8601(kDefaultEpochMs + window + 10000, false));
      EXPECT_EQ(ev["state"].value("count", 0), count);  // the previous invoke's state
      EXPECT_TRUE(ev["shardId"].get<std::string>().rfind("shardId-", 0) == 0);
      EXPECT_TRUE(ev["eventSourceARN"].is_string() && !ev["eventSourceARN"].get<std::string>().empty());
      EXPECT_EQ(ev["isWindowTerminatedEarly"], false);
      for (int n : s.ns()) EXPECT_EQ(n / 10 * 10000, window) << "record " << n << " outside its window";
      count += static_cast<int>(s.items.size());
      if (ev["isFinalInvokeForWindow"].get<bool>()) {
        EXPECT_TRUE(s.items.empty());
        EXPECT_EQ(s.t, window + 10000);  // right when the window ends
        finals.push_back(s.t);
        window += 10000;
        count = 0;
      }
    }
    EXPECT_EQ(finals, (std::vector<int64_t>{10000, 20000, 30000}));
    EXPECT_TRUE(r.findings.empty());
    EXPECT_FALSE(r.gave_up);
  }
}

TEST(StreamPoll, TumblingWindowResponseWithoutStateIsAFailedInvocationAndAContractFinding) {
  LogRun fx("kinesis", {plain(0)}, succeed);
  fx.esm()["TumblingWindowInSeconds"] = 10;
  fx.esm()["MaximumRetryAttempts"] = 1;
  RunResult r = fx.run();
  // The record's batch: 0 and 1010, discarded; the window's final invoke at 10 000 fails too.
  EXPECT_EQ(invoke_times(r), (std::vector<int64_t>{0, 1010, 10000, 11010}));
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].finding.invariant, "contract.response");
  EXPECT_EQ(r.findings[0].finding.pointer, "/state");
}

TEST(StreamPoll, TumblingWindowStateOverOneMegabyteEndsTheWindowEarly) {
  LogRun fx("kinesis", numbered(6, [](int i) { return plain(i); }), [](const Seen& now, const std::vector<Seen>& log, Context& ctx) -> Json {
    Json out = count_in_state(now, log, ctx);
    for (int n : now.ns())
      if (n == 2) out["state"]["big"] = std::string(1100000, 'x');
    return out;
  });
  fx.config.scenario.workload = {{"arrival", "steady"}, {"ratePerSecond", 1}};
  fx.esm()["TumblingWindowInSeconds"] = 10;
  RunResult r = fx.run();
  // n = 2 at 2000 returns > 1 MB of state: the next invoke (2010, nothing new to read) is the
  // window's final one, terminated early.
  ASSERT_GE(fx.seen.size(), 4u);
  const Seen& early = fx.seen[3];
  EXPECT_EQ(early.t, 2010);
  EXPECT_TRUE(early.items.empty());
  EXPECT_EQ(early.event["isFinalInvokeForWindow"], true);
  EXPECT_EQ(early.event["isWindowTerminatedEarly"], true);
  // evh's choice (not documented): later records of the same period open a fresh window with
  // empty state.
  EXPECT_EQ(fx.seen[4].ns(), std::vector<int>{3});
  EXPECT_EQ(fx.seen[4].event["state"], Json::object());
  EXPECT_EQ(fx.seen[4].event["window"]["start"], iso8601(kDefaultEpochMs, false));
}

// --- 8. Batching window (SEMANTICS.md §0.6, §3) -------------------------------------------------

TEST(StreamPoll, KinesisBatchingWindowHoldsAShortBatchUntilItClosesAndAFullBatchGoesAtOnce) {
  struct Row {
    int batch_size;
    std::vector<int64_t> times;
    std::vector<std::vector<int>> batches;
  };
  // Trickle: one record every 2 s (0, 2000, ... 10 000). Window 5 s. SEMANTICS.md §3: for Kinesis
  // the window restarts after the previous invoke completes; evh opens it at the later of that
  // end and the first waiting record's arrival.
  const std::vector<Row> rows = {{10, {5000, 11000}, {{0, 1, 2}, {3, 4, 5}}},
                                 {2, {2000, 6000, 10000}, {{0, 1}, {2, 3}, {4, 5}}}};
  for (const Row& row : rows) {
    SCOPED_TRACE("BatchSize " + std::to_string(row.batch_size));
    LogRun fx("kinesis", numbered(6, [](int i) { return plain(i); }), succeed);
    fx.config.scenario.workload = {{"arrival", "trickle"}};
    fx.esm()["MaximumBatchingWindowInSeconds"] = 5;
    fx.esm()["BatchSize"] = row.batch_size;
    RunResult r = fx.run();
    EXPECT_EQ(invoke_times(r), row.times);
    EXPECT_EQ(invoke_batches(r), row.batches);
  }
}

TEST(StreamPoll, BatchesAreSplitAtSixMegabytesAndAFullOneDoesNotWaitForTheWindow) {
  // Three records carrying 2.2 MB of base64 data each: two fit under 6,291,456 bytes
  // (SEMANTICS.md §0.6), three do not. With a 5 s window, the full batch goes at once; the
  // short rest waits for the window, opened when the previous invoke ended (t = 10).
  constexpr std::size_t kData = 2200000;
  LogRun fx("kinesis", numbered(3, [](int) { return Spec{Json(), "", std::string(kData, 'A')}; }), succeed);
  fx.decode = false;
  fx.burst();
  fx.esm()["MaximumBatchingWindowInSeconds"] = 5;
  RunResult r = fx.run();
  EXPECT_EQ(invoke_batches(r), (std::vector<std::vector<int>>{{0, 1}, {2}}));
  EXPECT_EQ(invoke_times(r), (std::vector<int64_t>{0, 5010}));
  // The records' serialized sizes, counted without serializing the data again.
  std::size_t record_bytes = 0;
  for (const auto& c : fx.config.input) {
    Json rec = c.event["Records"][0];
    rec["kinesis"]["data"] = "";
    record_bytes = std::max(record_bytes, dump(rec).size() + kData + 64);  // + the sequence number and ids the stream adds
  }
  EXPECT_LT(2 * record_bytes + 1024, 6291456u);
  EXPECT_GT(3 * (record_bytes - 64), 6291456u);
}

// --- 9. Kafka (SEMANTICS.md §3, §3.6, §4) --------------------------------------------------------

TEST(StreamPoll, KafkaPartitionsByMurmur2OfTheKeyWithOffsetsFromZeroPerPartition) {
  // Kafka's own murmur2 test vectors (clients UtilsTest): "21" → -973932308, "foobar" →
  // -790332482, "a-little-bit-longer-string" → -1486304829, "lkjh…" → -58897971; partition =
  // (hash & 0x7fffffff) mod 4.
  const std::map<std::string, int> partition_of = {{"21", 0},
                                                   {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 1},
                                                   {"foobar", 2},
                                                   {"a-little-bit-longer-string", 3}};
  std::vector<std::string> keys;
  for (const auto& [k, p] : partition_of) keys.push_back(k);
  LogRun fx("kafka-msk", numbered(12, [&keys](int i) { return plain(i, keys[static_cast<std::size_t>(i) % 4]); }), succeed);
  fx.burst();
  fx.config.scenario.stream = {{"NumPartitions", 4}};
  RunResult r = fx.run();
  std::set<std::string> topics;
  std::map<std::string, std::vector<int64_t>> offsets;
  std::size_t delivered = 0;
  for (const auto& s : fx.seen) {
    ASSERT_EQ(s.event["records"].size(), 1u);  // one partition per batch
    for (const auto& [group, recs] : s.event["records"].items()) {
      for (const auto& rec : recs) {
        const std::string key = key_of(rec);
        const int p = partition_of.at(key);
        EXPECT_EQ(rec["partition"], p) << key;
        EXPECT_EQ(group, rec["topic"].get<std::string>() + "-" + std::to_string(p));
        topics.insert(rec["topic"].get<std::string>());
        offsets[group].push_back(rec["offset"].get<int64_t>());
        ++delivered;
      }
    }
  }
  EXPECT_EQ(delivered, 12u);
  EXPECT_EQ(topics.size(), 1u);  // one mapping reads one topic
  ASSERT_EQ(offsets.size(), 4u);
  for (const auto& [group, o] : offsets) EXPECT_EQ(o, (std::vector<int64_t>{0, 1, 2})) << group;
}

TEST(StreamPoll, KafkaPartialResponseResumesFromTheReportedOffset) {
  LogRun fx("kafka-msk", numbered(5, [](int i) { return plain(i, "same"); }), [](const Seen& now, const std::vector<Seen>& log, Context&) -> Json {
    Json failures = Json::array();
    for (const auto& it : now.items)
      if (n_of(it) == 2 && log.size() == 1) failures.push_back({{"itemIdentifier", it.id}});
    return Json{{"batchItemFailures", failures}};
  });
  fx.burst();
  fx.esm()["FunctionResponseTypes"] = {"ReportBatchItemFailures"};
  RunResult r = fx.run();
  ASSERT_EQ(fx.seen.size(), 2u);
  const std::string group = fx.seen[0].event["records"].begin().key();
  EXPECT_EQ(fx.seen[0].items[2].id, (Json{{"partition", group}, {"offset", 2}}));
  std::vector<int64_t> retried;
  for (const auto& rec : fx.seen[1].event["records"][group]) retried.push_back(rec["offset"]);
  EXPECT_EQ(retried, (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(invoke_times(r), (std::vector<int64_t>{0, 510}));
  EXPECT_TRUE(r.findings.empty());
}

TEST(StreamPoll, KafkaInfiniteRetriesWithAnOnFailureDestinationStopAfterTenRetries) {
  LogRun fx("kafka-msk", {poisoned(0)}, throw_on_poison);
  fx.esm()["MaximumRetryAttempts"] = -1;
  fx.esm()["DestinationConfig"] = {{"OnFailure", {{"Destination", kFailDest}}}};
  RunResult r = fx.run();
  std::vector<int64_t> want;
  for (int k = 0; k <= 10; ++k) want.push_back(k * 510);
  EXPECT_EQ(invoke_times(r), want);  // SEMANTICS.md §3: capped at 10 retries, 11 invocations
  ASSERT_EQ(r.destinations[kFailDest].size(), 1u);
  Json rec = record_in(r.destinations[kFailDest][0]);
  EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 11);
  EXPECT_EQ(rec["requestContext"]["condition"], "RetryAttemptsExhausted");
  // SEMANTICS.md §3.4, §9: Kafka failure-record field names are not confirmed. evh's default:
  // "KafkaBatchInfo" {batchSize, topic, partition, firstRecordOffset, lastRecordOffset,
  // approximateArrivalOfFirstRecord, approximateArrivalOfLastRecord, eventSourceArn}.
  ASSERT_TRUE(rec.contains("KafkaBatchInfo"));
  EXPECT_EQ(keys_of(rec["KafkaBatchInfo"]),
            (std::set<std::string>{"batchSize", "topic", "partition", "firstRecordOffset", "lastRecordOffset",
                                   "approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord", "eventSourceArn"}));
  EXPECT_EQ(rec["KafkaBatchInfo"]["firstRecordOffset"], 0);
  EXPECT_EQ(rec["KafkaBatchInfo"]["batchSize"], 1);
  EXPECT_FALSE(r.gave_up);
}

// --- 10. Amazon MQ (SEMANTICS.md §3.7) -----------------------------------------------------------

TEST(StreamPoll, ActiveMqRedeliversWithTheRedeliveredFlagThenMovesTheBatchToTheBrokerDlq) {
  LogRun fx("mq-activemq", {plain(0), poisoned(1), plain(2)}, throw_on_poison);
  fx.burst();
  RunResult r = fx.run();
  std::vector<int64_t> want;
  for (int k = 0; k <= 5; ++k) want.push_back(k * 510);  // 1 + maximumRedeliveries 5, 500 ms polls
  EXPECT_EQ(invoke_times(r), want);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < fx.seen.size(); ++i) {
    EXPECT_EQ(fx.seen[i].ns(), (std::vector<int>{0, 1, 2}));
    for (const auto& m : fx.seen[i].event["messages"]) {
      EXPECT_EQ(m["redelivered"], i > 0) << "delivery " << i;
      ids.insert(m["messageID"].get<std::string>());
    }
  }
  std::set<std::string> dlq;
  for (const auto& m : r.destinations["ActiveMQ.DLQ"]) dlq.insert(m["messageID"].get<std::string>());
  EXPECT_EQ(dlq, ids);
  EXPECT_EQ(r.destinations["ActiveMQ.DLQ"].size(), 3u);
  EXPECT_FALSE(r.gave_up);
}

TEST(StreamPoll, RabbitMqGroupsMessagesByQueueAndRetriesUntilSuccess) {
  LogRun fx("mq-rabbitmq", numbered(4, [](int i) { return plain(i); }), [](const Seen&, const std::vector<Seen>& log, Context&) -> Json {
    if (log.size() <= 3) throw FunctionError("Error", "broker hiccup");
    return nullptr;
  });
  fx.burst();
  RunResult r = fx.run();
  EXPECT_EQ(invoke_times(r), (std::vector<int64_t>{0, 510, 1020, 1530}));
  for (std::size_t i = 0; i < fx.seen.size(); ++i) {
    const Json& groups = fx.seen[i].event["rmqMessagesByQueue"];
    ASSERT_EQ(groups.size(), 1u);  // one mapping consumes one queue
    EXPECT_NE(groups.begin().key().find("::"), std::string::npos) << groups.begin().key();  // "<queue>::<vhost>"
    EXPECT_EQ(fx.seen[i].ns(), (std::vector<int>{0, 1, 2, 3}));
    for (const auto& m : groups.begin().value()) EXPECT_EQ(m["redelivered"], i > 0);
  }
  EXPECT_EQ(actions(r, "checkpoint").size(), 1u);
  EXPECT_TRUE(r.destinations.empty());
  EXPECT_FALSE(r.gave_up);
}

// --- 11. DocumentDB (SEMANTICS.md §3.7, §7) ------------------------------------------------------

TEST(StreamPoll, DocumentDbDeliversInOrderOnOneLaneAndRetriesUntilSuccess) {
  LogRun fx("documentdb", numbered(10, [](int i) { return plain(i); }), [](const Seen& now, const std::vector<Seen>& log, Context&) -> Json {
    int seen4 = 0;
    for (const auto& s : log)
      for (int n : s.ns()) seen4 += n == 4;
    for (int n : now.ns())
      if (n == 4 && seen4 <= 2) throw FunctionError("Error", "not yet");
    return nullptr;
  });
  fx.burst();
  fx.esm()["BatchSize"] = 3;
  RunResult r = fx.run();
  EXPECT_EQ(invoke_batches(r), (std::vector<std::vector<int>>{{0, 1, 2}, {3, 4, 5}, {3, 4, 5}, {3, 4, 5}, {6, 7, 8}, {9}}));
  EXPECT_EQ(invoke_times(r), (std::vector<int64_t>{0, 10, 520, 1030, 1040, 1050}));
  for (const auto* e : actions(r, "invoke")) EXPECT_EQ((*e)["lane"], "change-stream");
  EXPECT_EQ(max_overlap(actions(r, "invoke")), 1u);
  EXPECT_FALSE(r.gave_up);
}

TEST(StreamPoll, DocumentDbEventsOutlivingTheChangeStreamDisableTheMapping) {
  // Retention 1 h (3 600 000 ms); each failing attempt lasts 899 s, then a 500 ms poll: attempts
  // at k × 899 500 ms while the event is at most 1 h old (k = 0..4); at k = 5 it has expired.
  LogRun fx("documentdb", {poisoned(0), plain(1)}, [](const Seen& now, const std::vector<Seen>& log, Context& ctx) -> Json {
    ctx.spend_ms(899000);
    return throw_on_poison(now, log, ctx);
  });
  fx.burst();
  fx.config.scenario.stream = {{"RetentionPeriodHours", 1}};
  fx.config.scenario.function.timeout = std::chrono::milliseconds(900000);
  RunResult r = fx.run();
  std::vector<int64_t> want;
  for (int k = 0; k <= 4; ++k) want.push_back(k * 899500);
  EXPECT_EQ(invoke_times(r), want);
  const auto disabled = actions(r, "disable");
  ASSERT_EQ(disabled.size(), 1u);
  EXPECT_EQ(t_of(disabled[0]), 5 * 899500);
  EXPECT_FALSE(r.gave_up);
}

TEST(StreamPoll, DocumentDbRetentionDefaultsToThreeHours) {
  // 3 h = 10 800 000 ms; attempts every 899.5 s: k = 0..12 (12 × 899 500 = 10 794 000), then off.
  LogRun fx("documentdb", {poisoned(0)}, [](const Seen& now, const std::vector<Seen>& log, Context& ctx) -> Json {
    ctx.spend_ms(899000);
    return throw_on_poison(now, log, ctx);
  });
  fx.config.scenario.function.timeout = std::chrono::milliseconds(900000);
  RunResult r = fx.run();
  EXPECT_EQ(fx.seen.size(), 13u);
  const auto disabled = actions(r, "disable");
  ASSERT_EQ(disabled.size(), 1u);
  EXPECT_EQ(t_of(disabled[0]), 13 * 899500);
}

// --- 12. FilterCriteria on streams (SEMANTICS.md §5, §8.5, §8b) ---------------------------------

TEST(StreamPoll, FilteredOutRecordsAreNeverDeliveredNorRetriedAndStillSettle) {
  struct Row {
    const char* source;
    const char* pattern;
    std::function<Json(int)> payload;
    std::vector<int> delivered;
  };
  auto keep_even = [](int i) { return Json{{"n", i}, {"keep", i % 2 == 0}}; };
  auto keep_yes = [](int i) { return Json{{"n", i}, {"keep", i % 2 == 0 ? "yes" : "no"}}; };
  auto number = [](int i) { return Json{{"n", i}, {"num", i}}; };
  const std::vector<Row> rows = {
      // Kinesis: the pattern reads `data` base64-decoded as JSON (§8.5).
      {"kinesis", R"({"data": {"keep": [true]}})", keep_even, {0, 2, 4}},
      // DynamoDB: on `dynamodb`, at the type level (§8.5).
      {"dynamodb-streams", R"({"dynamodb": {"NewImage": {"keep": {"S": ["yes"]}}}})", keep_yes, {0, 2, 4}},
      // DynamoDB N values are strings: numeric never matches them, anything-but "1" matches "4".
      {"dynamodb-streams", R"({"dynamodb": {"NewImage": {"num": {"N": [{"numeric": [">=", 0]}]}}}})", number, {}},
      {"dynamodb-streams", R"({"dynamodb": {"NewImage": {"num": {"N": [{"anything-but": ["1"]}]}}}})", number, {0, 2, 3, 4, 5}},
      // Kafka: on `value`, base64-decoded JSON.
      {"kafka-msk", R"({"value": {"keep": [true]}})", keep_even, {0, 2, 4}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.source) + " " + row.pattern);
    LogRun fx(row.source, numbered(6, [&row](int i) { return Spec{row.payload(i), "k"}; }), succeed);
    fx.burst();
    fx.esm()["FilterCriteria"] = {{"Filters", {{{"Pattern", row.pattern}}}}};
    RunResult r = fx.run();
    std::vector<int> delivered;
    for (const auto& s : fx.seen)
      for (int n : s.ns()) delivered.push_back(n);
    EXPECT_EQ(delivered, row.delivered);
    EXPECT_EQ(actions(r, "filter-drop").size(), 6 - row.delivered.size());
    EXPECT_LE(fx.seen.size(), 1u);
    EXPECT_FALSE(r.gave_up);  // dropped records count as settled
  }
}

// --- 13. Reserved concurrency (SEMANTICS.md §3.2, §7) -------------------------------------------

TEST(StreamPoll, ReservedConcurrencyThrottlesLanesWithoutCountingAttempts) {
  LogRun fx("kinesis", numbered(16, [](int i) { return i == 3 ? poisoned(i, "k3") : plain(i, "k" + std::to_string(i)); }),
            [](const Seen& now, const std::vector<Seen>& log, Context& ctx) -> Json {
              ctx.spend_ms(100);
              return throw_on_poison(now, log, ctx);
            });
  fx.burst();
  fx.config.scenario.stream = {{"ShardCount", 4}};
  fx.config.scenario.reserved_concurrency = 1;
  fx.esm()["MaximumRetryAttempts"] = 2;
  fx.esm()["DestinationConfig"] = {{"OnFailure", {{"Destination", kFailDest}}}};
  RunResult r = fx.run();
  const auto invokes = actions(r, "invoke");
  EXPECT_EQ(max_overlap(invokes), 1u);
  const auto throttles = actions(r, "throttle");
  ASSERT_FALSE(throttles.empty());
  for (const auto* e : throttles) {
    EXPECT_EQ((*e)["status"], 429);
    EXPECT_EQ((*e)["reason"], "ReservedFunctionConcurrentInvocationLimitExceeded");
  }
  ASSERT_EQ(r.destinations[kFailDest].size(), 1u);
  EXPECT_EQ(record_in(r.destinations[kFailDest][0])["requestContext"]["approximateInvokeCount"], 3);
  std::vector<int> attempts;
  for (const auto* e : invokes)
    if ((*e)["outcome"]["kind"] != "success") attempts.push_back((*e)["attempt"].get<int>());
  EXPECT_EQ(attempts, (std::vector<int>{1, 2, 3}));
  EXPECT_FALSE(r.gave_up);
}

TEST(StreamPoll, ZeroReservedConcurrencyInvokesNothingAndRecordsExpireAtRetention) {
  LogRun fx("kinesis", numbered(4, [](int i) { return plain(i, "k" + std::to_string(i)); }), succeed);
  fx.burst();
  fx.config.scenario.stream = {{"ShardCount", 2}};
  fx.config.scenario.reserved_concurrency = 0;
  RunResult r = fx.run();
  EXPECT_TRUE(fx.seen.empty());
  EXPECT_EQ(r.invocations, 0u);
  EXPECT_TRUE(actions(r, "invoke").empty());
  const auto expired = actions(r, "expire");
  EXPECT_EQ(expired.size(), 4u);
  for (const auto* e : expired) EXPECT_GT(t_of(e), 24 * 3600 * 1000);
}

// --- 14. Duplicate delivery (SEMANTICS.md §3 at-least-once; fault_plan.h) ------------------------

TEST(StreamPoll, DuplicateDeliveryFaultRedeliversABatchAndLosesNothing) {
  LogRun fx("kinesis", numbered(6, [](int i) { return plain(i); }), succeed);
  fx.burst();
  fx.esm()["BatchSize"] = 3;
  fx.config.faults = *FaultPlan::parse("duplicate-delivery=1");
  RunResult r = fx.run();
  EXPECT_EQ(invoke_batches(r), (std::vector<std::vector<int>>{{0, 1, 2}, {0, 1, 2}, {3, 4, 5}, {3, 4, 5}}));
  std::size_t dups = 0;
  for (const auto* e : actions(r, "fault")) dups += (*e)["fault"] == "duplicate-delivery";
  EXPECT_EQ(dups, 2u);
  auto by_seq = n_by_seq(r);
  std::set<int> checkpointed;
  for (const auto* e : actions(r, "checkpoint")) checkpointed.insert(by_seq.at((*e)["seq"]));
  EXPECT_EQ(checkpointed, (std::set<int>{2, 5}));
  EXPECT_FALSE(r.gave_up);
}

// --- 15. Determinism (STYLE.md §7.8) -------------------------------------------------------------

TEST(StreamPoll, TheSameSeedGivesTheSameTrace) {
  auto once = [](uint64_t seed) {
    StreamRun fx("kinesis", Style::kThrowOnPoison, 40, 0.1);
    fx.config.seed = seed;
    fx.config.scenario.stream = {{"ShardCount", 2}};
    fx.esm()["ParallelizationFactor"] = 2;
    fx.esm()["BisectBatchOnFunctionError"] = true;
    fx.esm()["MaximumRetryAttempts"] = 1;
    fx.esm()["DestinationConfig"] = {{"OnFailure", {{"Destination", kS3Dest}}}};
    fx.config.faults = *FaultPlan::parse("duplicate-delivery=0.2,throttle=0.2");
    RunResult r = fx.run();
    Json all = Json::array();
    for (const auto& e : r.trace.entries()) all.push_back(e);
    return std::make_pair(dump(all), dump(r.destinations));
  };
  const auto a = once(21), b = once(21), c = once(22);
  EXPECT_EQ(a.first, b.first);
  EXPECT_EQ(a.second, b.second);
  EXPECT_NE(a.first, c.first);
}

}  // namespace
}  // namespace evh::harness
