// Report merge (cli/report_merge.h): the results of the shards of one run, made by in-process
// runs, merge into the whole run's verdicts and counts; results of other runs, unsharded ones,
// duplicates and missing shards are refused, and a merge with missing shards never passes.
#include "cli/report_merge.h"

#include <gtest/gtest.h>

#include "examples/builtin.h"
#include "generators/catalog.h"
#include "harness/run.h"

namespace evh::cli {
namespace {

using harness::Mode;
using harness::Shard;

// The result.json of one in-process run (no finding files: findings carry no "file").
Json run_json(const std::string& source, Mode mode, const std::string& handler, uint64_t seed, uint64_t cases, std::optional<Shard> shard,
              const std::string& faults = "") {
  harness::EffectsSink sink;
  harness::TargetOptions options;
  options.effects = &sink;
  auto target = harness::make_in_process_target(*examples::find_builtin(handler), "builtin:" + handler, options);
  harness::RunConfig config;
  config.source = &**find_source(source);
  config.mode = mode;
  config.seed = seed;
  config.cases = cases;
  config.shrink = false;
  config.faults = *harness::FaultPlan::parse(faults);
  config.shard = shard;
  if (mode == Mode::kAsync)
    config.scenario.event_invoke_config = {{"MaximumRetryAttempts", 1},
                                           {"MaximumEventAgeInSeconds", 3600},
                                           {"DestinationConfig", {{"OnFailure", {{"Destination", "arn:aws:sns:us-east-1:123456789012:failed"}}}}}};
  auto r = harness::run(config, *target, sink);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r->to_json();
}

ShardReport report(Json result, const std::string& name) { return ShardReport{"/nonexistent/" + name, "/nonexistent/" + name + "/result.json", std::move(result)}; }

std::vector<ShardReport> shards_of(const std::string& source, Mode mode, const std::string& handler, uint64_t seed, uint64_t cases, uint64_t n,
                                   const std::string& faults = "") {
  std::vector<ShardReport> out;
  for (uint64_t k = 1; k <= n; ++k)
    out.push_back(report(run_json(source, mode, handler, seed, cases, Shard{k, n}, faults), "shard" + std::to_string(k)));
  return out;
}

void expect_merge_equals_whole(const Json& merged, const Json& whole) {
  EXPECT_EQ(merged["verdict"], whole["verdict"]);
  EXPECT_EQ(merged["invariants"], whole["invariants"]);  // id, status, exercised, findings: every one
  for (const char* k : {"casesRequested", "casesRun", "invocations", "findings"})
    EXPECT_EQ(merged["statistics"][k], whole["statistics"][k]) << k;
  EXPECT_EQ(merged["configuration"], whole["configuration"]);
  EXPECT_EQ(merged["seed"], whole["seed"]);
  EXPECT_FALSE(merged.contains("shard"));
  EXPECT_FALSE(merged.contains("gaveUp"));
}

TEST(ReportMerge, SyncShardsMergeIntoTheWholeRunsVerdictsCountsAndFindings) {
  for (uint64_t n : {1u, 2u, 3u, 7u}) {
    const Json whole = run_json("apigw-http", Mode::kSync, "apigw-fragile", 7, 60, std::nullopt, "duplicate-delivery=0.2,timeout=0.05");
    auto merged = merge_shard_reports(shards_of("apigw-http", Mode::kSync, "apigw-fragile", 7, 60, n, "duplicate-delivery=0.2,timeout=0.05"),
                                      "out", false);
    ASSERT_TRUE(merged.ok()) << merged.error().message;
    const Json& m = merged->result;
    expect_merge_equals_whole(m, whole);
    EXPECT_EQ(m["verdict"], "fail");
    // Sync findings come in case order, as unsharded; sync cases run one after another.
    EXPECT_EQ(m["findings"], whole["findings"]) << "N=" << n;
    EXPECT_EQ(m["statistics"]["virtualMs"], whole["statistics"]["virtualMs"]);
    EXPECT_EQ(m["merged"]["shards"], n);
    EXPECT_EQ(m["merged"]["runCases"], 60);
    EXPECT_TRUE(m["merged"]["missing"].empty());
    EXPECT_TRUE(merged->copies.empty());  // in-process results name no finding files
  }
}

TEST(ReportMerge, AsyncShardsMergeIntoTheWholeRunsVerdictsAndDestinations) {
  const std::string faults = "duplicate-delivery=0.3,lost-response=0.2";
  const Json whole = run_json("s3", Mode::kAsync, "apigw-fragile", 3, 24, std::nullopt, faults);
  auto merged = merge_shard_reports(shards_of("s3", Mode::kAsync, "apigw-fragile", 3, 24, 3, faults), "out", false);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  expect_merge_equals_whole(merged->result, whole);
  const std::string arn = "arn:aws:sns:us-east-1:123456789012:failed";
  ASSERT_TRUE(whole["destinations"].contains(arn));
  EXPECT_EQ(merged->result["destinations"][arn].size(), whole["destinations"][arn].size());
}

TEST(ReportMerge, PassingShardsMergeIntoAPass) {
  const Json whole = run_json("apigw-http", Mode::kSync, "apigw-echo", 4, 20, std::nullopt);
  ASSERT_EQ(whole["verdict"], "pass");
  auto merged = merge_shard_reports(shards_of("apigw-http", Mode::kSync, "apigw-echo", 4, 20, 3), "out", false);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  expect_merge_equals_whole(merged->result, whole);
  EXPECT_EQ(merged->result["verdict"], "pass");
}

TEST(ReportMerge, MissingShardIsRefusedOrMarkedIncompleteButNeverAPass) {
  auto shards = shards_of("apigw-http", Mode::kSync, "apigw-echo", 4, 20, 3);
  shards.erase(shards.begin() + 1);
  auto refused = merge_shard_reports(shards, "out", false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConfig);
  EXPECT_NE(refused.error().message.find("shard 2/3 missing"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("7 of 20 cases"), std::string::npos) << refused.error().message;

  auto incomplete = merge_shard_reports(shards, "out", true);
  ASSERT_TRUE(incomplete.ok()) << incomplete.error().message;
  const Json& m = incomplete->result;
  EXPECT_EQ(m["verdict"], "gave-up");  // every shard given passed, yet the run is not a pass
  EXPECT_NE(m["gaveUp"].get<std::string>().find("incomplete: shard 2/3 missing"), std::string::npos) << m["gaveUp"];
  EXPECT_EQ(m["merged"]["missing"], Json::array({2}));
  EXPECT_EQ(m["statistics"]["casesRequested"], 20);
  EXPECT_EQ(m["statistics"]["casesRun"], 13);
  EXPECT_EQ(harness::RunResult::exit_code_of(m["findings"].size(), m.contains("gaveUp")), 1);
}

TEST(ReportMerge, ResultsThatAreNotShardsOfOneRunAreRefusedNamingTheFile) {
  auto error_of = [](const std::vector<ShardReport>& shards) {
    auto r = merge_shard_reports(shards, "out", false);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return std::string();
    EXPECT_EQ(r.error().code, ErrorCode::kConfig);
    return r.error().message;
  };
  const auto good = shards_of("apigw-http", Mode::kSync, "apigw-echo", 4, 20, 2);

  // An unsharded result.
  auto unsharded = good;
  unsharded[1] = report(run_json("apigw-http", Mode::kSync, "apigw-echo", 4, 20, std::nullopt), "whole");
  EXPECT_NE(error_of(unsharded).find("/nonexistent/whole/result.json: not the result of a shard"), std::string::npos);

  // Another seed, another target, another shard count, another run size.
  auto other_seed = good;
  other_seed[1] = report(run_json("apigw-http", Mode::kSync, "apigw-echo", 5, 20, Shard{2, 2}), "s5");
  EXPECT_NE(error_of(other_seed).find("\"seed\" differs"), std::string::npos);
  auto other_target = good;
  other_target[1] = report(run_json("apigw-http", Mode::kSync, "apigw-fragile", 4, 20, Shard{2, 2}), "fragile");
  EXPECT_NE(error_of(other_target).find("\"target\""), std::string::npos);
  auto other_count = good;
  other_count[1] = report(run_json("apigw-http", Mode::kSync, "apigw-echo", 4, 20, Shard{2, 3}), "of3");
  EXPECT_NE(error_of(other_count).find("shard count"), std::string::npos);
  auto other_size = good;
  other_size[1] = report(run_json("apigw-http", Mode::kSync, "apigw-echo", 4, 21, Shard{2, 2}), "of21");
  EXPECT_NE(error_of(other_size).find("case count"), std::string::npos);

  // The same shard twice.
  auto twice = good;
  twice[1] = good[0];
  twice[1].path = "/elsewhere/result.json";
  EXPECT_NE(error_of(twice).find("are both shard 1/2"), std::string::npos);

  // A shard whose cases are not its split's, a malformed count, a merged report.
  auto tampered = good;
  tampered[0].result["shard"]["cases"][0] = 1;
  EXPECT_NE(error_of(tampered).find("are not the cases of shard 1/2"), std::string::npos);
  auto malformed = good;
  malformed[0].result["invariants"][0]["exercised"] = "many";
  EXPECT_NE(error_of(malformed).find("\"exercised\" must be a non-negative integer"), std::string::npos);
  auto merged = merge_shard_reports(good, "out", false);
  ASSERT_TRUE(merged.ok());
  EXPECT_NE(error_of({report(merged->result, "merged")}).find("already a merged report"), std::string::npos);
}

TEST(ReportMerge, FindingFilesMoveUnderTheMergedReportDirectory) {
  auto shards = shards_of("apigw-http", Mode::kSync, "apigw-fragile", 7, 30, 2);
  std::size_t named = 0;
  for (auto& s : shards)
    for (auto& f : s.result["findings"]) {
      f["file"] = s.dir + "/findings/" + f["invariant"].get<std::string>() + "/f" + std::to_string(named++) + ".json";
    }
  ASSERT_GT(named, 0u);
  auto merged = merge_shard_reports(shards, "merged-out", false);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  ASSERT_EQ(merged->copies.size(), named);
  for (const auto& f : merged->result["findings"]) {
    const std::string file = f["file"];
    EXPECT_EQ(file.rfind("merged-out/findings/" + f["invariant"].get<std::string>() + "/f", 0), 0u) << file;
    EXPECT_EQ(f["replay"], "evh replay " + file);
  }
  for (const auto& [from, to] : merged->copies) EXPECT_EQ(from.rfind("/nonexistent/shard", 0), 0u) << from;
}

}  // namespace
}  // namespace evh::cli
