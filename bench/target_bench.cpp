// Invocations per second through each target kind with a no-op handler and a small SQS event:
// in-process, HTTP keep-alive on loopback, the Runtime API with the Node client, and a whole
// sync run (delivery, contract check, invariants, trace) in-process.
// Run: build/bench/evh_bench --benchmark_filter=Target
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <cstdlib>
#include <thread>

#include "examples/builtin.h"
#include "generators/catalog.h"
#include "generators/event_generator.h"
#include "harness/run.h"
#include "harness/target.h"

namespace {

using namespace evh;
using namespace evh::harness;

Case small_sqs_event() {
  EventGenerator gen(**find_source("sqs"), PayloadContract::builtin());
  gen.set_batch_size(1);
  return gen.generate(1);
}

Invocation invocation_for(const Case& c) {
  Invocation inv;
  inv.request_id = "c0ffee00-0000-4000-8000-000000000000";
  inv.payload = dump(c.event);
  inv.event = &c.event;
  inv.timeout = std::chrono::seconds(3);
  inv.function_name = "bench";
  inv.function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench";
  return inv;
}

void invoke_loop(benchmark::State& state, Target& target, const Invocation& inv) {
  if (auto st = target.start(); !st) {
    state.SkipWithError(st.error().message.c_str());
    return;
  }
  Invocation each = inv;
  uint64_t n = 0;
  for (auto _ : state) {
    // A fresh request id per invocation, as the platform gives (the Runtime API refuses a
    // second answer to the same id).
    each.request_id = inv.request_id.substr(0, 24) + std::to_string(1000000000000ULL + n++);
    Outcome o = target.invoke(each);
    if (o.kind != OutcomeKind::kSuccess) {
      state.SkipWithError(("invocation failed: " + std::string(to_string(o.kind)) + " " + o.detail).c_str());
      break;
    }
    benchmark::DoNotOptimize(o);
  }
  state.SetItemsProcessed(state.iterations());
  target.stop();
}

void BM_TargetInProcess(benchmark::State& state) {
  Case c = small_sqs_event();
  Invocation inv = invocation_for(c);
  EffectsSink sink;
  TargetOptions opts;
  opts.effects = &sink;
  auto target = make_in_process_target(*examples::find_builtin("noop"), "builtin:noop", opts);
  invoke_loop(state, *target, inv);
}
BENCHMARK(BM_TargetInProcess);

void BM_TargetHttpKeepAlive(benchmark::State& state) {
  // A loopback Invoke endpoint answering `null`, as a no-op function would.
  httplib::Server server;
  server.set_keep_alive_max_count(1000000);
  server.set_tcp_nodelay(true);
  server.Post("/2015-03-31/functions/function/invocations",
              [](const httplib::Request&, httplib::Response& res) { res.set_content("null", "application/json"); });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  for (int i = 0; i < 5000 && !server.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  Case c = small_sqs_event();
  Invocation inv = invocation_for(c);
  inv.event = nullptr;
  TargetOptions opts;
  auto target = make_target("http://127.0.0.1:" + std::to_string(port), opts);
  if (!target) {
    state.SkipWithError(target.error().message.c_str());
  } else {
    invoke_loop(state, **target, inv);
  }
  server.stop();
  t.join();
}
BENCHMARK(BM_TargetHttpKeepAlive)->UseRealTime();

void BM_TargetRuntimeApiNode(benchmark::State& state) {
  if (std::system("node --version >/dev/null 2>&1") != 0) {
    state.SkipWithError("node is not installed");
    return;
  }
  Case c = small_sqs_event();
  Invocation inv = invocation_for(c);
  inv.event = nullptr;
  TargetOptions opts;
  auto target = make_target(std::string("runtime-api:node ") + EVH_SOURCE_DIR + "/examples/node/runtime_client.js noop", opts);
  if (!target) {
    state.SkipWithError(target.error().message.c_str());
    return;
  }
  invoke_loop(state, **target, inv);
}
BENCHMARK(BM_TargetRuntimeApiNode)->UseRealTime();

// The official Node.js runtime interface client (npm aws-lambda-ric 3.x), when EVH_NODE_RIC_DIR
// points at an install of it and EVH_NODE_RIC_TASK_ROOT at a folder with index.js exporting a
// no-op `handler`. Not a build dependency: skipped otherwise.
void BM_TargetRuntimeApiOfficialNodeRic(benchmark::State& state) {
  const char* ric = std::getenv("EVH_NODE_RIC_DIR");
  const char* root = std::getenv("EVH_NODE_RIC_TASK_ROOT");
  if (ric == nullptr || root == nullptr) {
    state.SkipWithError("set EVH_NODE_RIC_DIR and EVH_NODE_RIC_TASK_ROOT to measure the official client");
    return;
  }
  Case c = small_sqs_event();
  Invocation inv = invocation_for(c);
  inv.event = nullptr;
  TargetOptions opts;
  auto target = make_target(std::string("runtime-api:cd ") + root + " && " + ric + "/node_modules/.bin/aws-lambda-ric index.handler", opts);
  if (!target) {
    state.SkipWithError(target.error().message.c_str());
    return;
  }
  invoke_loop(state, **target, inv);
}
BENCHMARK(BM_TargetRuntimeApiOfficialNodeRic)->UseRealTime();

// Whole sync runs in-process: delivery, contract assessment, invariants and the trace.
void sync_run(benchmark::State& state, const char* source, const char* handler, const std::vector<Case>& cases) {
  EffectsSink sink;
  TargetOptions opts;
  opts.effects = &sink;
  auto target = make_in_process_target(*examples::find_builtin(handler), std::string("builtin:") + handler, opts);
  RunConfig config;
  config.source = &**find_source(source);
  for (auto _ : state) {
    auto r = run_cases(config, *target, sink, cases);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(cases.size()));
}

void BM_SyncRunInProcess(benchmark::State& state) {
  EventGenerator gen(**find_source("apigw-http"), PayloadContract::builtin());
  std::vector<Case> cases;
  for (uint64_t i = 0; i < 1000; ++i) cases.push_back(gen.generate(i));
  sync_run(state, "apigw-http", "apigw-echo", cases);
}
BENCHMARK(BM_SyncRunInProcess)->Unit(benchmark::kMillisecond);

// The acceptance figure: sync invocations per second of a small SQS event (one record) with a
// no-op handler, through the whole sync mode.
void BM_SyncRunInProcessSqsNoop(benchmark::State& state) { sync_run(state, "sqs", "noop", std::vector<Case>(1000, small_sqs_event())); }
BENCHMARK(BM_SyncRunInProcessSqsNoop)->Unit(benchmark::kMillisecond);

}  // namespace
