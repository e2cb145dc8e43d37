// Generation throughput: valid events per second for the busiest sources, with records/s and
// bytes/s counters (serialised as a handler would receive them). Run: build/bench/evh_bench
#include <benchmark/benchmark.h>

#include "generators/catalog.h"
#include "generators/event_generator.h"
#include "generators/event_validator.h"
#include "generators/mutation.h"

namespace {

using namespace evh;

// Generates events of `source` with `batch` records each (0: a single-event source).
void generate(benchmark::State& state, const char* id, int64_t batch) {
  const Source& s = **find_source(id);
  EventGenerator gen(s, PayloadContract::builtin());
  if (batch > 0) gen.set_batch_size(batch);
  uint64_t i = 0, bytes = 0, records = 0;
  for (auto _ : state) {
    Case c = gen.generate(derive_seed(1, i++));
    std::string wire = dump(c.event);
    bytes += wire.size();
    records += static_cast<uint64_t>(batch > 0 ? batch : 1);
    benchmark::DoNotOptimize(wire);
  }
  state.SetItemsProcessed(static_cast<int64_t>(records));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(i), benchmark::Counter::kIsRate);
}

void BM_GenerateSqs(benchmark::State& st) { generate(st, "sqs", 10); }
void BM_GenerateKinesis(benchmark::State& st) { generate(st, "kinesis", 100); }
void BM_GenerateDynamoDbStreams(benchmark::State& st) { generate(st, "dynamodb-streams", 100); }
void BM_GenerateApigwHttp(benchmark::State& st) { generate(st, "apigw-http", 0); }

void BM_ValidateSqs(benchmark::State& state) {
  const Source& s = **find_source("sqs");
  EventGenerator gen(s, PayloadContract::builtin());
  gen.set_batch_size(10);
  Json ev = gen.generate(7).event;
  for (auto _ : state) benchmark::DoNotOptimize(validate_event(s, ev));
  state.SetItemsProcessed(state.iterations() * 10);
}

void BM_MutateSqs(benchmark::State& state) {
  const Source& s = **find_source("sqs");
  EventGenerator gen(s, PayloadContract::builtin());
  gen.set_batch_size(10);
  Case base = gen.generate(7);
  uint64_t i = 0;
  for (auto _ : state) {
    Rng rng(i++);
    GenContext ctx = GenContext::draw(rng);
    MutationContext mc{s, PayloadContract::builtin(), rng, ctx};
    benchmark::DoNotOptimize(mutate(base, MutateFilter::kAny, mc));
  }
}

BENCHMARK(BM_GenerateSqs);
BENCHMARK(BM_GenerateKinesis);
BENCHMARK(BM_GenerateDynamoDbStreams);
BENCHMARK(BM_GenerateApigwHttp);
BENCHMARK(BM_ValidateSqs);
BENCHMARK(BM_MutateSqs);

}  // namespace

BENCHMARK_MAIN();
