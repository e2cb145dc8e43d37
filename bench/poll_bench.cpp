// How fast the delivery simulator runs platform time (issue 5: hours of platform time in
// milliseconds). Each benchmark reports the virtual hours it simulated and the invocations it
// made; the cases are generated once, outside the timed loop, so the figures are the simulator's.
//   AsyncSixHourRetrySchedule  10,000 S3 events, every attempt throttled: each event is retried
//                              with backoff 1 s → 5 min until MaximumEventAgeInSeconds 21600
//                              (SEMANTICS.md §8.1), then goes to the on-failure destination.
//   AsyncFunctionErrors        10,000 S3 events whose function always throws: 3 attempts each.
//   KinesisBisect              100,000 records over 8 shards, 1% poison, BisectBatchOnFunctionError,
//                              MaximumRetryAttempts 2 and an on-failure destination (§3.2).
//   SqsPartialBatch            10,000 messages, 1% poison reported in batchItemFailures, redrive
//                              to the DLQ after 3 receives (§3.1, §4).
// Run: build/bench/evh_bench --benchmark_filter=Poll
#include <benchmark/benchmark.h>

#include "generators/catalog.h"
#include "generators/codec.h"
#include "generators/event_generator.h"
#include "harness/run.h"

namespace {

using namespace evh;
using namespace evh::harness;

std::vector<Case> make_cases(const Source& source, uint64_t n) {
  EventGenerator gen(source, PayloadContract::builtin());
  gen.set_batch_size(1);
  std::vector<Case> cases;
  cases.reserve(n);
  for (uint64_t i = 0; i < n; ++i) cases.push_back(gen.generate(derive_seed(42, i)));
  return cases;
}

// The payload of record `rec` as text: Kinesis `data` is base64, SQS `body` is the text.
bool is_poison(const Json& rec) {
  if (auto k = rec.find("kinesis"); k != rec.end()) {
    auto text = codec::base64_decode((*k)["data"].get<std::string>());
    return text && text->find("\"poison\"") != std::string::npos;
  }
  auto body = rec.find("body");
  return body != rec.end() && body->is_string() && body->get<std::string>().find("\"poison\"") != std::string::npos;
}

void simulate(benchmark::State& state, RunConfig& config, Handler handler) {
  EffectsSink sink;
  TargetOptions options;
  options.effects = &sink;
  auto target = make_in_process_target(std::move(handler), "bench", options);
  config.mutate = MutateFilter::kNone;
  config.invariants = {&invariants().front()};  // the simulator, not the invariant checks
  config.shrink = false;
  RunResult last;
  for (auto _ : state) {
    auto r = run(config, *target, sink);
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      return;
    }
    last = std::move(*r);
    sink.take();
  }
  state.counters["virtual_h"] = static_cast<double>(last.virtual_ms) / 3.6e6;
  state.counters["invocations"] = static_cast<double>(last.invocations);
  state.counters["trace_lines"] = static_cast<double>(last.trace.entries().size());
  state.counters["invocations/s"] = benchmark::Counter(static_cast<double>(last.invocations) * static_cast<double>(state.iterations()),
                                                       benchmark::Counter::kIsRate);
}

void BM_PollAsyncSixHourRetrySchedule(benchmark::State& state) {
  static const std::vector<Case> cases = make_cases(**find_source("s3"), 10000);
  RunConfig config;
  config.source = &**find_source("s3");
  config.mode = Mode::kAsync;
  config.input = cases;
  config.faults = *FaultPlan::parse("throttle=1");
  config.scenario.event_invoke_config = {
      {"MaximumRetryAttempts", 2},
      {"MaximumEventAgeInSeconds", 21600},
      {"DestinationConfig", {{"OnFailure", {{"Destination", "arn:aws:sqs:us-east-1:123456789012:failed"}}}}}};
  simulate(state, config, [](const Json&, Context&) -> Json { return nullptr; });
}
BENCHMARK(BM_PollAsyncSixHourRetrySchedule)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_PollAsyncFunctionErrors(benchmark::State& state) {
  static const std::vector<Case> cases = make_cases(**find_source("s3"), 10000);
  RunConfig config;
  config.source = &**find_source("s3");
  config.mode = Mode::kAsync;
  config.input = cases;
  config.scenario.event_invoke_config = {
      {"MaximumRetryAttempts", 2},
      {"DestinationConfig", {{"OnFailure", {{"Destination", "arn:aws:sqs:us-east-1:123456789012:failed"}}}}}};
  simulate(state, config, [](const Json&, Context&) -> Json { throw FunctionError("Boom", "always fails"); });
}
BENCHMARK(BM_PollAsyncFunctionErrors)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_PollKinesisBisect(benchmark::State& state) {
  static const std::vector<Case> cases = make_cases(**find_source("kinesis"), 100000);
  RunConfig config;
  config.source = &**find_source("kinesis");
  config.mode = Mode::kPoll;
  config.input = cases;
  config.scenario.workload = {{"keys", 1000}, {"arrival", "burst"}, {"poison", {{"rate", 0.01}, {"payload", {{"poison", true}}}}}};
  config.scenario.stream = {{"ShardCount", 8}};
  config.scenario.event_source_mapping = {
      {"BatchSize", 100},
      {"BisectBatchOnFunctionError", true},
      {"MaximumRetryAttempts", 2},
      {"DestinationConfig", {{"OnFailure", {{"Destination", "arn:aws:sqs:us-east-1:123456789012:failed"}}}}}};
  simulate(state, config, [](const Json& event, Context&) -> Json {
    for (const auto& rec : event["Records"])
      if (is_poison(rec)) throw FunctionError("PoisonError", "poison record");
    return nullptr;
  });
}
BENCHMARK(BM_PollKinesisBisect)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_PollSqsPartialBatch(benchmark::State& state) {
  static const std::vector<Case> cases = make_cases(**find_source("sqs"), 10000);
  RunConfig config;
  config.source = &**find_source("sqs");
  config.mode = Mode::kPoll;
  config.input = cases;
  config.scenario.workload = {{"arrival", "burst"}, {"poison", {{"rate", 0.01}, {"payload", {{"poison", true}}}}}};
  config.scenario.queue = {{"VisibilityTimeout", 30},
                           {"RedrivePolicy", {{"deadLetterTargetArn", "arn:aws:sqs:us-east-1:123456789012:dlq"}, {"maxReceiveCount", 3}}}};
  config.scenario.event_source_mapping = {{"BatchSize", 10}, {"FunctionResponseTypes", {"ReportBatchItemFailures"}}};
  simulate(state, config, [](const Json& event, Context&) -> Json {
    Json failures = Json::array();
    for (const auto& rec : event["Records"])
      if (is_poison(rec)) failures.push_back({{"itemIdentifier", rec["messageId"]}});
    return Json{{"batchItemFailures", failures}};
  });
}
BENCHMARK(BM_PollSqsPartialBatch)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
