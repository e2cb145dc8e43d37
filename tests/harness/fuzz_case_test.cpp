// FuzzCase: the handler fuzzers' structured input — its bytes, its custom mutator, and the runs
// it makes (harness/fuzz_case.h).
#include "harness/fuzz_case.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "examples/handlers/handlers.h"
#include "generators/rng.h"
#include "generators/source.h"
#include "harness/check.h"
#include "harness/internal/fuzz_bytes.h"

#ifdef EVH_HAVE_FUZZED_DATA_PROVIDER
#include <fuzzer/FuzzedDataProvider.h>
#endif

namespace evh::harness {
namespace {

// The demo's SQS queue (examples/scenarios/demo-sqs.json): batches of 10 with partial batch
// responses, one poison message in ten.
Json sqs_scenario() {
  return Json::parse(R"({
    "function": {"FunctionName": "orders-worker", "Timeout": 30},
    "queue": {"QueueName": "orders", "VisibilityTimeout": 60,
              "RedrivePolicy": {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:orders-dlq", "maxReceiveCount": 3}},
    "eventSourceMapping": {"EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:orders", "FunctionName": "orders-worker",
                           "BatchSize": 10, "FunctionResponseTypes": ["ReportBatchItemFailures"]},
    "workload": {"poison": {"rate": 0.1, "payload": {"order": "poison"}}}
  })");
}

FuzzSpace sqs_space(const std::string& mutate = "", const std::string& faults = "all") {
  auto s = FuzzSpace::make(FuzzProfile{"sqs", "poll", sqs_scenario(), mutate, faults, "", "builtin:sqs-wrong-id"});
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return *s;
}

FuzzSpace alexa_space() {
  auto s = FuzzSpace::make(FuzzProfile{"alexa-skill", "sync", Json::object(), "", "all", "", ""});
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return *s;
}

std::string random_bytes(Rng& rng, std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng.below(256));
  return s;
}

/// Everything a case is made of is within the space's limits.
void expect_within(const FuzzSpace& space, const FuzzCase& c) {
  EXPECT_GE(c.events.size(), 1u);
  EXPECT_LE(c.events.size(), kFuzzMaxEvents);
  EXPECT_LE(c.batch_size, space.max_batch());
  EXPECT_LE(c.mutations.size(), kFuzzMaxChain);
  for (const auto& id : c.mutations)
    EXPECT_TRUE(std::any_of(space.mutators().begin(), space.mutators().end(), [&](const Mutator* m) { return m->id == id; })) << id;
  for (const auto& [id, rate] : c.faults) {
    EXPECT_NE(std::find(space.faults().begin(), space.faults().end(), id), space.faults().end());
    EXPECT_NE(std::find(std::begin(kFuzzFaultRates) + 1, std::end(kFuzzFaultRates), rate), std::end(kFuzzFaultRates)) << rate;
  }
  if (c.payload) {
    EXPECT_LE(c.payload->size(), kFuzzMaxPayloadBytes);
  }
}

/// The run an input makes, without its wall-clock time.
Json run_json(const FuzzSpace& space, const FuzzCase& c, harness::Handler handler) {
  auto r = run_in_process(fuzz_run_config(space, c), handler, "handler");
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return nullptr;
  Json j = r->to_json();
  j["statistics"].erase("realSeconds");
  std::ostringstream trace;
  r->trace.write_jsonl(trace);
  j["trace"] = trace.str();
  return j;
}

TEST(FuzzCase, RoundTripsThroughItsBytes) {
  const FuzzSpace space = sqs_space("any");
  FuzzCase c;
  c.seed = 0x0123456789abcdefULL;
  c.events = {7, 0xffffffffffffffffULL, 42};
  c.batch_size = 7;
  c.mutations = {"body.unicode", "batch.duplicate-record", "field.wrong-type"};
  c.faults = {{FaultId::kDuplicateDelivery, 0.25}, {FaultId::kThrottle, 0.05}};
  c.payload = std::string("{\"order\":\"a\0b\"}", 15);
  const std::string bytes = encode(space, c);
  ASSERT_EQ(bytes.rfind(space.header(), 0), 0u);
  auto back = decode_input(space, bytes);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, c);
  EXPECT_EQ(encode(space, *back), bytes);

