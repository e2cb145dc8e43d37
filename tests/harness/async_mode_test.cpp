// Async mode (SEMANTICS.md §2, §8.1, §8.2): retries, event age, destinations and the DLQ, on
// the virtual clock, with in-process handlers.
#include <gtest/gtest.h>

#include <sstream>

#include "examples/builtin.h"
#include "generators/catalog.h"
#include "harness/run.h"

namespace evh::harness {
namespace {

constexpr const char* kOnSuccess = "arn:aws:sqs:us-east-1:123456789012:done";
constexpr const char* kOnFailure = "arn:aws:sns:us-east-1:123456789012:failed";
constexpr const char* kDlq = "arn:aws:sqs:us-east-1:123456789012:dlq";

struct AsyncRun {
  EffectsSink sink;
  TargetOptions options;
  std::unique_ptr<Target> target;
  RunConfig config;

  // `handler` "apigw-fragile" throws on every S3 event (it has no requestContext): a function
  // that always fails; "noop" always succeeds.
  AsyncRun(const std::string& handler, uint64_t cases, int retries, int64_t max_age_s, const std::string& faults = "") {
    options.effects = &sink;
    target = make_in_process_target(*examples::find_builtin(handler), "builtin:" + handler, options);
    config.source = &**find_source("s3");
    config.mode = Mode::kAsync;
    config.seed = 99;
    config.cases = cases;
    config.mutate = MutateFilter::kNone;
    config.shrink = false;  // handler calls are counted: no shrinking re-runs
    config.faults = *FaultPlan::parse(faults);
    config.scenario.event_invoke_config = {
        {"MaximumRetryAttempts", retries},
        {"MaximumEventAgeInSeconds", max_age_s},
        {"DestinationConfig", {{"OnSuccess", {{"Destination", kOnSuccess}}}, {"OnFailure", {{"Destination", kOnFailure}}}}}};
    config.scenario.dead_letter_config = {{"TargetArn", kDlq}};
  }
  RunResult run() {
    auto r = harness::run(config, *target, sink);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return std::move(*r);
  }
};

Json record_of(const Json& message, const char* key) { return Json::parse(message[key].get<std::string>()); }

std::size_t findings_of(const RunResult& r, const std::string& id) {
  std::size_t n = 0;
  for (const auto& f : r.findings) n += f.finding.invariant == id;
  return n;
}

TEST(AsyncMode, SuccessGoesToTheOnSuccessDestinationWithAwsRecordShape) {
  AsyncRun fx("noop", 5, 2, 21600);
  RunResult r = fx.run();
  EXPECT_EQ(r.invocations, 5u);
  ASSERT_EQ(r.destinations[kOnSuccess].size(), 5u);
  EXPECT_FALSE(r.destinations.contains(kOnFailure));
  EXPECT_FALSE(r.destinations.contains(kDlq));
  Json rec = record_of(r.destinations[kOnSuccess][0], "body");
  EXPECT_EQ(rec["version"], "1.0");
  EXPECT_EQ(rec["requestContext"]["condition"], "Success");
  EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 1);
  EXPECT_EQ(rec["requestContext"]["functionArn"], "arn:aws:lambda:us-east-1:123456789012:function:evh-function:$LATEST");
  EXPECT_FALSE(rec["responseContext"].contains("functionError"));  // SEMANTICS.md §8.1
  EXPECT_TRUE(rec["responsePayload"].is_null());
  EXPECT_TRUE(rec["requestPayload"].contains("Records"));
  EXPECT_EQ(findings_of(r, "delivery.retry-bound"), 0u);
}

TEST(AsyncMode, FunctionErrorsAreRetriedTwiceAboutOneAndTwoMinutesApartThenFail) {
  AsyncRun fx("apigw-fragile", 4, 2, 21600);
  RunResult r = fx.run();
  EXPECT_EQ(r.invocations, 12u);  // 1 + MaximumRetryAttempts each
  ASSERT_EQ(r.destinations[kOnFailure].size(), 4u);
  Json rec = record_of(r.destinations[kOnFailure][0], "Message");
  EXPECT_EQ(rec["requestContext"]["condition"], "RetriesExhausted");
  EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 3);
  EXPECT_EQ(rec["responseContext"]["functionError"], "Unhandled");
  EXPECT_EQ(rec["responsePayload"]["errorType"], "TypeError");
  // The DLQ gets the original event with RequestID, ErrorCode and ErrorMessage (SEMANTICS.md §8.1).
  ASSERT_EQ(r.destinations[kDlq].size(), 4u);
  const Json& dlq = r.destinations[kDlq][0];
  EXPECT_TRUE(Json::parse(dlq["body"].get<std::string>()).contains("Records"));
  EXPECT_EQ(dlq["messageAttributes"]["ErrorCode"]["StringValue"], "200");
  EXPECT_EQ(dlq["messageAttributes"]["RequestID"]["StringValue"], rec["requestContext"]["requestId"]);
  // Every attempt of one event reuses its request id; retries fall in the recorded windows.
  std::map<std::size_t, std::vector<const Json*>> invokes;
  std::map<std::size_t, int64_t> queued;
  for (const auto& e : r.trace.entries()) {
    if (e["action"] == "invoke") invokes[e["case"].get<std::size_t>()].push_back(&e);
    if (e["action"] == "request") queued[e["case"].get<std::size_t>()] = e["t"].get<int64_t>();
  }
  for (const auto& [c, list] : invokes) {
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ((*list[0])["requestId"], (*list[2])["requestId"]);
    int64_t first_retry = (*list[1])["t"].get<int64_t>() - queued[c];
    int64_t second_retry = (*list[2])["t"].get<int64_t>() - queued[c];
    EXPECT_GE(first_retry, 30500);
    EXPECT_LE(first_retry, 91500);
    EXPECT_GE(second_retry, 91500);
    EXPECT_LE(second_retry, 213500);
  }
  EXPECT_EQ(findings_of(r, "delivery.retry-bound"), 0u);
}

