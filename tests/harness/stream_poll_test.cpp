// Poll mode on ordered logs (SEMANTICS.md §3.2–§3.7, §4, §8.1, §8.3): shards, parallelization,
// retries, bisect, the checkpoint after a partial batch response, record age, failure records,
// tumbling windows, Kafka partitions, Amazon MQ redelivery and DocumentDB, on the virtual clock.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "generators/catalog.h"
#include "generators/payload.h"
#include "harness/run.h"

namespace evh::harness {
namespace {

constexpr const char* kFailDest = "arn:aws:sqs:us-east-1:123456789012:failures";

// The payloads of a batch's records, with their ids as itemIdentifier carries them.
struct Item {
  Json id;
  Json payload;
};

std::vector<Item> items(const Source& source, const Json& event) {
  std::vector<Item> out;
  for (const auto& p : record_pointers(source, event)) {
    const Json* rec = find_at(event, p);
    if (rec == nullptr) continue;
    Item it;
    auto payloads = record_payloads(source, *rec);
    it.payload = payloads && !payloads->empty() ? (*payloads)[0].value : Json();
    if (source.identity.grouped) {
      std::string group = p.substr(source.identity.records.size() + 1);
      group = group.substr(0, group.find('/'));
      it.id = Json{{"partition", group}, {"offset", rec->value("offset", int64_t{0})}};
    } else if (const Json* id = find_at(*rec, source.identity.id)) {
      it.id = *id;
    }
    out.push_back(std::move(it));
  }
  return out;
}

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
    config.scenario.event_source_mapping = {{"BatchSize", 10}, {"MaximumBatchingWindowInSeconds", 0}};
    config.scenario.workload = {{"arrival", "burst"}, {"keys", 16}};
    if (poison_rate > 0) config.scenario.workload["poison"] = {{"rate", poison_rate}, {"payload", {{"poison", true}}}};
  }
  Json& esm() { return config.scenario.event_source_mapping; }
  RunResult run() {
    auto r = harness::run(config, *target, sink);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return std::move(*r);
  }
};

std::vector<const Json*> actions(const RunResult& r, const char* action) {
  std::vector<const Json*> out;
  for (const auto& e : r.trace.entries())
    if (e["action"] == action) out.push_back(&e);
  return out;
}

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
  // Redeliveries carry redelivered: true.
  bool redelivered = false;
  for (const auto& b : r.findings) (void)b;
  for (const auto* e : actions(r, "invoke")) redelivered = redelivered || (*e)["attempt"].get<int>() > 1;
  EXPECT_TRUE(redelivered);
}

}  // namespace
}  // namespace evh::harness