  FuzzCase plain;  // the defaults: one event, nothing else
  EXPECT_EQ(decode_input(space, encode(space, plain)), plain);
  EXPECT_EQ(decode(space, ""), plain);
}

TEST(FuzzCase, AnyBytesDecodeToACaseWithinTheSpace) {
  const FuzzSpace space = sqs_space();
  Rng rng(1);
  for (int i = 0; i < 2000; ++i) {
    const std::string body = random_bytes(rng, rng.below(96));
    const FuzzCase c = decode(space, body);
    expect_within(space, c);
    // Canonical bytes are a fixed point.
    EXPECT_EQ(decode_input(space, encode(space, c)), c);
  }
}

TEST(FuzzCase, BatchSizeStaysWithinTheSourceLimits) {
  const FuzzSpace sqs = sqs_space();
  EXPECT_EQ(sqs.max_batch(), 10u);  // SQS standard: up to 10,000 with a window; the generator draws up to 10
  FuzzCase c;
  c.events = {1, 2};
  c.batch_size = 7;
  for (const Case& e : fuzz_events(sqs, c)) EXPECT_EQ(e.event["Records"].size(), 7u);
  c.batch_size = 99;  // out of range: clamped by encode()
  EXPECT_EQ(decode_input(sqs, encode(sqs, c))->batch_size, 10u);

  const FuzzSpace alexa = alexa_space();
  EXPECT_EQ(alexa.max_batch(), 0u);  // one event per invocation: the field takes no bytes
  c.batch_size = 5;
  EXPECT_EQ(decode_input(alexa, encode(alexa, c))->batch_size, 0u);
}

TEST(FuzzCase, TheSameBytesMakeTheSameRun) {
  const FuzzSpace space = sqs_space();
  Rng rng(7);
  for (int i = 0; i < 20; ++i) {
    const FuzzCase c = decode(space, random_bytes(rng, 64));
    // A fresh handler each time, as the template makes one per input.
    EXPECT_EQ(run_json(space, c, examples::make_sqs_correct()), run_json(space, c, examples::make_sqs_correct())) << c.describe();
    EXPECT_EQ(fuzz_events(space, c).size(), c.events.size());
  }
}

TEST(FuzzCase, CustomMutatorOnlyWritesDecodableInputsWithinMaxSize) {
  const FuzzSpace space = sqs_space();
  std::map<std::string, int> applied;
  std::string input;  // libFuzzer starts from the empty input
  const std::size_t smallest = encode(space, FuzzCase{}).size();
  for (uint64_t seed = 0; seed < 3000; ++seed) {
    const std::size_t max_size = smallest + (seed % 7) * 40;
    std::string name;
    const std::string out = mutate(space, input, max_size, seed, {}, &name);
    ASSERT_FALSE(out.empty());
    ASSERT_LE(out.size(), max_size);
    auto c = decode_input(space, out);
    ASSERT_TRUE(c.has_value());
    expect_within(space, *c);
    ++applied[name];
    input = out;
  }
  for (const char* name : {"seed.run", "event.reseed", "event.add", "event.drop", "batch.size", "chain.add", "chain.drop", "chain.replace",
                           "fault.toggle", "fault.rate", "payload.generate", "payload.bytes", "payload.drop"})
    EXPECT_GT(applied[name], 0) << name << " never applied";
}

TEST(FuzzCase, CustomMutatorGivesUpWhenTheHeaderDoesNotFit) {
  const FuzzSpace space = sqs_space();
  EXPECT_EQ(mutate(space, "", space.header().size() - 1, 1), "");
  // Room for little more than the smallest case: the payload is cut, mutators and events dropped.
  const std::size_t room = encode(space, FuzzCase{}).size() + 12;
  FuzzCase c;
  c.events = {1, 2, 3, 4};
  c.mutations = {"body.unicode", "batch.single"};
  c.payload = std::string(500, 'x');
  for (uint64_t seed = 0; seed < 50; ++seed) {
    const std::string out = mutate(space, encode(space, c), room, seed);
    ASSERT_FALSE(out.empty());
    EXPECT_LE(out.size(), room);
    EXPECT_TRUE(decode_input(space, out).has_value());
  }
}

TEST(FuzzCase, CustomMutatorUsesTheGivenByteMutatorForPayloads) {
  const FuzzSpace space = sqs_space();
  FuzzCase c;
  c.payload = "abc";
  const std::string in = encode(space, c);
  int calls = 0;
  ByteMutator raw = [&](uint8_t* data, std::size_t size, std::size_t max_size) {
    ++calls;
    EXPECT_LE(size, max_size);
    data[0] = 'Z';
    return std::max<std::size_t>(size, 1);
  };
  bool changed = false;
  for (uint64_t seed = 0; seed < 200 && !changed; ++seed) {
    std::string name;
    const std::string out = mutate(space, in, 4096, seed, raw, &name);
    if (name == "payload.bytes") changed = decode_input(space, out)->payload == "Zbc";
  }
  EXPECT_TRUE(changed);
  EXPECT_GT(calls, 0);
}

TEST(FuzzCase, CustomMutatorAdoptsTheBodyOfAnotherProfilesInput) {
  const FuzzSpace sqs = sqs_space();
  const FuzzSpace other = sqs_space("any", "none");
  ASSERT_NE(sqs.header(), other.header());
  FuzzCase c;
  c.events = {11, 12, 13};
  const std::string out = mutate(sqs, encode(other, c), 4096, 5);
  ASSERT_TRUE(decode_input(sqs, out).has_value());
  EXPECT_FALSE(decode_input(other, out).has_value());
}

TEST(FuzzCase, CrossOverMixesTwoInputs) {
  const FuzzSpace space = sqs_space();
  FuzzCase a, b;
  a.events = {1, 2, 3, 4};
  b.events = {5, 6, 7, 8};
  b.mutations = {"body.unicode"};
  std::set<uint64_t> seen;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    auto c = decode_input(space, cross_over(space, encode(space, a), encode(space, b), 4096, seed));
    ASSERT_TRUE(c.has_value());
    expect_within(space, *c);
    seen.insert(c->events.begin(), c->events.end());
  }
  EXPECT_TRUE(seen.count(1) && seen.count(5)) << "events come from both parents";
}

