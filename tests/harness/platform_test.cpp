// The scenario's "platform" block: evh's settings for the values SEMANTICS.md §9 lists as not
// confirmed (docs/scenario.md `platform`). For each key: the default evh chose (and why, in a
// comment), the behaviour with it and with another value, in exact virtual times and counts; and
// the refusals, in exact words.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "examples/builtin.h"
#include "generators/catalog.h"
#include "generators/event_generator.h"
#include "generators/mutation.h"
#include "generators/payload.h"
#include "generators/rng.h"
#include "harness/clock.h"
#include "harness/run.h"
#include "harness/scenario.h"

namespace evh::harness {
namespace {

constexpr const char* kFailDest = "arn:aws:sqs:us-east-1:123456789012:failures";
constexpr const char* kOnFailure = "arn:aws:sns:us-east-1:123456789012:failed";
constexpr int64_t kInvokeMs = 10;  // run.cpp kNominalInvokeMs: an in-process invoke that spends no time

const Source& source(std::string_view id) {
  auto s = find_source(id);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return **s;
}

// Parses and resolves a scenario text for `id` in `mode`; the scenario or the first error.
Result<Scenario> resolve(std::string_view text, std::string_view id, Mode mode) {
  auto doc = parse_json(text, "t.json");
  if (!doc) return doc.error();
  auto sc = parse_scenario(*doc, "t.json");
  if (!sc) return sc.error();
  if (auto st = resolve_scenario(*sc, source(id), mode); !st) return st.error();
  return sc;
}

// The one-line error of resolving `text` ("" when it was accepted); every refusal is kConfig.
std::string refusal(std::string_view text, std::string_view id, Mode mode) {
  auto r = resolve(text, id, mode);
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, ErrorCode::kConfig) << r.error().message;
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
  return r.error().message;
}

bool defaulted(const Scenario& sc, std::string_view name) {
  return std::find(sc.defaulted.begin(), sc.defaulted.end(), name) != sc.defaulted.end();
}

std::vector<const Json*> actions(const RunResult& r, const char* action) {
  std::vector<const Json*> out;
  for (const auto& e : r.trace.entries())
    if (e["action"] == action) out.push_back(&e);
  return out;
}

std::vector<int64_t> times_of(const RunResult& r, const char* action) {
  std::vector<int64_t> out;
  for (const auto* e : actions(r, action)) out.push_back((*e)["t"].get<int64_t>());
  return out;
}

// ---- Async runs: one S3 event (an async push source), delivered with the Event invoke ---------

struct AsyncRun {
  EffectsSink sink;
  TargetOptions options;
  std::unique_ptr<Target> target;
  RunConfig config;

  // `handler` "apigw-fragile" throws on every S3 event (a function that always fails); "noop"
  // always succeeds. `platform` is the scenario's block, resolved as evh run resolves it.
  AsyncRun(const std::string& handler, const std::string& platform, int64_t max_age_s, const std::string& faults = "") {
    options.effects = &sink;
    target = make_in_process_target(*examples::find_builtin(handler), "builtin:" + handler, options);
    auto sc = resolve(R"({"eventInvokeConfig": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": )" + std::to_string(max_age_s) +
                          R"(, "DestinationConfig": {"OnFailure": {"Destination": ")" + kOnFailure + R"("}}}, "platform": )" + platform + "}",
                      "s3", Mode::kAsync);
    EXPECT_TRUE(sc.ok()) << sc.error().message;
    config.source = &source("s3");
    config.mode = Mode::kAsync;
    config.seed = 99;
    config.cases = 1;
    config.mutate = MutateFilter::kNone;
    config.faults = *FaultPlan::parse(faults);
    config.scenario = *sc;
    // As evh run does (cli/run_command.cpp): the resolved cap, after --async-payload-limit.
    config.async_max_payload_bytes = platform_settings(config.scenario).async_max_payload_bytes;
  }
  RunResult run() {
    auto r = harness::run(config, *target, sink);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return std::move(*r);
  }
};

// An S3 event whose Event-invoke payload (its JSON text) is exactly `bytes` long.
Case event_of_size(std::size_t bytes) {
  Case c = EventGenerator(source("s3"), PayloadContract::builtin()).generate(1);
  c.event["padding"] = "";
  const std::size_t base = dump(c.event).size();
  EXPECT_LE(base, bytes);
  c.event["padding"] = std::string(bytes - base, 'x');
  EXPECT_EQ(dump(c.event).size(), bytes);
  return c;
}