TEST(AsyncMode, ZeroRetriesMeansOneAttempt) {
  AsyncRun fx("apigw-fragile", 3, 0, 21600);
  RunResult r = fx.run();
  EXPECT_EQ(r.invocations, 3u);
  EXPECT_EQ(record_of(r.destinations[kOnFailure][0], "Message")["requestContext"]["approximateInvokeCount"], 1);
}

TEST(AsyncMode, EventAgeExceededIsReportedEarlyWithTheLastAttempt) {
  AsyncRun fx("apigw-fragile", 6, 2, 60);
  RunResult r = fx.run();
  ASSERT_EQ(r.destinations[kOnFailure].size(), 6u);
  for (const auto& m : r.destinations[kOnFailure]) {
    Json rec = record_of(m, "Message");
    EXPECT_EQ(rec["requestContext"]["condition"], "EventAgeExceeded");
    int count = rec["requestContext"]["approximateInvokeCount"].get<int>();
    EXPECT_GE(count, 1);
    EXPECT_LE(count, 2);  // the second retry (≥ 91.5 s) never fits in 60 s
    EXPECT_TRUE(rec.contains("responseContext"));  // SEMANTICS.md §8.1: async EventAgeExceeded keeps it
  }
  EXPECT_LT(r.virtual_ms, 60000 + 6 * 100 + 1000);  // no waiting out the age
  EXPECT_EQ(findings_of(r, "delivery.retry-bound"), 0u);
}

TEST(AsyncMode, ZeroReservedConcurrencyGoesStraightToFailure) {
  AsyncRun fx("noop", 3, 2, 21600);
  fx.config.scenario.reserved_concurrency = 0;
  RunResult r = fx.run();
  EXPECT_EQ(r.invocations, 0u);
  Json rec = record_of(r.destinations[kOnFailure][0], "Message");
  EXPECT_EQ(rec["requestContext"]["condition"], "ZeroReservedConcurrency");
  EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 0);
  EXPECT_FALSE(rec.contains("responseContext"));
  EXPECT_FALSE(rec.contains("responsePayload"));
}

TEST(AsyncMode, ThrottlesBackOffWithoutCountingUntilTheEventExpires) {
  AsyncRun fx("noop", 2, 2, 600, "throttle=1");
  RunResult r = fx.run();
  EXPECT_EQ(r.invocations, 0u);
  ASSERT_EQ(r.destinations[kOnFailure].size(), 2u);
  Json rec = record_of(r.destinations[kOnFailure][0], "Message");
  EXPECT_EQ(rec["requestContext"]["condition"], "EventAgeExceeded");
  EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 0);
  std::size_t throttles = 0;
  for (const auto& e : r.trace.entries()) throttles += e["action"] == "throttle";
  EXPECT_GE(throttles, 2u * 8u);  // 1 s, 2 s, 4 s ... 256 s fit in 600 s
  EXPECT_EQ(findings_of(r, "delivery.retry-bound"), 0u);
}

TEST(AsyncMode, DuplicateDeliveryRunsTheFunctionAgainButRecordsOneSuccess) {
  AsyncRun fx("noop", 5, 2, 21600, "duplicate-delivery=1");
  RunResult r = fx.run();
  EXPECT_EQ(r.invocations, 10u);
  EXPECT_EQ(r.destinations[kOnSuccess].size(), 5u);
}

TEST(AsyncMode, HoursOfRetriesTakeNoRealTime) {
  AsyncRun fx("apigw-fragile", 50, 2, 21600, "throttle=0.5");
  RunResult r = fx.run();
  EXPECT_GT(r.virtual_ms, 90000);
  EXPECT_EQ(r.destinations[kOnFailure].size(), 50u);
  EXPECT_EQ(findings_of(r, "delivery.retry-bound"), 0u);
}

TEST(AsyncMode, PayloadOver1MiBIsRefusedAtTheInvokeApi) {
  AsyncRun fx("noop", 0, 2, 21600);
  Case big = EventGenerator(*fx.config.source, PayloadContract::builtin()).generate(1);
  big.event["padding"] = std::string(1048577, 'x');
  fx.config.input = {big};
  RunResult r = fx.run();
  EXPECT_EQ(r.invocations, 0u);
  EXPECT_TRUE(r.destinations.empty());
}

TEST(AsyncMode, SameSeedSameTrace) {
  auto trace = [] {
    AsyncRun fx("apigw-fragile", 20, 2, 3600, "throttle=0.3,duplicate-delivery=0.3,lost-response=0.2,delay=0.2");
    std::ostringstream out;
    fx.run().trace.write_jsonl(out);
    return out.str();
  };
  EXPECT_EQ(trace(), trace());
}

}  // namespace
}  // namespace evh::harness