TEST(FuzzCase, PayloadGoesInTheFirstRecord) {
  const FuzzSpace space = sqs_space();
  FuzzCase c;
  c.batch_size = 3;
  c.payload = "{\"order\":\"o-1\",\"quantity\":2}";
  auto events = fuzz_events(space, c);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event["Records"][0]["body"], *c.payload);
  // Text the payload contract (JSON objects) refuses makes the case illegal; bytes that are not
  // UTF-8 are repaired, since an SQS body is text.
  c.payload = std::string("not json \xff", 10);
  events = fuzz_events(space, c);
  EXPECT_EQ(events[0].expect, Expect::kIllegal);
  EXPECT_EQ(events[0].event["Records"][0]["body"], "not json \xef\xbf\xbd");
}

// A cross-over can splice the same event seed in twice: sent twice, its records would be other
// messages with the same messageIds, which no queue does (the FIFO twin was caught "out of
// order" by messages sharing ids across groups).
TEST(FuzzCase, AnEventSeedGivenTwiceIsSentOnce) {
  const FuzzSpace space = sqs_space();
  FuzzCase c;
  c.events = {5, 6, 5, 6, 7};
  c.batch_size = 3;
  auto events = fuzz_events(space, c);
  ASSERT_EQ(events.size(), 3u);
  std::set<std::string> ids;
  for (const auto& e : events)
    for (const auto& r : e.event["Records"]) EXPECT_TRUE(ids.insert(r["messageId"].get<std::string>()).second);
  EXPECT_EQ(ids.size(), 9u);
}