// The HTTP status the Invoke API gave each event, in order (202 queued, 413 too large).
std::vector<int> request_statuses(const RunResult& r) {
  std::vector<int> out;
  for (const auto* e : actions(r, "request")) out.push_back((*e)["status"].get<int>());
  return out;
}

// ---- Log runs: records of the test's own making on one shard or partition ---------------------

// The records of a batch: payload {"n": i, ...} and the itemIdentifier the mapping reads.
struct Item {
  Json id;
  Json payload;
};

std::vector<Item> items(const Source& src, const Json& event) {
  std::vector<Item> out;
  for (const auto& p : record_pointers(src, event)) {
    const Json* rec = find_at(event, p);
    if (rec == nullptr) continue;
    Item it;
    auto payloads = record_payloads(src, *rec);
    it.payload = payloads && !payloads->empty() ? (*payloads)[0].value : Json();
    if (src.identity.grouped) {
      std::string group = p.substr(src.identity.records.size() + 1);
      group = group.substr(0, group.find('/'));
      it.id = Json{{"partition", group}, {"offset", rec->value("offset", int64_t{0})}};
    } else if (const Json* id = find_at(*rec, src.identity.id)) {
      it.id = *id;
    }
    out.push_back(std::move(it));
  }
  return out;
}

// What the handler does with one batch (`call` counts from 0).
using Script = std::function<Json(const std::vector<Item>& batch, int call)>;

struct LogRun {
  EffectsSink sink;
  TargetOptions options;
  std::unique_ptr<Target> target;
  RunConfig config;
  const Source* src;
  int calls = 0;
  Script script;

  // `count` records, each alone in its case, all in the log at once (workload burst); one shard
  // or partition; `platform` is the scenario's block, resolved for the source in poll mode.
  LogRun(const std::string& source_id, int count, const std::string& esm, const std::string& platform, Script s)
      : script(std::move(s)) {
    src = &source(source_id);
    options.effects = &sink;
    target = make_in_process_target(
        [this](const Json& event, Context&) -> Json { return script(items(*src, event), calls++); },
        "test", options);
    // One shard or partition (MQ and DocumentDB have one lane); no batching window, so a batch
    // goes as soon as its records are in the log.
    const std::string log = src->meta.value("delivery", Json::object()).value("log", "");
    const std::string stream = log == "partitions" ? R"(, "stream": {"NumPartitions": 1})"
                               : log == "shards"   ? R"(, "stream": {"ShardCount": 1})"
                                                   : "";
    Json mapping = Json::parse(esm);
    mapping["MaximumBatchingWindowInSeconds"] = 0;
    auto sc = resolve(R"({"eventSourceMapping": )" + dump(mapping) + stream + R"(, "workload": {"arrival": "burst"}, "platform": )" +
                          platform + "}",
                      source_id, Mode::kPoll);
    EXPECT_TRUE(sc.ok()) << sc.error().message;
    config.source = src;
    config.mode = Mode::kPoll;
    config.seed = 5;
    config.mutate = MutateFilter::kNone;
    config.scenario = *sc;
    EventGenerator gen(*src, PayloadContract::builtin());
    gen.set_batch_size(1);
    for (int i = 0; i < count; ++i) {
      Case c = make_case(gen, derive_seed(7, static_cast<uint64_t>(i)), MutateFilter::kNone);
      for (const auto& p : record_pointers(*src, c.event))
        set_record_payload(*src, *find_at(c.event, p), Payload{Json{{"n", i}}, false});
      config.input.push_back(std::move(c));
    }
  }
  LogRun(const LogRun&) = delete;
  RunResult run() {
    auto r = harness::run(config, *target, sink);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return std::move(*r);
  }
};

// The records of each invocation of the run, by their n (the case that sent them), from the trace.
std::vector<std::vector<int>> batches_of(const RunResult& r) {
  std::map<std::string, int> n_by_seq;
  for (const auto* e : actions(r, "send")) n_by_seq[(*e)["seq"].get<std::string>()] = (*e)["case"].get<int>();
  std::vector<std::vector<int>> out;
  for (const auto* e : actions(r, "invoke")) {
    std::vector<int> ns;
    for (const auto& seq : (*e)["records"]) ns.push_back(n_by_seq.at(seq.get<std::string>()));
    out.push_back(std::move(ns));
  }
  return out;
}

// The findings, of any invariant, whose message says `text`.
std::size_t findings_saying(const RunResult& r, std::string_view text) {
  std::size_t n = 0;
  for (const auto& f : r.findings) n += f.finding.message.find(text) != std::string::npos;
  return n;
}

