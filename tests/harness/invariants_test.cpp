// The invariants of the batch, order, effects and delivery families (harness/invariant.cpp), each
// against a handler with exactly its bug and against the correct twin: the buggy one is reported
// with that invariant id and no other, the twin passes.
#include <gtest/gtest.h>

#include <mutex>
#include <set>

#include "generators/catalog.h"
#include "generators/codec.h"
#include "harness/contract.h"
#include "harness/run.h"

namespace evh::harness {
namespace {

bool poison(const Json& rec) {
  auto body = rec.find("body");
  return body != rec.end() && body->is_string() && body->get<std::string>().find("\"poison\"") != std::string::npos;
}

struct PollRun {
  EffectsSink sink;
  RunConfig config;
  Handler handler;

  PollRun(const std::string& source, Handler h, int records = 20) : handler(std::move(h)) {
    config.source = &**find_source(source);
    config.mode = Mode::kPoll;
    config.seed = 21;
    config.cases = static_cast<uint64_t>(records);
    config.batch_size = 1;
    config.mutate = MutateFilter::kNone;
    config.shrink = false;  // the findings as found (shrinking has its own tests)
    config.scenario.workload = {{"arrival", "burst"}, {"poison", {{"rate", 0.2}, {"payload", {{"poison", true}}}}}};
    if (source == "sqs-fifo") config.scenario.workload["keys"] = 2;
    config.scenario.event_source_mapping = {{"BatchSize", 10}, {"FunctionResponseTypes", {"ReportBatchItemFailures"}}};
    config.scenario.queue = {{"VisibilityTimeout", 30},
                             {"RedrivePolicy", {{"deadLetterTargetArn", source == "sqs-fifo" ? "arn:aws:sqs:us-east-1:123456789012:dlq.fifo"
                                                                                             : "arn:aws:sqs:us-east-1:123456789012:dlq"},
                                                {"maxReceiveCount", 2}}}};
  }
  RunResult run() {
    TargetOptions o;
    o.effects = &sink;
    auto target = make_in_process_target(handler, "test", o);
    auto r = harness::run(config, *target, sink);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return std::move(*r);
  }
};

std::set<std::string> ids_found(const RunResult& r) {
  std::set<std::string> ids;
  for (const auto& f : r.findings) ids.insert(f.finding.invariant);
  return ids;
}

std::string verdict_of(const RunResult& r, const std::string& id) {
  for (const auto& v : r.verdicts)
    if (v.id == id) return v.status();
  return "absent";
}

// A correct SQS handler: processes every good record, lists the poison ones, one side effect per
// message id done once.
Handler correct_sqs() {
  auto done = std::make_shared<std::set<std::string>>();
  return [done](const Json& event, Context& ctx) -> Json {
    Json failures = Json::array();
    for (const auto& rec : event["Records"]) {
      const std::string id = rec["messageId"];
      if (poison(rec)) {
        ctx.failed(id);
        failures.push_back({{"itemIdentifier", id}});
        continue;
      }
      if (done->insert(id).second) ctx.side_effect(id, "charge-" + id);
      ctx.processed(id);
    }
    return Json{{"batchItemFailures", failures}};
  };
}

TEST(Invariants, CorrectTwinHoldsEveryInvariantItExercises) {
  for (const char* source : {"sqs", "sqs-fifo"}) {
    PollRun run(source, correct_sqs());
    run.config.faults = *FaultPlan::parse("duplicate-delivery=0.3");
    RunResult r = run.run();
    EXPECT_TRUE(r.findings.empty()) << source << ": " << r.findings.front().finding.invariant << " " << r.findings.front().finding.message;
    for (const char* id : {"batch.identifiers", "batch.failures-reported", "batch.partial-not-whole", "idempotency.effects", "delivery.no-loss"})
      EXPECT_EQ(verdict_of(r, id), "held") << source << " " << id;
    EXPECT_EQ(verdict_of(r, "order.per-key"), std::string(source) == "sqs-fifo" ? "held" : "not-exercised") << source;
  }
}

TEST(Invariants, WrongItemIdentifierIsBatchIdentifiersOnly) {
  PollRun run("sqs", [](const Json& event, Context& ctx) -> Json {
    Json failures = Json::array();
    for (const auto& rec : event["Records"]) {
      ctx.processed(rec["messageId"]);
      if (poison(rec)) failures.push_back({{"itemIdentifier", rec["receiptHandle"]}});  // the bug: not the messageId
    }
    return Json{{"batchItemFailures", failures}};
  });
  RunResult r = run.run();
  EXPECT_EQ(ids_found(r), (std::set<std::string>{"batch.identifiers"}));
  ASSERT_FALSE(r.findings.empty());
  EXPECT_NE(r.findings.front().finding.message.find("itemIdentifier"), std::string::npos) << r.findings.front().finding.message;
}

TEST(Invariants, SwallowedFailureIsBatchFailuresReported) {
  PollRun run("sqs", [](const Json& event, Context& ctx) -> Json {
    for (const auto& rec : event["Records"]) {
      if (poison(rec)) {
        ctx.failed(rec["messageId"]);  // noticed, logged... and not reported
      } else {
        ctx.processed(rec["messageId"]);
      }
    }
    return Json{{"batchItemFailures", Json::array()}};
  });
  RunResult r = run.run();
  EXPECT_EQ(ids_found(r), (std::set<std::string>{"batch.failures-reported"}));
  std::size_t poison_records = 0;
  for (const auto& e : r.trace.entries()) poison_records += e["action"] == "send" && e.value("poison", false);
  EXPECT_GT(poison_records, 0u);
  EXPECT_EQ(r.findings.size(), poison_records);  // one per swallowed record, each delivered once
}

TEST(Invariants, ThrowingForOneBadRecordIsPartialNotWholeWithTheNeedlessRedeliveries) {
  PollRun run("sqs", [](const Json& event, Context& ctx) -> Json {
    for (const auto& rec : event["Records"]) {
      if (poison(rec)) throw FunctionError("PoisonError", "bad record");
      ctx.processed(rec["messageId"]);
    }
    return nullptr;
  });
  RunResult r = run.run();
  EXPECT_EQ(ids_found(r), (std::set<std::string>{"batch.partial-not-whole"}));
  ASSERT_FALSE(r.findings.empty());
  const Json& ev = r.findings.front().finding.evidence;
  EXPECT_GE(ev["needlessRedeliveries"].get<int>(), 1);
  EXPECT_LT(ev["needlessRedeliveries"].get<int>(), ev["batchSize"].get<int>());
}

TEST(Invariants, ReorderingAFifoGroupIsOrderPerKey) {
  PollRun run("sqs-fifo", [](const Json& event, Context& ctx) -> Json {
    const Json& recs = event["Records"];
    for (auto it = recs.rbegin(); it != recs.rend(); ++it) ctx.processed((*it)["messageId"]);  // the bug: newest first
    return nullptr;
  });
  run.config.scenario.workload.erase("poison");
  RunResult r = run.run();
  EXPECT_EQ(ids_found(r), (std::set<std::string>{"order.per-key"}));
  ASSERT_FALSE(r.findings.empty());
  EXPECT_NE(r.findings.front().finding.message.find("out of delivery order"), std::string::npos);
}

TEST(Invariants, SideEffectRepeatedUnderDuplicatesIsIdempotencyEffects) {
  PollRun run("sqs", [](const Json& event, Context& ctx) -> Json {
    for (const auto& rec : event["Records"]) {
      ctx.side_effect(rec["messageId"], "charge-" + rec["messageId"].get<std::string>());  // the bug: no dedup
      ctx.processed(rec["messageId"]);
    }
    return nullptr;
  });
  run.config.scenario.workload.erase("poison");
  run.config.faults = *FaultPlan::parse("duplicate-delivery=0.5");
  RunResult r = run.run();
  EXPECT_EQ(ids_found(r), (std::set<std::string>{"idempotency.effects"}));
  // Without duplicates nothing is done twice: the same handler holds.
  PollRun calm("sqs", run.handler);
  calm.config.scenario.workload.erase("poison");
  EXPECT_TRUE(calm.run().findings.empty());
}

TEST(Invariants, AcknowledgingAnUnprocessedRecordIsDeliveryNoLoss) {
  PollRun run("sqs", [](const Json& event, Context& ctx) -> Json {
    const Json& recs = event["Records"];
    for (std::size_t i = 0; i + 1 < recs.size(); ++i) ctx.processed(recs[i]["messageId"]);  // the bug: the last one is dropped
    return nullptr;
  });
  run.config.scenario.workload.erase("poison");
  RunResult r = run.run();
  EXPECT_EQ(ids_found(r), (std::set<std::string>{"delivery.no-loss"}));
  EXPECT_EQ(r.findings.size(), 2u);  // 20 records in batches of 10: the last of each
}

TEST(Invariants, AStreamHandlerThatStopsAtTheFirstFailureLosesNothing) {
  // AWS's documented stream pattern: process in order, return the first failure and stop. The
  // records after it are not acknowledged (the checkpoint stays before it), so none is lost.
  EffectsSink sink;
  TargetOptions o;
  o.effects = &sink;
  auto target = make_in_process_target(
      [](const Json& event, Context& ctx) -> Json {
        for (const auto& rec : event["Records"]) {
          const std::string seq = rec["kinesis"]["sequenceNumber"];
          auto data = codec::base64_decode(rec["kinesis"]["data"].get<std::string>());
          if (data && data->find("\"poison\"") != std::string::npos) return Json{{"batchItemFailures", {{{"itemIdentifier", seq}}}}};
          ctx.processed(seq);
        }
        return nullptr;
      },
      "kinesis-stop-at-first", o);
  RunConfig config;
  config.source = &**find_source("kinesis");
  config.mode = Mode::kPoll;
  config.seed = 4;
  config.cases = 30;
  config.batch_size = 1;
  config.mutate = MutateFilter::kNone;
  config.shrink = false;
  config.faults = *FaultPlan::parse("duplicate-delivery=0.3");
  config.scenario.workload = {{"arrival", "burst"}, {"poison", {{"rate", 0.1}, {"payload", {{"poison", true}}}}}};
  config.scenario.event_source_mapping = {{"BatchSize", 10}, {"FunctionResponseTypes", {"ReportBatchItemFailures"}}, {"MaximumRetryAttempts", 1}};
  auto r = run(config, *target, sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(verdict_of(*r, "delivery.no-loss"), "held");
  EXPECT_TRUE(r->findings.empty()) << r->findings.front().finding.invariant << ": " << r->findings.front().finding.message;
}

TEST(Invariants, OversizedResponseIsLimitsPayloadNotContractResponse) {
  EffectsSink sink;
  TargetOptions o;
  o.effects = &sink;
  auto target = make_in_process_target(
      [](const Json&, Context&) -> Json {
        return Json{{"version", "1.0"},
                    {"response", {{"outputSpeech", {{"type", "PlainText"}, {"text", std::string(7000, 'a')}}},
                                  {"card", {{"type", "Simple"}, {"title", "t"}, {"content", std::string(7000, 'b')}}},
                                  {"reprompt", {{"outputSpeech", {{"type", "PlainText"}, {"text", std::string(7000, 'c')}}}}},
                                  {"shouldEndSession", true}}},
                    {"sessionAttributes", {{"pad", std::string(6000, 'd')}}}};
      },
      "big", o);
  RunConfig config;
  config.source = &**find_source("alexa-skill");
  config.cases = 2;
  config.mutate = MutateFilter::kNone;
  config.shrink = false;
  auto r = run(config, *target, sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(ids_found(*r), (std::set<std::string>{"limits.payload"})) << r->findings.front().finding.message;
  EXPECT_NE(r->findings.front().finding.message.find("24576"), std::string::npos) << r->findings.front().finding.message;
}

TEST(Invariants, CheckpointSelfCheckHoldsOnStreamsAndFlagsASkippedRecord) {
  // A Kinesis run with partial batch responses: every batch starts at the checkpoint.
  EffectsSink sink;
  TargetOptions o;
  o.effects = &sink;
  auto target = make_in_process_target(
      [](const Json& event, Context&) -> Json {
        Json failures = Json::array();
        for (const auto& rec : event["Records"]) {
          auto data = codec::base64_decode(rec["kinesis"]["data"].get<std::string>());
          if (data && data->find("\"poison\"") != std::string::npos) failures.push_back({{"itemIdentifier", rec["kinesis"]["sequenceNumber"]}});
        }
        return Json{{"batchItemFailures", failures}};
      },
      "kinesis", o);
  RunConfig config;
  config.source = &**find_source("kinesis");
  config.mode = Mode::kPoll;
  config.seed = 5;
  config.cases = 40;
  config.batch_size = 1;
  config.mutate = MutateFilter::kNone;
  config.scenario.workload = {{"arrival", "burst"}, {"keys", 4}, {"poison", {{"rate", 0.1}, {"payload", {{"poison", true}}}}}};
  config.scenario.stream = {{"ShardCount", 2}};
  config.scenario.event_source_mapping = {{"BatchSize", 10},
                                          {"FunctionResponseTypes", {"ReportBatchItemFailures"}},
                                          {"MaximumRetryAttempts", 1},
                                          {"DestinationConfig", {{"OnFailure", {{"Destination", "arn:aws:sqs:us-east-1:123456789012:f"}}}}}};
  auto r = run(config, *target, sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(verdict_of(*r, "delivery.checkpoint"), "held");
  EXPECT_TRUE(r->findings.empty());

  // The same check over a trace where a lane's second batch skips a record.
  const Invariant* inv = find_invariant("delivery.checkpoint");
  ASSERT_NE(inv, nullptr);
  CaseRun cr;
  Case kase;
  cr.kase = &kase;
  Attempt a;
  a.request_id = "r2";
  cr.attempts.push_back(a);
  std::vector<Json> trace = {
      {{"action", "send"}, {"lane", "s0"}, {"seq", "1"}}, {{"action", "send"}, {"lane", "s0"}, {"seq", "2"}},
      {{"action", "send"}, {"lane", "s0"}, {"seq", "3"}}, {{"action", "invoke"}, {"lane", "s0"}, {"requestId", "r1"}, {"records", {"1"}}},
      {{"action", "checkpoint"}, {"lane", "s0"}, {"seq", "1"}}, {{"action", "invoke"}, {"lane", "s0"}, {"requestId", "r2"}, {"records", {"3"}}}};
  InvariantContext ctx{**find_source("kinesis")};
  ctx.trace = &trace;
  std::vector<RunFinding> found;
  EXPECT_EQ(inv->check_runs({&cr}, ctx, found), 2u);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].finding.message.find("2 before it was never checkpointed"), std::string::npos) << found[0].finding.message;
}

}  // namespace
}  // namespace evh::harness