// Megabyte mutators change the first event only: three 6 MB events ran for 14 s under ASan, near
// libFuzzer's 25-s timeout, and showed nothing one of them does not.
TEST(FuzzCase, AMegabyteMutatorChangesTheFirstEventOnly) {
  const FuzzSpace space = sqs_space();
  FuzzCase c;
  c.events = {1, 2, 3};
  c.mutations = {"batch.max-size", "body.unicode"};
  auto events = fuzz_events(space, c);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].mutations.at(0), "batch.max-size");
  EXPECT_GT(events[0].event["Records"].size(), 100u);
  for (std::size_t i = 1; i < events.size(); ++i) {
    EXPECT_EQ(std::count(events[i].mutations.begin(), events[i].mutations.end(), "batch.max-size"), 0);
    EXPECT_LE(events[i].event["Records"].size(), kFuzzMaxBatch);
  }
}

TEST(FuzzCase, ChainRecordsOnlyTheMutatorsThatApplied) {
  const FuzzSpace space = sqs_space();
  FuzzCase c;
  c.events = {3};
  c.batch_size = 2;
  c.mutations = {"s3.key-url-encoded", "body.unicode"};  // the first does not apply to SQS
  auto events = fuzz_events(space, c);
  EXPECT_EQ(events[0].mutations, std::vector<std::string>{"body.unicode"});
  EXPECT_EQ(events[0].expect, Expect::kValid);
}

TEST(FuzzCase, FindsTheBugOfABuggyHandlerAndNotInItsTwin) {
  const FuzzSpace space = sqs_space();
  std::string input;
  std::string found;
  for (uint64_t seed = 0; seed < 300 && found.empty(); ++seed) {
    input = mutate(space, input, 4096, seed);
    const FuzzCase c = *decode_input(space, input);
    auto buggy = run_in_process(fuzz_run_config(space, c), examples::make_sqs_wrong_id(), "handler");
    ASSERT_TRUE(buggy.ok());
    if (buggy->findings.empty()) continue;
    found = buggy->findings.front().finding.invariant;
    auto twin = run_in_process(fuzz_run_config(space, c), examples::make_sqs_correct(), "handler");
    ASSERT_TRUE(twin.ok());
    EXPECT_TRUE(twin->findings.empty()) << twin->findings.front().finding.invariant << ": " << twin->findings.front().finding.message;
  }
  EXPECT_EQ(found, "batch.identifiers");
}

TEST(FuzzCase, ReadsItsProfileBackFromTheHeader) {
  const FuzzSpace space = sqs_space();
  FuzzCase c;
  c.events = {5, 6};
  c.mutations = {"body.unicode"};
  auto in = read_fuzz_input(encode(space, c), "crash-1");
  ASSERT_TRUE(in.ok()) << in.error().message;
  EXPECT_EQ(in->kase, c);
  EXPECT_EQ(in->space.header(), space.header());
  EXPECT_EQ(in->space.profile().target, "builtin:sqs-wrong-id");
  EXPECT_EQ(in->space.config().mode, Mode::kPoll);
}

TEST(FuzzCase, RefusesWhatIsNotOneOfItsInputsWithOneLine) {
  const FuzzSpace space = sqs_space();
  const std::string good = encode(space, FuzzCase{});
  auto expect_error = [](const std::string& bytes, const std::string& words) {
    auto in = read_fuzz_input(bytes, "crash-x");
    ASSERT_FALSE(in.ok());
    EXPECT_EQ(in.error().code, ErrorCode::kConfig);
    EXPECT_EQ(in.error().message.rfind("crash-x: ", 0), 0u) << in.error().message;
    EXPECT_NE(in.error().message.find(words), std::string::npos) << in.error().message;
    EXPECT_EQ(in.error().message.find('\n'), std::string::npos);
  };
  expect_error("{\"evh\":\"0.1.0\"}", "not an evh fuzz input");
  expect_error(good.substr(0, 8), "cut short");
  expect_error(good.substr(0, space.header().size() - 3), "cut short");
  std::string other_version = good;
  other_version[4] = 9;
  expect_error(other_version, "layout 9");
  std::string other_tables = good;
  other_tables[5] = other_tables[5] == 'x' ? 'y' : 'x';
  expect_error(other_tables, "mutator or fault table differs");
  std::string bad_profile = good;
  const auto at = bad_profile.find("\"sqs\"");
  ASSERT_NE(at, std::string::npos);
  bad_profile.replace(at, 5, "\"sqz\"");
  expect_error(bad_profile, "sqz");
}