Json fail_everything(const std::vector<Item>&, int) { throw FunctionError("Error", "poison batch"); }

std::size_t findings_of(const RunResult& r, const std::string& id) {
  std::size_t n = 0;
  for (const auto& f : r.findings) n += f.finding.invariant == id;
  return n;
}

// ================================ asyncMaxPayloadBytes =========================================

// Default 1048576: SEMANTICS.md §1 says the async request cap is "1 MB" since Oct 2025 and the
// exact byte count is not confirmed (§9); evh reads it as 1 MiB, as the sync cap's "6 MB" is
// 6 MiB (6,291,456 bytes, AWS's own error text).
TEST(Platform, AsyncPayloadCapIsOneMebibyteByDefault) {
  AsyncRun fx("noop", "{}", 21600);
  EXPECT_EQ(fx.config.scenario.platform["asyncMaxPayloadBytes"], 1048576);
  EXPECT_TRUE(defaulted(fx.config.scenario, "platform.asyncMaxPayloadBytes"));
  fx.config.input = {event_of_size(1048576), event_of_size(1048577)};
  RunResult r = fx.run();
  EXPECT_EQ(request_statuses(r), (std::vector<int>{202, 413}));
  EXPECT_EQ(r.invocations, 1u);
}

TEST(Platform, AsyncPayloadCapFollowsAsyncMaxPayloadBytes) {
  AsyncRun fx("noop", R"({"asyncMaxPayloadBytes": 262144})", 21600);
  EXPECT_FALSE(defaulted(fx.config.scenario, "platform.asyncMaxPayloadBytes"));
  fx.config.input = {event_of_size(262144), event_of_size(262145), event_of_size(1048576)};
  RunResult r = fx.run();
  EXPECT_EQ(request_statuses(r), (std::vector<int>{202, 413, 413}));
  EXPECT_EQ(r.invocations, 1u);
}

TEST(Platform, AsyncPayloadLimitFlagOverridesTheScenario) {
  // evh run's --async-payload-limit sets the key as a flag does (cli/run_command.cpp).
  auto doc = parse_json(R"({"platform": {"asyncMaxPayloadBytes": 262144}})", "t.json");
  auto sc = parse_scenario(*doc, "t.json");
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  set_from_flag(*sc, "platform", "asyncMaxPayloadBytes", kAsyncMaxPayloadBytes, "--async-payload-limit");
  ASSERT_TRUE(resolve_scenario(*sc, source("s3"), Mode::kAsync).ok());
  EXPECT_EQ(platform_settings(*sc).async_max_payload_bytes, 1048576u);
  EXPECT_EQ(sc->to_json()["platform"]["asyncMaxPayloadBytes"], 1048576);
  EXPECT_FALSE(defaulted(*sc, "platform.asyncMaxPayloadBytes"));
  // Outside async mode the flag is refused by name, as --shards is for a source without shards.
  Scenario sync;
  set_from_flag(sync, "platform", "asyncMaxPayloadBytes", kAsyncLegacyMaxPayloadBytes, "--async-payload-limit");
  auto st = resolve_scenario(sync, source("apigw-rest"), Mode::kSync);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "--async-payload-limit is only used in async mode (this run is sync with apigw-rest; SEMANTICS.md §2)");
}

// ================================ asyncRetryDelaysMs ===========================================

// The retries of one always-failing event, as offsets from its invoke (ms).
std::vector<int64_t> retry_offsets(const RunResult& r) {
  const int64_t queued = times_of(r, "request").at(0);
  std::vector<int64_t> out;
  for (int64_t t : times_of(r, "invoke")) out.push_back(t - queued);
  return out;
}

// Default [[30500, 91500], [91500, 213500]]: the spacing SEMANTICS.md §8.2 recorded against AWS
// (the docs say "about 1 and 2 minutes", §2; the exact spacing and jitter are not confirmed, §9).
// Each retry is drawn uniformly in its window, measured from the invoke.
TEST(Platform, AsyncRetriesFallInTheRecordedWindowsByDefault) {
  AsyncRun fx("apigw-fragile", "{}", 21600);
  EXPECT_EQ(fx.config.scenario.platform["asyncRetryDelaysMs"], Json::parse("[[30500, 91500], [91500, 213500]]"));
  EXPECT_TRUE(defaulted(fx.config.scenario, "platform.asyncRetryDelaysMs"));
  RunResult r = fx.run();
  const std::vector<int64_t> at = retry_offsets(r);
  ASSERT_EQ(at.size(), 3u);  // 1 + MaximumRetryAttempts 2
  EXPECT_EQ(at[0], 0);
  EXPECT_GE(at[1], 30500);
  EXPECT_LE(at[1], 91500);
  EXPECT_GE(at[2], 91500);
  EXPECT_LE(at[2], 213500);
  EXPECT_EQ(r.destinations[kOnFailure].size(), 1u);
  EXPECT_EQ(findings_of(r, "delivery.retry-bound"), 0u);
}

