// Shard (`evh run --shard K/N`, harness/shard.h): the split puts every case of a run in exactly
// one shard, shards are balanced, and the shards of a run together deliver exactly the cases of
// the unsharded run with the same verdicts (in-process targets, sync and async modes).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>
#include <tuple>

#include "examples/builtin.h"
#include "examples/handlers/handlers.h"
#include "generators/catalog.h"
#include "generators/event_generator.h"
#include "generators/rng.h"
#include "harness/run.h"
#include "harness/shard.h"

namespace evh::harness {
namespace {

TEST(Shard, ParsesKOverN) {
  auto s = parse_shard("2/3");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->index, 2u);
  EXPECT_EQ(s->count, 3u);
  EXPECT_EQ(s->to_string(), "2/3");
  ASSERT_TRUE(parse_shard("1/1").ok());
  EXPECT_TRUE(parse_shard("7/7").ok());
}

TEST(Shard, RefusesValuesThatAreNotAShardWithOneLineNamingThem) {
  const std::map<std::string, std::string> bad = {
      {"0/3", "K counts from 1"}, {"4/3", "K must be at most N"}, {"a/b", "use K/N"},     {"1/0", "N must be at least 1"},
      {"3", "--shards"},          {"", "use K/N"},               {"-1/3", "use K/N"},     {"1/3/5", "use K/N"},
      {" 1/3", "use K/N"},        {"1/", "use K/N"},             {"1/100001", "at most"}, {"99999999999999/3", "use K/N"}};
  for (const auto& [text, want] : bad) {
    auto s = parse_shard(text);
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_EQ(s.error().code, ErrorCode::kUsage) << text;
    EXPECT_NE(s.error().message.find("--shard '" + text + "'"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find(want), std::string::npos) << text << ": " << s.error().message;
    EXPECT_EQ(s.error().message.find('\n'), std::string::npos) << s.error().message;
  }
}

// Every case index of runs of 0..200 cases falls to exactly one of N = 1..7 shards, and
// size_of counts exactly the cases has() gives a shard.
TEST(Shard, EachCaseFallsInExactlyOneShardForOneToSevenShards) {
  for (uint64_t n = 1; n <= 7; ++n) {
    for (uint64_t total = 0; total <= 200; ++total) {
      std::vector<uint64_t> per_shard(n + 1, 0);
      for (uint64_t i = 0; i < total; ++i) {
        int owners = 0;
        for (uint64_t k = 1; k <= n; ++k)
          if (Shard{k, n}.has(i)) {
            ++owners;
            ++per_shard[k];
          }
        ASSERT_EQ(owners, 1) << "case " << i << " of " << total << ", N=" << n;
      }
      for (uint64_t k = 1; k <= n; ++k) {
        const Shard shard{k, n};
        ASSERT_EQ(shard.size_of(total), per_shard[k]) << k << "/" << n << " of " << total;
      }
    }
  }
}

RC_GTEST_PROP(Shard, ShardSizesDifferByAtMostOneCase, ()) {
  const uint64_t n = *rc::gen::inRange<uint64_t>(1, 8);
  const uint64_t total = *rc::gen::inRange<uint64_t>(0, 1000000);
  uint64_t smallest = total, largest = 0, sum = 0;
  for (uint64_t k = 1; k <= n; ++k) {
    const uint64_t size = Shard{k, n}.size_of(total);
    smallest = std::min(smallest, size);
    largest = std::max(largest, size);
    sum += size;
  }
  RC_ASSERT(sum == total);
  RC_ASSERT(largest - smallest <= 1);
}

TEST(Shard, PollModeIsRefusedSayingWhy) {
  EXPECT_TRUE(check_shard_mode(Mode::kSync).ok());
  EXPECT_TRUE(check_shard_mode(Mode::kAsync).ok());
  auto st = check_shard_mode(Mode::kPoll);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUsage);
  EXPECT_NE(st.error().message.find("batches mix records of many cases"), std::string::npos) << st.error().message;
}

// In-process runs of a handler. Each run gets a fresh target and handler, as each shard's job
// does: a stateful handler (s3-correct remembers the keys it took effect for) must not carry
// one run's state into the next.
struct ShardFixture {
  EffectsSink sink;
  TargetOptions options;
  std::function<Handler()> make_handler;
  std::string name;
  std::unique_ptr<Target> target;
  RunConfig config;

