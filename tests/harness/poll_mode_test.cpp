// Poll mode on queues (SEMANTICS.md §3.1, §4, §8.3, §8.4): batching, visibility timeout, redrive,
// partial batch responses and FIFO group order, on the virtual clock.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "examples/builtin.h"
#include "generators/catalog.h"
#include "harness/run.h"
#include "tests/harness/poll_test_support.h"

namespace evh::harness {
namespace {

constexpr const char* kDlq = "arn:aws:sqs:us-east-1:123456789012:dlq";

struct PollRun {
  EffectsSink sink;
  TargetOptions options;
  std::unique_ptr<Target> target;
  RunConfig config;

  // "apigw-fragile" throws on every SQS event (no requestContext): a batch that always fails.
  PollRun(const std::string& source, const std::string& handler, uint64_t cases) {
    options.effects = &sink;
    target = make_in_process_target(*examples::find_builtin(handler), "builtin:" + handler, options);
    config.source = &**find_source(source);
    config.mode = Mode::kPoll;
    config.seed = 11;
    config.cases = cases;
    config.mutate = MutateFilter::kNone;
    config.shrink = false;  // handler calls are counted: no shrinking re-runs
    config.scenario.event_source_mapping = {{"BatchSize", 10}, {"MaximumBatchingWindowInSeconds", 0},
                                            {"FunctionResponseTypes", {"ReportBatchItemFailures"}}};
    config.scenario.queue = {{"VisibilityTimeout", 30},
                             {"RedrivePolicy", {{"deadLetterTargetArn", kDlq}, {"maxReceiveCount", 3}}}};
  }
  RunResult run() { return testing::run_ok(config, *target, sink); }
};

using testing::trace_actions;
std::vector<const Json*> actions(const RunResult& r, const char* action) { return trace_actions(r, action); }

TEST(PollQueue, BatchesNeverExceedBatchSizeAndSuccessDeletesEverything) {
  PollRun fx("sqs", "sqs-partial", 8);
  RunResult r = fx.run();
  std::size_t sent = actions(r, "send").size(), deleted = 0;
  ASSERT_GT(sent, 10u);
  for (const auto* e : actions(r, "invoke")) EXPECT_LE((*e)["records"].size(), 10u);
  for (const auto* e : actions(r, "delete")) deleted += (*e)["records"].size();
  EXPECT_EQ(deleted, sent);
  EXPECT_TRUE(r.destinations.empty());
  EXPECT_TRUE(r.findings.empty());
}

TEST(PollQueue, FailedMessagesReappearAfterTheVisibilityTimeoutThenGoToTheDlq) {
  PollRun fx("sqs", "apigw-fragile", 2);
  RunResult r = fx.run();
  const std::size_t sent = actions(r, "send").size();
  ASSERT_EQ(r.destinations[kDlq].size(), sent);  // every message, after maxReceiveCount receives
  std::map<std::string, std::vector<int64_t>> receives;
  for (const auto* e : actions(r, "receive"))
    for (const auto& id : (*e)["records"]) receives[id.get<std::string>()].push_back((*e)["t"].get<int64_t>());
  for (const auto& [id, times] : receives) {
    ASSERT_EQ(times.size(), 3u) << id;  // maxReceiveCount
    EXPECT_GE(times[1] - times[0], 30000) << id;
    EXPECT_GE(times[2] - times[1], 30000) << id;
  }
  EXPECT_EQ(actions(r, "redrive").size(), sent);
}

TEST(PollQueue, PartialBatchResponseRetriesOnlyTheReportedMessages) {
  PollRun fx("sqs", "sqs-partial", 0);
  EventGenerator gen(*fx.config.source, PayloadContract::builtin());
  gen.set_batch_size(3);
  Case c = gen.generate(5);
  c.event["Records"][1]["body"] = "";  // sqs-partial reports this one
  const std::string bad = c.event["Records"][1]["messageId"];
  fx.config.input = {c};
  RunResult r = fx.run();
  auto invokes = actions(r, "invoke");
  ASSERT_GE(invokes.size(), 2u);
  EXPECT_EQ((*invokes[0])["records"].size(), 3u);
  EXPECT_EQ((*invokes[0])["failed"], Json::array({bad}));
  for (std::size_t i = 1; i < invokes.size(); ++i) EXPECT_EQ((*invokes[i])["records"], Json::array({bad}));
  EXPECT_EQ(r.destinations[kDlq].size(), 1u);

  // Without ReportBatchItemFailures the response is ignored: the function returned, all deleted.
  PollRun off("sqs", "sqs-partial", 0);
  off.config.scenario.event_source_mapping.erase("FunctionResponseTypes");
  off.config.input = {c};
  RunResult r2 = off.run();
  EXPECT_EQ(actions(r2, "invoke").size(), 1u);
  EXPECT_TRUE(r2.destinations.empty());
}

TEST(PollQueue, FifoDeliversEachGroupInSendOrderWithOneBatchInFlight) {
  PollRun fx("sqs-fifo", "apigw-fragile", 6);
  RunResult r = fx.run();
  std::map<std::string, std::vector<std::string>> sent_order, first_receive;
  std::map<std::string, std::string> group_of;
  for (const auto* e : actions(r, "send")) {
    sent_order[(*e)["group"].get<std::string>()].push_back((*e)["id"].get<std::string>());
    group_of[(*e)["id"].get<std::string>()] = (*e)["group"].get<std::string>();
  }
  std::set<std::string> seen;
  for (const auto* e : actions(r, "receive"))
    for (const auto& id : (*e)["records"])
      if (seen.insert(id.get<std::string>()).second) first_receive[group_of[id.get<std::string>()]].push_back(id.get<std::string>());
  ASSERT_FALSE(sent_order.empty());
  for (const auto& [group, ids] : sent_order) EXPECT_EQ(first_receive[group], ids) << group;
}

TEST(PollQueue, FilteredOutMessagesAreDeletedWithoutDelivery) {
  PollRun fx("sqs", "sqs-partial", 0);
  EventGenerator gen(*fx.config.source, PayloadContract::builtin());
  gen.set_batch_size(4);
  Case c = gen.generate(8);
  for (std::size_t i = 0; i < 4; ++i)
    c.event["Records"][i]["body"] = Json{{"kind", i % 2 ? "order" : "ping"}, {"n", i}}.dump();
  fx.config.input = {c};
  fx.config.scenario.event_source_mapping["FilterCriteria"] = {{"Filters", {{{"Pattern", R"({"body": {"kind": ["order"]}})"}}}}};
  RunResult r = fx.run();
  EXPECT_EQ(actions(r, "filter-drop").size(), 2u);
  auto invokes = actions(r, "invoke");
  ASSERT_EQ(invokes.size(), 1u);
  EXPECT_EQ((*invokes[0])["records"].size(), 2u);
  EXPECT_TRUE(r.destinations.empty());
}

TEST(PollQueue, APoisonMessageWithoutRedriveSpendsTheBudgetAndIsReportedAsGaveUp) {
  PollRun fx("sqs", "apigw-fragile", 1);
  fx.config.scenario.queue.erase("RedrivePolicy");
  RunResult r = fx.run();
  EXPECT_TRUE(r.gave_up);
  EXPECT_NE(r.gave_up_reason.find("still in the queue"), std::string::npos) << r.gave_up_reason;
  EXPECT_EQ(r.exit_code(), 1);  // never a pass
  EXPECT_EQ(r.to_json()["verdict"], "gave-up");
}

// Processes the first record with an id, then throws: with ReportBatchItemFailures that is
// batch.partial-not-whole, once per attempt of the same batch.
std::unique_ptr<Target> process_one_then_throw(EffectsSink& sink) {
  TargetOptions o;
  o.effects = &sink;
  return make_in_process_target(
      [](const Json& event, Context& ctx) -> Json {
        const Json& id = event["Records"][0]["messageId"];
        if (id.is_string()) ctx.processed(id.get<std::string>());
        throw FunctionError("Error", "the rest of the batch is not processed");
      },
      "process-one-then-throw", o);
}

TEST(PollQueue, ABatchFailingTheSameWayOnEveryRetryIsOneFindingThatCountsItsRepeats) {
  PollRun fx("sqs", "sqs-correct", 0);
  fx.config.scenario.queue.erase("RedrivePolicy");  // retried until the budget is spent
  EventGenerator gen(*fx.config.source, PayloadContract::builtin());
  gen.set_batch_size(3);
  fx.config.input = {gen.generate(7)};
  auto target = process_one_then_throw(fx.sink);
  RunResult r = testing::run_ok(fx.config, *target, fx.sink);
  ASSERT_TRUE(r.gave_up);
  const auto invokes = actions(r, "invoke").size();
  ASSERT_GT(invokes, 100u);
  std::size_t partial = 0;
  for (const auto& f : r.findings) {
    if (f.finding.invariant != "batch.partial-not-whole") continue;
    ++partial;
    EXPECT_EQ(f.finding.evidence.value("repeats", 0u), invokes);
  }
  EXPECT_EQ(partial, 1u);
  for (const auto& v : r.verdicts) {
    if (v.id == "batch.partial-not-whole") {
      EXPECT_EQ(v.findings, 1u);
    }
  }
}

TEST(PollQueue, ThrowingForARecordWithoutAMessageIdIsNotPartialNotWhole) {
  PollRun fx("sqs", "sqs-correct", 0);
  EventGenerator gen(*fx.config.source, PayloadContract::builtin());
  gen.set_batch_size(3);
  Case named = gen.generate(8);
  Case unnamed = named;
  unnamed.event["Records"][1]["messageId"] = nullptr;  // illegal: nothing a batchItemFailures entry can name
  auto partial_findings = [&](const Case& c) {
    fx.config.input = {c};
    auto target = process_one_then_throw(fx.sink);
    RunResult r = testing::run_ok(fx.config, *target, fx.sink);
    std::size_t n = 0;
    for (const auto& f : r.findings) n += f.finding.invariant == "batch.partial-not-whole";
    return n;
  };
  EXPECT_EQ(partial_findings(named), 1u);  // every record could have been listed
  EXPECT_EQ(partial_findings(unnamed), 0u);
}

// A handler that takes `ms` of virtual time and succeeds: lets batches overlap in time.
std::unique_ptr<Target> slow_target(EffectsSink& sink, int64_t ms, bool fail = false) {
  TargetOptions o;
  o.effects = &sink;
  return make_in_process_target(
      [ms, fail](const Json&, Context& ctx) -> Json {
        ctx.spend_ms(ms);
        if (fail) throw FunctionError("Error", "always fails");
        return nullptr;
      },
      "slow", o);
}

// The largest number of invocations in flight at one virtual instant.
std::size_t max_overlap(const RunResult& r) {
  std::vector<std::pair<int64_t, int>> edges;
  for (const auto* e : actions(r, "invoke")) {
    const int64_t t = (*e)["t"], d = (*e)["outcome"].value("durationMs", int64_t{0});
    edges.push_back({t, 1});
    edges.push_back({t + d, -1});
  }
  std::sort(edges.begin(), edges.end());
  int now = 0, best = 0;
  for (auto [t, d] : edges) best = std::max(best, now += d);
  return static_cast<std::size_t>(best);
}

TEST(PollQueue, MappingStartsWithFiveConcurrentBatchesAndMaximumConcurrencyCapsThem) {
  PollRun fx("sqs", "noop", 0);
  fx.config.cases = 100;
  fx.target = slow_target(fx.sink, 2000);
  RunResult r = fx.run();
  // SEMANTICS.md §3.1, §7: 5 concurrent invokes at first, then up to 300 more a minute (evh: 5 a
  // second); each batch takes 2 s, so the first second sees exactly 5 invocations start.
  std::size_t first_second = 0;
  for (const auto* e : actions(r, "invoke")) first_second += (*e)["t"].get<int64_t>() < 1000;
  EXPECT_EQ(first_second, 5u);
  EXPECT_GT(max_overlap(r), 5u);
  PollRun capped("sqs", "noop", 0);
  capped.config.cases = 100;
  capped.target = slow_target(capped.sink, 2000);
  capped.config.scenario.event_source_mapping["ScalingConfig"] = {{"MaximumConcurrency", 2}};
  RunResult r2 = capped.run();
  EXPECT_EQ(max_overlap(r2), 2u);
  EXPECT_TRUE(r2.findings.empty());
}

TEST(PollQueue, ReservedConcurrencyBelowTheMappingsThrottlesAndMessagesReachTheDlq) {
  // SEMANTICS.md §7: throttled receives come back after the visibility timeout and count toward
  // maxReceiveCount, so messages can reach the DLQ without the function ever failing.
  PollRun fx("sqs", "noop", 0);
  fx.config.cases = 60;
  fx.target = slow_target(fx.sink, 20000);
  fx.config.scenario.reserved_concurrency = 1;
  fx.config.scenario.queue["RedrivePolicy"]["maxReceiveCount"] = 1;
  RunResult r = fx.run();
  EXPECT_EQ(max_overlap(r), 1u);
  EXPECT_FALSE(actions(r, "throttle").empty());
  for (const auto* e : actions(r, "throttle")) EXPECT_EQ((*e)["reason"], "ReservedFunctionConcurrentInvocationLimitExceeded");
  EXPECT_FALSE(r.destinations[kDlq].empty());
}

TEST(PollQueue, WindowLongerThanVisibilityMakesTheEffectiveVisibilityWindowPlusTimeoutPlus30s) {
  // SEMANTICS.md §3.1: window 20 s + timeout 3 s > visibility 10 s → 20 + 3 + 30 = 53 s.
  PollRun fx("sqs", "noop", 0);
  fx.config.cases = 1;
  fx.config.batch_size = 1;
  fx.target = slow_target(fx.sink, 10, /*fail=*/true);
  fx.config.scenario.event_source_mapping["MaximumBatchingWindowInSeconds"] = 20;
  fx.config.scenario.queue["VisibilityTimeout"] = 10;
  RunResult r = fx.run();
  auto receives = actions(r, "receive");
  ASSERT_GE(receives.size(), 2u);
  EXPECT_EQ((*receives[0])["t"], 20000);  // the window held the short batch for 20 s
  EXPECT_EQ((*receives[1])["t"].get<int64_t>() - (*receives[0])["t"].get<int64_t>(), 53000 + 20000);
}

TEST(PollQueue, FifoProducerResendWithinFiveMinutesIsDeduplicated) {
  PollRun fx("sqs-fifo", "noop", 20);
  fx.config.scenario.workload = {{"duplicates", 0.5}};
  RunResult r = fx.run();
  const auto dedups = actions(r, "dedup").size();
  EXPECT_GT(dedups, 0u);
  std::set<std::string> ids;
  for (const auto* e : actions(r, "send")) EXPECT_TRUE(ids.insert((*e)["id"].get<std::string>()).second);
  // A standard queue takes the resend as a new message (a new messageId).
  PollRun std_q("sqs", "noop", 20);
  std_q.config.scenario.workload = {{"duplicates", 0.5}};
  RunResult r2 = std_q.run();
  std::size_t dup_sends = 0;
  for (const auto* e : actions(r2, "send")) dup_sends += (*e)["duplicate"].get<bool>();
  EXPECT_GT(dup_sends, 0u);
  EXPECT_TRUE(actions(r2, "dedup").empty());
}

}  // namespace
}  // namespace evh::harness