TEST(Platform, AsyncRetriesFollowAsyncRetryDelaysMs) {
  AsyncRun fx("apigw-fragile", R"({"asyncRetryDelaysMs": [[60000, 60000], [120000, 120000]]})", 21600);
  RunResult r = fx.run();
  EXPECT_EQ(retry_offsets(r), (std::vector<int64_t>{0, 60000, 120000}));
  ASSERT_EQ(r.destinations[kOnFailure].size(), 1u);
  Json rec = Json::parse(r.destinations[kOnFailure][0]["Message"].get<std::string>());
  EXPECT_EQ(rec["requestContext"]["condition"], "RetriesExhausted");
  EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 3);
  // A retry that would start after MaximumEventAgeInSeconds is reported early (SEMANTICS.md §8.2):
  // with a 90 s age the second retry (120 s) never runs, and the event ends at the first one.
  AsyncRun aged("apigw-fragile", R"({"asyncRetryDelaysMs": [[60000, 60000], [120000, 120000]]})", 90);
  RunResult ra = aged.run();
  EXPECT_EQ(retry_offsets(ra), (std::vector<int64_t>{0, 60000}));
  Json rec2 = Json::parse(ra.destinations[kOnFailure][0]["Message"].get<std::string>());
  EXPECT_EQ(rec2["requestContext"]["condition"], "EventAgeExceeded");
  EXPECT_EQ(times_of(ra, "complete"), (std::vector<int64_t>{60000 + kInvokeMs}));
}

// ================================ throttleBackoffMs ============================================

// The times an always-throttled event is tried, from its invoke, until it is older than
// `age_ms`: the backoff starts at `initial`, doubles after each throttle up to `max`.
std::vector<int64_t> backoff_schedule(int64_t initial, int64_t max, int64_t age_ms) {
  std::vector<int64_t> out;
  for (int64_t t = 0, b = initial;; b = std::min(b * 2, max)) {
    out.push_back(t);
    if (t + b > age_ms) break;
    t += b;
  }
  return out;
}

// Default {"initial": 1000, "max": 300000}: SEMANTICS.md §2 says throttles and 5xx are retried
// "with exponential backoff from 1 s up to 5 min"; the exact curve is not published (§9), so evh
// doubles from 1 s and caps at 5 min.
TEST(Platform, AsyncThrottlesBackOffFromOneSecondDoublingByDefault) {
  AsyncRun fx("noop", "{}", 60, "throttle=1");
  EXPECT_EQ(fx.config.scenario.platform["throttleBackoffMs"], (Json{{"initial", 1000}, {"max", 300000}}));
  RunResult r = fx.run();
  EXPECT_EQ(times_of(r, "throttle"), (std::vector<int64_t>{0, 1000, 3000, 7000, 15000, 31000}));
  EXPECT_EQ(times_of(r, "throttle"), backoff_schedule(1000, 300000, 60000));
  EXPECT_EQ(r.invocations, 0u);
  Json rec = Json::parse(r.destinations[kOnFailure][0]["Message"].get<std::string>());
  EXPECT_EQ(rec["requestContext"]["condition"], "EventAgeExceeded");
  EXPECT_EQ(rec["requestContext"]["approximateInvokeCount"], 0);
}

TEST(Platform, AsyncThrottlesFollowThrottleBackoffMs) {
  AsyncRun fx("noop", R"({"throttleBackoffMs": {"initial": 500, "max": 2000}})", 60, "throttle=1");
  RunResult r = fx.run();
  const std::vector<int64_t> t = times_of(r, "throttle");
  ASSERT_EQ(t.size(), 32u);  // 0, 500, 1500, 3500, then every 2 s up to 59.5 s
  EXPECT_EQ(std::vector<int64_t>(t.begin(), t.begin() + 6), (std::vector<int64_t>{0, 500, 1500, 3500, 5500, 7500}));
  EXPECT_EQ(t.back(), 59500);
  EXPECT_EQ(t, backoff_schedule(500, 2000, 60000));
  // Only one key given: the other keeps evh's default and is listed as defaulted.
  AsyncRun half("noop", R"({"throttleBackoffMs": {"initial": 250}})", 60, "throttle=1");
  EXPECT_EQ(half.config.scenario.platform["throttleBackoffMs"], (Json{{"initial", 250}, {"max", 300000}}));
  EXPECT_TRUE(defaulted(half.config.scenario, "platform.throttleBackoffMs.max"));
  EXPECT_EQ(times_of(half.run(), "throttle"), backoff_schedule(250, 300000, 60000));
}