TEST(FuzzSpace, RefusesAnUnknownFaultOrSource) {
  auto f = FuzzSpace::make(FuzzProfile{"sqs", "", Json::object(), "any", "throttle,meteor", "", ""});
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("unknown fault 'meteor'"), std::string::npos) << f.error().message;
  EXPECT_FALSE(FuzzSpace::make(FuzzProfile{"nope", "", Json::object(), "any", "all", "", ""}).ok());
  auto legal = FuzzSpace::make(FuzzProfile{"sqs", "", Json::object(), "legal", "throttle", "", ""});
  ASSERT_TRUE(legal.ok());
  EXPECT_EQ(legal->faults(), std::vector<FaultId>{FaultId::kThrottle});
  for (const Mutator* m : legal->mutators()) EXPECT_EQ(m->kind, MutationKind::kLegalEdge) << m->id;
}

TEST(FuzzSpace, ChainsHoldLegalEdgesInPollModeUnlessTold) {
  // The mapping builds a poll-mode event from the records it read: illegal input never reaches
  // the handler that way. Push sources get every mutator.
  const FuzzSpace poll = sqs_space();
  EXPECT_EQ(poll.profile().mutate, "legal");
  ASSERT_FALSE(poll.mutators().empty());
  for (const Mutator* m : poll.mutators()) EXPECT_EQ(m->kind, MutationKind::kLegalEdge) << m->id;
  EXPECT_EQ(sqs_space("any").mutators().size(), mutators().size());
  EXPECT_EQ(alexa_space().mutators().size(), mutators().size());
  EXPECT_TRUE(sqs_space("none").mutators().empty());
}

TEST(FuzzBytes, WriterLaysOutWhatTheReaderReadsBack) {
  Rng rng(3);
  for (int i = 0; i < 500; ++i) {
    internal::ByteWriter w;
    std::vector<uint64_t> values;
    const uint8_t n8max = static_cast<uint8_t>(rng.below(256));
    const auto v8 = static_cast<uint8_t>(rng.below(static_cast<uint64_t>(n8max) + 1));
    const auto v16 = static_cast<uint16_t>(rng.below(65536));
    const uint64_t v64 = rng.next();
    w.integral_in_range<uint8_t>(v8, 0, n8max);
    w.integral<uint16_t>(v16);
    w.integral<uint64_t>(v64);
    w.boolean(i % 2 == 0);
    const std::string rest = random_bytes(rng, rng.below(20));
    w.remaining_bytes(rest);
    const std::string bytes = w.finish();
    internal::ByteReader r(bytes);
    EXPECT_EQ(r.integral_in_range<uint8_t>(0, n8max), v8);
    EXPECT_EQ(r.integral<uint16_t>(), v16);
    EXPECT_EQ(r.integral<uint64_t>(), v64);
    EXPECT_EQ(r.boolean(), i % 2 == 0);
    EXPECT_EQ(r.remaining_bytes(), rest);
  }
}

#ifdef EVH_HAVE_FUZZED_DATA_PROVIDER
TEST(FuzzBytes, ReadsAsFuzzedDataProviderDoes) {
  Rng rng(11);
  for (int i = 0; i < 2000; ++i) {
    const std::string bytes = random_bytes(rng, rng.below(40));
    FuzzedDataProvider fdp(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    internal::ByteReader r(bytes);
    for (int k = 0; k < 8; ++k) {
      const auto hi8 = static_cast<uint8_t>(1 + rng.below(255));
      const auto hi16 = static_cast<uint16_t>(1 + rng.below(65535));
      ASSERT_EQ(r.integral_in_range<uint8_t>(1, hi8), fdp.ConsumeIntegralInRange<uint8_t>(1, hi8));
      ASSERT_EQ(r.integral_in_range<uint16_t>(0, hi16), fdp.ConsumeIntegralInRange<uint16_t>(0, hi16));
      ASSERT_EQ(r.integral<uint64_t>(), fdp.ConsumeIntegral<uint64_t>());
      ASSERT_EQ(r.boolean(), fdp.ConsumeBool());
    }
    ASSERT_EQ(r.remaining_bytes(), fdp.ConsumeRemainingBytesAsString());
  }
}
#endif

}  // namespace
}  // namespace evh::harness