  ShardFixture(const std::string& source, Mode mode, std::function<Handler()> handler, const std::string& handler_name, uint64_t seed,
               uint64_t cases, const std::string& faults = "")
      : make_handler(std::move(handler)), name("builtin:" + handler_name) {
    options.effects = &sink;
    target = make_in_process_target(make_handler(), name, options);
    config.source = &**find_source(source);
    config.mode = mode;
    config.seed = seed;
    config.cases = cases;
    config.shrink = false;
    config.faults = *FaultPlan::parse(faults);
  }
  RunResult run(std::optional<Shard> shard) {
    config.shard = shard;
    target = make_in_process_target(make_handler(), name, options);
    auto r = harness::run(config, *target, sink);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return std::move(*r);
  }
};

// apigw-fragile keeps no state: the builtin table's handler serves every run.
Handler fragile() { return *examples::find_builtin("apigw-fragile"); }

// The case indices a run delivered, from its trace (every case's first line is its request).
std::vector<std::size_t> requested_cases(const RunResult& r) {
  std::vector<std::size_t> out;
  for (const auto& e : r.trace.entries())
    if (e["action"] == "request") out.push_back(e["case"].get<std::size_t>());
  return out;
}

// (case, invariant, message) of every finding: what a shard must find exactly as unsharded.
using FindingKey = std::tuple<std::size_t, std::string, std::string>;
std::multiset<FindingKey> finding_keys(const RunResult& r) {
  std::multiset<FindingKey> out;
  for (const auto& f : r.findings) out.insert({f.finding.case_index, f.finding.invariant, f.finding.message});
  return out;
}

// Runs the whole run and its N shards; the shards must partition the cases and add up to the
// whole run's counts, verdict by verdict.
void expect_shards_add_up(ShardFixture& fx, uint64_t n) {
  const RunResult whole = fx.run(std::nullopt);
  EXPECT_FALSE(whole.shard.has_value());
  std::vector<std::size_t> all = requested_cases(whole);
  ASSERT_EQ(all.size(), fx.config.cases);
  std::multiset<std::size_t> seen;
  std::multiset<FindingKey> findings;
  std::vector<InvariantVerdict> sum(whole.verdicts.size());
  uint64_t cases_run = 0, invocations = 0;
  for (uint64_t k = 1; k <= n; ++k) {
    const Shard shard{k, n};
    const RunResult part = fx.run(shard);
    ASSERT_TRUE(part.shard.has_value());
    EXPECT_EQ(part.shard->run_cases, fx.config.cases);
    EXPECT_EQ(part.cases_requested, shard.size_of(fx.config.cases));
    const std::vector<std::size_t> ran = requested_cases(part);
    EXPECT_EQ(ran, part.shard->cases) << "shard " << k << "/" << n;
    for (std::size_t i : ran) {
      EXPECT_TRUE(shard.has(i)) << i;
      seen.insert(i);
    }
    for (const auto& f : part.findings) EXPECT_TRUE(shard.has(f.finding.case_index)) << f.finding.case_index;
    for (const auto& f : finding_keys(part)) findings.insert(f);
    ASSERT_EQ(part.verdicts.size(), sum.size());
    for (std::size_t i = 0; i < sum.size(); ++i) {
      sum[i].id = part.verdicts[i].id;
      sum[i].exercised += part.verdicts[i].exercised;
      sum[i].findings += part.verdicts[i].findings;
    }
    cases_run += part.cases_run;
    invocations += part.invocations;
  }
  EXPECT_EQ(seen, std::multiset<std::size_t>(all.begin(), all.end())) << "N=" << n;  // each case once, none left out
  EXPECT_EQ(findings, finding_keys(whole)) << "N=" << n;
  EXPECT_EQ(cases_run, whole.cases_run);
  EXPECT_EQ(invocations, whole.invocations);
  for (std::size_t i = 0; i < sum.size(); ++i) {
    EXPECT_EQ(sum[i].id, whole.verdicts[i].id);
    EXPECT_EQ(sum[i].exercised, whole.verdicts[i].exercised) << sum[i].id << " N=" << n;
    EXPECT_EQ(sum[i].findings, whole.verdicts[i].findings) << sum[i].id << " N=" << n;
    EXPECT_EQ(sum[i].status(), whole.verdicts[i].status()) << sum[i].id << " N=" << n;
  }
}

TEST(ShardedRun, SyncShardsTogetherRunExactlyTheWholeRunsCasesAndVerdicts) {
  for (uint64_t seed : {1u, 7u, 20261123u})
    for (uint64_t n : {1u, 2u, 3u, 5u, 7u}) {
      ShardFixture fx("apigw-http", Mode::kSync, fragile, "apigw-fragile", seed, 40, "duplicate-delivery=0.2,lost-response=0.1,timeout=0.05");
      expect_shards_add_up(fx, n);
    }
}

TEST(ShardedRun, AsyncShardsTogetherRunExactlyTheWholeRunsCasesAndVerdicts) {
  for (uint64_t seed : {3u, 11u})
    for (uint64_t n : {2u, 3u, 4u}) {
      ShardFixture fx("s3", Mode::kAsync, examples::make_s3_correct, "s3-correct", seed, 30, "duplicate-delivery=0.3,lost-response=0.2,throttle=0.1");
      fx.config.scenario.event_invoke_config = {{"MaximumRetryAttempts", 1}, {"MaximumEventAgeInSeconds", 3600}};
      expect_shards_add_up(fx, n);
    }
}

TEST(ShardedRun, InputLinesSplitByLineIndex) {
  ShardFixture fx("apigw-http", Mode::kSync, fragile, "apigw-fragile", 5, 0);
  {
    ShardFixture gen("apigw-http", Mode::kSync, fragile, "apigw-fragile", 5, 0);
    EventGenerator g(*gen.config.source, PayloadContract::builtin());
    for (uint64_t i = 0; i < 10; ++i) fx.config.input.push_back(make_case(g, derive_seed(99, i), MutateFilter::kAny));
  }
  const RunResult whole = fx.run(std::nullopt);
  const RunResult part = fx.run(Shard{2, 3});
  EXPECT_EQ(part.shard->run_cases, 10u);
  EXPECT_EQ(part.shard->cases, (std::vector<std::size_t>{1, 4, 7}));
  EXPECT_EQ(requested_cases(part), (std::vector<std::size_t>{1, 4, 7}));
  EXPECT_EQ(part.cases_run, 3u);
  // Each delivered case is the whole run's line with that index, with the same seed.
  for (const auto& e : part.trace.entries())
    if (e["action"] == "request") {
      EXPECT_EQ(e["seed"], fx.config.input[e["case"].get<std::size_t>()].seed);
    }
  std::multiset<FindingKey> expected;
  for (const auto& f : finding_keys(whole))
    if (std::get<0>(f) % 3 == 1) expected.insert(f);
  EXPECT_EQ(finding_keys(part), expected);
}

TEST(ShardedRun, PollModeRunIsRefused) {
  ShardFixture fx("sqs", Mode::kPoll, [] { return *examples::find_builtin("sqs-partial"); }, "sqs-partial", 1, 5);
  fx.config.shard = Shard{1, 2};
  auto r = harness::run(fx.config, *fx.target, fx.sink);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUsage);
}

TEST(ShardedRun, ShrunkFindingsKeepTheirRunWideCaseIndex) {
  ShardFixture fx("apigw-http", Mode::kSync, fragile, "apigw-fragile", 7, 30);
  fx.config.shrink = true;
  const Shard shard{3, 4};
  const RunResult part = fx.run(shard);
  ASSERT_FALSE(part.findings.empty());
  for (const auto& f : part.findings) {
    EXPECT_TRUE(shard.has(f.finding.case_index)) << f.finding.case_index;
    EXPECT_GT(f.shrink_steps, 0u);
    EXPECT_TRUE(f.shrunk) << f.shrink_note;  // re-run alone, it failed again
  }
  const Json j = part.to_json();
  ASSERT_TRUE(j.contains("shard"));
  EXPECT_EQ(j["shard"]["index"], 3);
  EXPECT_EQ(j["shard"]["count"], 4);
  EXPECT_EQ(j["shard"]["runCases"], 30);
  EXPECT_EQ(j["shard"]["split"], kShardSplit);
  EXPECT_EQ(j["shard"]["cases"].size(), 7u);  // 2, 6, ..., 26
  EXPECT_EQ(j["statistics"]["casesRequested"], 7);
}

}  // namespace
}  // namespace evh::harness