// ================================ streamRetryDelayMs ===========================================

// Default: the source's delivery.pollIntervalMs (Kinesis 1000, DynamoDB Streams 250, Kafka, MQ
// and DocumentDB 500): SEMANTICS.md §9 says stream backoff curves are not published; evh retries a
// failed batch when the poller would next read the shard (§3.2: about once per second; §3.3: four
// times per second), counted from when the failed invoke returned.
TEST(Platform, StreamRetriesComeOnePollIntervalAfterTheFailedInvokeByDefault) {
  struct Row {
    const char* source;
    int64_t poll_ms;
  };
  for (const Row& row : {Row{"kinesis", 1000}, Row{"dynamodb-streams", 250}, Row{"kafka-msk", 500}}) {
    SCOPED_TRACE(row.source);
    LogRun fx(row.source, 1, R"({"MaximumRetryAttempts": 2, "DestinationConfig": {"OnFailure": {"Destination": ")" + std::string(kFailDest) + R"("}}})",
              "{}", fail_everything);
    EXPECT_EQ(fx.config.scenario.platform["streamRetryDelayMs"], row.poll_ms);
    EXPECT_TRUE(defaulted(fx.config.scenario, "platform.streamRetryDelayMs"));
    RunResult r = fx.run();
    const int64_t step = kInvokeMs + row.poll_ms;
    EXPECT_EQ(times_of(r, "invoke"), (std::vector<int64_t>{0, step, 2 * step}));
    EXPECT_EQ(r.destinations[kFailDest].size(), 1u);
  }
}

TEST(Platform, StreamRetriesFollowStreamRetryDelayMs) {
  struct Row {
    int64_t delay_ms;
    std::vector<int64_t> invokes;
  };
  for (const Row& row : {Row{250, {0, 260, 520}}, Row{0, {0, 10, 20}}, Row{60000, {0, 60010, 120020}}}) {
    SCOPED_TRACE(row.delay_ms);
    LogRun fx("kinesis", 1, R"({"MaximumRetryAttempts": 2, "DestinationConfig": {"OnFailure": {"Destination": ")" + std::string(kFailDest) + R"("}}})",
              R"({"streamRetryDelayMs": )" + std::to_string(row.delay_ms) + "}", fail_everything);
    RunResult r = fx.run();
    EXPECT_EQ(times_of(r, "invoke"), row.invokes);
    ASSERT_EQ(times_of(r, "discard").size(), 1u);
    EXPECT_EQ(times_of(r, "discard")[0], row.invokes.back() + kInvokeMs);
  }
  // Amazon MQ (a broker queue) retries with the same spacing: redelivery 1 s apart.
  LogRun mq("mq-activemq", 1, "{}", R"({"streamRetryDelayMs": 1000})", fail_everything);
  RunResult r = mq.run();
  EXPECT_EQ(times_of(r, "invoke"), (std::vector<int64_t>{0, 1010, 2020, 3030, 4040, 5050}));  // maximumRedeliveries 5
}

// ================================ streamUnknownItemIdentifier ==================================

// Reports, on the first call, `extra` (a well-formed id of no record of the batch) and the
// record with n == `fail_n` if any; later calls report only `extra`.
Script report_unknown(Json extra, int fail_n = -1) {
  return [extra, fail_n](const std::vector<Item>& batch, int call) -> Json {
    Json failures = Json::array();
    for (const auto& it : batch)
      if (call == 0 && it.payload.value("n", -1) == fail_n) failures.push_back({{"itemIdentifier", it.id}});
    failures.push_back({{"itemIdentifier", extra}});
    return Json{{"batchItemFailures", failures}};
  };
}

const char* const kRbifEsm =
    R"({"FunctionResponseTypes": ["ReportBatchItemFailures"], "MaximumRetryAttempts": 1,
        "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:failures"}}})";
const Json kUnknownSequenceNumber = "49000000000000000000000000000000000000000000000000000000";

// Default "fail-batch": SEMANTICS.md §4 / §9: for streams the reaction to a well-formed
// itemIdentifier that is not in the batch is undocumented and emulators disagree; evh follows
// LocalStack (the whole batch fails), which is what AWS documents for SQS and what it recorded
// for a malformed id (§8.3). It is the stricter reading: a handler relying on it is told.
TEST(Platform, StreamUnknownItemIdentifierFailsTheWholeBatchByDefault) {
  LogRun fx("kinesis", 3, kRbifEsm, "{}", report_unknown(kUnknownSequenceNumber));
  EXPECT_EQ(fx.config.scenario.platform["streamUnknownItemIdentifier"], "fail-batch");
  EXPECT_TRUE(defaulted(fx.config.scenario, "platform.streamUnknownItemIdentifier"));
  RunResult r = fx.run();
  EXPECT_EQ(batches_of(r), (std::vector<std::vector<int>>{{0, 1, 2}, {0, 1, 2}}));
  EXPECT_EQ(times_of(r, "invoke"), (std::vector<int64_t>{0, 1010}));
  EXPECT_TRUE(actions(r, "checkpoint").empty());
  ASSERT_EQ(r.destinations[kFailDest].size(), 1u);
  EXPECT_EQ(Json::parse(r.destinations[kFailDest][0]["body"].get<std::string>())["requestContext"]["approximateInvokeCount"], 2);
  // Both attempts answer the same way: one finding, counting the attempt it repeated in.
  const char* unknown = "is not a record of this batch: Lambda's reaction is not documented for streams";
  ASSERT_EQ(findings_saying(r, unknown), 1u);
  for (const auto& f : r.findings) {
    if (f.finding.message.find(unknown) != std::string::npos) {
      EXPECT_EQ(f.finding.evidence.value("repeats", 0), 2);
    }
  }
}

TEST(Platform, StreamUnknownItemIdentifierIsIgnoredWhenSetToIgnore) {
  // Only the unknown id: the batch succeeds, checkpoints once, and nothing is retried; the
  // handler's mistake is still a contract finding.
  for (const char* id : {"kinesis", "dynamodb-streams", "kafka-msk"}) {
    SCOPED_TRACE(id);
    const bool kafka = std::string(id) == "kafka-msk";
    // A Kafka id is {partition, offset}: the batch's own partition, an offset it does not hold.
    Script script = [kafka](const std::vector<Item>& batch, int call) -> Json {
      Json extra = kafka ? Json{{"partition", batch.at(0).id["partition"]}, {"offset", 99}} : kUnknownSequenceNumber;
      return report_unknown(extra)(batch, call);
    };
    LogRun fx(id, 3, kRbifEsm, R"({"streamUnknownItemIdentifier": "ignore"})", script);
    RunResult r = fx.run();
    EXPECT_EQ(batches_of(r), (std::vector<std::vector<int>>{{0, 1, 2}}));
    EXPECT_EQ(times_of(r, "invoke"), (std::vector<int64_t>{0}));
    EXPECT_EQ(times_of(r, "checkpoint"), (std::vector<int64_t>{kInvokeMs}));
    EXPECT_TRUE(r.destinations.empty());
    EXPECT_EQ(findings_saying(r, "is not a record of this batch: ignored (platform.streamUnknownItemIdentifier \"ignore\""), 1u);
  }
  // Beside a real failure: the mapping checkpoints before the real one and retries from it.
  LogRun fx("kinesis", 3, kRbifEsm, R"({"streamUnknownItemIdentifier": "ignore"})", report_unknown(kUnknownSequenceNumber, 1));
  RunResult r = fx.run();
  EXPECT_EQ(batches_of(r), (std::vector<std::vector<int>>{{0, 1, 2}, {1, 2}}));
  EXPECT_EQ(times_of(r, "invoke"), (std::vector<int64_t>{0, 1010}));
  EXPECT_EQ(actions(r, "checkpoint").size(), 2u);
  EXPECT_TRUE(r.destinations.empty());
  // A malformed id still fails the whole batch: "ignore" covers well-formed ids only.
  LogRun bad("kinesis", 3, kRbifEsm, R"({"streamUnknownItemIdentifier": "ignore"})", report_unknown(123));
  RunResult rb = bad.run();
  EXPECT_EQ(batches_of(rb), (std::vector<std::vector<int>>{{0, 1, 2}, {0, 1, 2}}));
  EXPECT_EQ(rb.destinations[kFailDest].size(), 1u);
}

// ================================ Defaults, echo and refusals ==================================

TEST(Platform, EachModeAndSourceGetsTheKeysItUsesWithDefaults) {
  auto async = resolve("{}", "s3", Mode::kAsync);
  ASSERT_TRUE(async.ok()) << async.error().message;
  EXPECT_EQ(async->to_json()["platform"], Json::parse(R"({"asyncMaxPayloadBytes": 1048576,
      "asyncRetryDelaysMs": [[30500, 91500], [91500, 213500]], "throttleBackoffMs": {"initial": 1000, "max": 300000}})"));
  struct Row {
    const char* source;
    const char* platform;
  };
  for (const Row& row : {Row{"kinesis", R"({"streamRetryDelayMs": 1000, "streamUnknownItemIdentifier": "fail-batch"})"},
                         Row{"dynamodb-streams", R"({"streamRetryDelayMs": 250, "streamUnknownItemIdentifier": "fail-batch"})"},
                         Row{"kafka-self-managed", R"({"streamRetryDelayMs": 500, "streamUnknownItemIdentifier": "fail-batch"})"},
                         Row{"mq-rabbitmq", R"({"streamRetryDelayMs": 500})"}, Row{"documentdb", R"({"streamRetryDelayMs": 500})"}}) {
    auto r = resolve("{}", row.source, Mode::kPoll);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->to_json()["platform"], Json::parse(row.platform)) << row.source;
  }
  // Nothing of the block applies to queue sources in poll mode or to sync mode: no echo.
  EXPECT_FALSE(resolve("{}", "sqs", Mode::kPoll)->to_json().contains("platform"));
  EXPECT_FALSE(resolve(R"({"platform": {}})", "apigw-rest", Mode::kSync)->to_json().contains("platform"));
}

TEST(Platform, BadValuesAreRefusedInOneLine) {
  struct Row {
    const char* text;
    const char* source;
    Mode mode;
    const char* message;
  };
  const Row rows[] = {
      {R"({"platform": {"asyncMaxPayloadByte": 5}})", "s3", Mode::kAsync,
       R"(t.json: unknown key "asyncMaxPayloadByte" at /platform/asyncMaxPayloadByte (did you mean "asyncMaxPayloadBytes"?))"},
      {R"({"asyncMaxPayloadBytes": 5})", "s3", Mode::kAsync,
       R"(t.json: unknown key "asyncMaxPayloadBytes" at /asyncMaxPayloadBytes (it belongs in "platform"))"},
      {R"({"platform": {"asyncMaxPayloadBytes": "1MB"}})", "s3", Mode::kAsync,
       R"(t.json: platform.asyncMaxPayloadBytes must be an integer, got string "1MB")"},
      {R"({"platform": {"asyncMaxPayloadBytes": 0}})", "s3", Mode::kAsync,
       "t.json: platform.asyncMaxPayloadBytes 0 is out of range: 1–6291456 (at most the 6 MB sync request limit, SEMANTICS.md §1)"},
      {R"({"platform": {"asyncMaxPayloadBytes": 6291457}})", "s3", Mode::kAsync,
       "t.json: platform.asyncMaxPayloadBytes 6291457 is out of range: 1–6291456 (at most the 6 MB sync request limit, SEMANTICS.md §1)"},
      {R"({"platform": {"asyncRetryDelaysMs": [1000, 2000]}})", "s3", Mode::kAsync,
       "t.json: platform.asyncRetryDelaysMs must be two [min, max] pairs of integer milliseconds, one per retry "
       "(e.g. [[30500, 91500], [91500, 213500]]), got [1000,2000]"},
      {R"({"platform": {"asyncRetryDelaysMs": [[1000, 2000]]}})", "s3", Mode::kAsync,
       "t.json: platform.asyncRetryDelaysMs must be two [min, max] pairs of integer milliseconds, one per retry "
       "(e.g. [[30500, 91500], [91500, 213500]]), got [[1000,2000]]"},
      {R"({"platform": {"asyncRetryDelaysMs": [[5000, 1000], [6000, 7000]]}})", "s3", Mode::kAsync,
       "t.json: platform.asyncRetryDelaysMs[0] [5000,1000]: the min 5000 is above the max 1000"},
      {R"({"platform": {"asyncRetryDelaysMs": [[0, 1000], [-1, 7000]]}})", "s3", Mode::kAsync,
       "t.json: platform.asyncRetryDelaysMs[1][0] -1 is out of range: 0–21600000 (at most the longest MaximumEventAgeInSeconds, SEMANTICS.md §2)"},
      {R"({"platform": {"throttleBackoffMs": {"initial": 0}}})", "s3", Mode::kAsync,
       "t.json: platform.throttleBackoffMs.initial 0 is out of range: 1–21600000 (at most the longest MaximumEventAgeInSeconds, SEMANTICS.md §2)"},
      {R"({"platform": {"throttleBackoffMs": {"max": 500}}})", "s3", Mode::kAsync,
       "t.json: platform.throttleBackoffMs.max 500 is below platform.throttleBackoffMs.initial 1000 (the default): "
       "the backoff doubles from initial up to max"},
      {R"({"platform": {"throttleBackoffMs": {"inital": 5}}})", "s3", Mode::kAsync,
       R"(t.json: unknown key "inital" at /platform/throttleBackoffMs/inital (did you mean "initial"?))"},
      {R"({"platform": {"throttleBackoffMs": 1000}})", "s3", Mode::kAsync,
       "t.json: platform.throttleBackoffMs must be an object, got number 1000"},
      {R"({"platform": {"streamRetryDelayMs": -1}})", "kinesis", Mode::kPoll,
       "t.json: platform.streamRetryDelayMs -1 is out of range: 0–604800000 (at most the longest MaximumRecordAgeInSeconds, SEMANTICS.md §3)"},
      {R"({"platform": {"streamRetryDelayMs": 1.5}})", "kinesis", Mode::kPoll,
       "t.json: platform.streamRetryDelayMs must be an integer, got a fractional number 1.5"},
      {R"({"platform": {"streamUnknownItemIdentifier": "skip"}})", "kinesis", Mode::kPoll,
       R"(t.json: platform.streamUnknownItemIdentifier "skip" must be fail-batch or ignore (SEMANTICS.md §4, §9))"},
      // Keys the run's mode or source does not use are refused, as blocks outside their mode are.
      {R"({"platform": {"asyncRetryDelaysMs": [[1, 2], [3, 4]]}})", "kinesis", Mode::kPoll,
       "t.json: platform.asyncRetryDelaysMs is only used in async mode (this run is poll with kinesis; SEMANTICS.md §2)"},
      {R"({"platform": {"throttleBackoffMs": {"initial": 5}}})", "apigw-rest", Mode::kSync,
       "t.json: platform.throttleBackoffMs is only used in async mode (this run is sync with apigw-rest; SEMANTICS.md §2)"},
      {R"({"platform": {"streamRetryDelayMs": 5}})", "sqs", Mode::kPoll,
       "t.json: platform.streamRetryDelayMs is only used in poll mode with a poll-stream or poll-broker source (this run is poll with sqs): "
       "a queue's failed messages come back after queue.VisibilityTimeout (SEMANTICS.md §3.1)"},
      {R"({"platform": {"streamRetryDelayMs": 5}})", "kinesis", Mode::kSync,
       "t.json: platform.streamRetryDelayMs is only used in poll mode with a poll-stream or poll-broker source (this run is sync with kinesis)"},
      {R"({"platform": {"streamUnknownItemIdentifier": "ignore"}})", "sqs", Mode::kPoll,
       "t.json: platform.streamUnknownItemIdentifier does not apply to sqs: for SQS an itemIdentifier that is not in the batch fails "
       "the whole batch (documented, SEMANTICS.md §4)"},
      {R"({"platform": {"streamUnknownItemIdentifier": "ignore"}})", "mq-activemq", Mode::kPoll,
       "t.json: platform.streamUnknownItemIdentifier does not apply to mq-activemq: its mapping has no ReportBatchItemFailures "
       "(SEMANTICS.md §3 parameter matrix)"},
      {R"({"platform": {"streamUnknownItemIdentifier": "ignore"}})", "s3", Mode::kAsync,
       "t.json: platform.streamUnknownItemIdentifier is only used in poll mode with a poll-stream or poll-broker source that has "
       "ReportBatchItemFailures (this run is async with s3)"},
  };
  for (const Row& row : rows) EXPECT_EQ(refusal(row.text, row.source, row.mode), row.message) << row.text;
  // Every limit itself is accepted.
  EXPECT_EQ(refusal(R"({"platform": {"asyncMaxPayloadBytes": 6291456, "asyncRetryDelaysMs": [[0, 0], [21600000, 21600000]],
                                      "throttleBackoffMs": {"initial": 1, "max": 1}}})",
                    "s3", Mode::kAsync),
            "");
  EXPECT_EQ(refusal(R"({"platform": {"streamRetryDelayMs": 604800000, "streamUnknownItemIdentifier": "ignore"}})", "kafka-msk", Mode::kPoll),
            "");
}

}  // namespace
}  // namespace evh::harness
