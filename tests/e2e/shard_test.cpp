// Sharded runs end to end (`evh run --shard K/N`, `evh report merge`): the shards of a run
// together deliver exactly the cases of the unsharded run, once each, and their merged report
// has the unsharded verdicts; bad shard values and bad merge input are one clear line.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "generators/json.h"
#include "tests/util/run_command.h"

namespace evh {
namespace {

using testing::evh_binary;
using testing::expect_one_clear_line;
using testing::run_command;
using testing::temp_dir;
using testing::write_file;
namespace fs = std::filesystem;

std::string evh(const std::string& args) { return evh_binary() + " " + args; }

Json result_of(const std::string& dir) { return Json::parse(testing::read_text(dir + "/result.json")); }

// The case index of every "request" line of DIR/trace.jsonl: the cases the run delivered.
std::vector<std::size_t> requested_cases(const std::string& dir) {
  std::vector<std::size_t> out;
  std::istringstream in(testing::read_text(dir + "/trace.jsonl"));
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    Json e = Json::parse(line);
    if (e["action"] == "request") out.push_back(e["case"].get<std::size_t>());
  }
  return out;
}

// (id, status, exercised, findings) of every invariant, in order.
std::vector<std::tuple<std::string, std::string, uint64_t, uint64_t>> verdicts(const Json& result) {
  std::vector<std::tuple<std::string, std::string, uint64_t, uint64_t>> out;
  for (const auto& v : result["invariants"]) out.emplace_back(v["id"], v["status"], v["exercised"], v["findings"]);
  return out;
}

std::multiset<std::pair<std::size_t, std::string>> finding_cases(const Json& result) {
  std::multiset<std::pair<std::size_t, std::string>> out;
  for (const auto& f : result["findings"]) out.emplace(f["case"].get<std::size_t>(), f["invariant"].get<std::string>());
  return out;
}

// Runs `args` whole into DIR/whole and as N shards into DIR/s1..sN, checks that the shards
// delivered exactly the whole run's cases, merges them into DIR/merged, and checks that the
// merged verdicts and totals are the whole run's. Returns {whole, merged} result.json.
std::pair<Json, Json> run_whole_and_sharded(const std::string& dir, const std::string& args, int n) {
  auto whole = run_command(evh("run " + args + " --report-dir " + dir + "/whole"));
  EXPECT_TRUE(whole.exit_code == 0 || whole.exit_code == 1) << whole.err << whole.out;
  const std::vector<std::size_t> all = requested_cases(dir + "/whole");
  EXPECT_FALSE(all.empty());
  std::multiset<std::size_t> ran;
  std::string shard_dirs;
  for (int k = 1; k <= n; ++k) {
    const std::string sd = dir + "/s" + std::to_string(k);
    const std::string shard = std::to_string(k) + "/" + std::to_string(n);
    auto r = run_command(evh("run " + args + " --shard " + shard + " --report-dir " + sd));
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err << r.out;
    EXPECT_NE(r.out.find("shard " + shard + ": "), std::string::npos) << r.out;
    const Json sr = result_of(sd);
    EXPECT_EQ(sr["shard"]["index"], k);
    EXPECT_EQ(sr["shard"]["count"], n);
    EXPECT_EQ(sr["shard"]["runCases"], all.size());
    const std::vector<std::size_t> delivered = requested_cases(sd);
    EXPECT_EQ(sr["shard"]["cases"], Json(delivered)) << "shard " << shard << " says it ran other cases than its trace shows";
    EXPECT_EQ(sr["statistics"]["casesRun"], delivered.size());
    for (std::size_t i : delivered) ran.insert(i);
    for (const auto& f : sr["findings"]) EXPECT_EQ(f["case"].get<std::size_t>() % static_cast<std::size_t>(n), static_cast<std::size_t>(k - 1));
    shard_dirs += " " + sd;
  }
  // Exactly the unsharded run's cases: each once, none left out, none added.
  EXPECT_EQ(ran, std::multiset<std::size_t>(all.begin(), all.end()));
  EXPECT_EQ(std::set<std::size_t>(ran.begin(), ran.end()).size(), ran.size()) << "a case ran in two shards";

  auto m = run_command(evh("report merge" + shard_dirs + " --report-dir " + dir + "/merged --format all"));
  EXPECT_EQ(m.exit_code, whole.exit_code) << m.err << m.out;
  EXPECT_TRUE(m.err.empty()) << m.err;
  const Json w = result_of(dir + "/whole");
  const Json merged = result_of(dir + "/merged");
  EXPECT_EQ(merged["verdict"], w["verdict"]);
  EXPECT_EQ(verdicts(merged), verdicts(w));
  for (const char* k : {"casesRequested", "casesRun", "invocations", "findings"})
    EXPECT_EQ(merged["statistics"][k], w["statistics"][k]) << k;
  EXPECT_EQ(finding_cases(merged), finding_cases(w));
  EXPECT_EQ(merged["merged"]["shards"], n);
  // The merged trace holds every shard's lines, so every case's request once.
  std::vector<std::size_t> merged_cases = requested_cases(dir + "/merged");
  EXPECT_EQ(std::multiset<std::size_t>(merged_cases.begin(), merged_cases.end()), std::multiset<std::size_t>(all.begin(), all.end()));
  for (const char* f : {"junit.xml", "result.sarif", "result.md", "result.html"}) EXPECT_TRUE(fs::exists(dir + "/merged/" + f)) << f;
  return {w, merged};
}

TEST(ShardedRun, ThreeShardsRunExactlyTheUnshardedCasesAndMergeIntoItsVerdicts) {
  const std::string dir = temp_dir();
  auto [whole, merged] = run_whole_and_sharded(dir, "--source apigw-http --target builtin:apigw-fragile --cases 60 --seed 7", 3);
  ASSERT_EQ(whole["verdict"], "fail");  // the fragile handler is caught: there are findings to merge
  ASSERT_FALSE(merged["findings"].empty());
  // Every finding file sits under the merged report and replays there as it does from the whole run.
  std::set<std::string> whole_names, merged_names;
  for (const auto& f : whole["findings"]) whole_names.insert(fs::path(f["file"].get<std::string>()).filename().string());
  for (const auto& f : merged["findings"]) {
    const std::string file = f["file"];
    EXPECT_EQ(file.rfind(dir + "/merged/findings/", 0), 0u) << file;
    EXPECT_TRUE(fs::exists(file)) << file;
    EXPECT_EQ(f["replay"], "evh replay " + file);
    merged_names.insert(fs::path(file).filename().string());
  }
  EXPECT_EQ(merged_names, whole_names);  // content-named: the same cases, found and shrunk alike
  const std::string file = merged["findings"][0]["file"];
  auto replay = run_command(evh("replay " + file));
  EXPECT_EQ(replay.exit_code, 1) << replay.err << replay.out;
  EXPECT_NE(replay.out.find("STILL FAILING: " + merged["findings"][0]["invariant"].get<std::string>()), std::string::npos) << replay.out;
}

TEST(ShardedRun, AsyncShardsMergeIntoTheUnshardedVerdictsAndDestinations) {
  const std::string dir = temp_dir();
  const std::string scenario = std::string(EVH_SOURCE_DIR) + "/examples/scenarios/s3-async-destinations.json";
  auto [whole, merged] = run_whole_and_sharded(
      dir, scenario + " --target builtin:s3-correct --cases 30 --seed 11 --faults duplicate-delivery=0.3,lost-response=0.2,throttle=0.1", 3);
  EXPECT_EQ(whole["mode"], "async");
  ASSERT_TRUE(whole.contains("destinations"));
  for (const auto& [arn, msgs] : whole["destinations"].items()) EXPECT_EQ(merged["destinations"][arn].size(), msgs.size()) << arn;
  // The handler's idempotency is exercised under the duplicates, and held, in both.
  for (const auto& v : merged["invariants"])
    if (v["id"] == "idempotency.effects") {
      EXPECT_EQ(v["status"], "held") << v.dump();
    }
}

TEST(ShardedRun, BadShardValuesAreOneClearLine) {
  const std::string dir = temp_dir();
  const std::string base = "run --source apigw-http --target builtin:apigw-echo --cases 5 --seed 1 --report-dir " + dir + "/x --shard ";
  expect_one_clear_line(run_command(evh(base + "0/3")), 2, "--shard '0/3': K counts from 1");
  expect_one_clear_line(run_command(evh(base + "4/3")), 2, "--shard '4/3': K must be at most N");
  expect_one_clear_line(run_command(evh(base + "a/b")), 2, "--shard 'a/b': use K/N");
  expect_one_clear_line(run_command(evh(base + "1/0")), 2, "--shard '1/0': N must be at least 1");
  expect_one_clear_line(run_command(evh(base + "3")), 2, "--shards");
  EXPECT_FALSE(fs::exists(dir + "/x/result.json"));
  // Each job would draw its own seed, and the shards would be parts of different runs.
  expect_one_clear_line(run_command(evh("run --source apigw-http --target builtin:apigw-echo --cases 5 --shard 1/2 --report-dir " + dir + "/y")), 2,
                        "--shard 1/2: give the run's seed");
  // Poll mode is one ordered simulation: refused, saying why.
  expect_one_clear_line(run_command(evh("run --source sqs --target builtin:sqs-partial --cases 5 --shard 1/2 --report-dir " + dir + "/p")), 2,
                        "poll mode cannot be sharded");
}

TEST(ReportMerge, BadMergeInputIsOneClearLineAndExitTwo) {
  const std::string dir = temp_dir();
  const std::string run = "run --source apigw-http --target builtin:apigw-echo --cases 9";
  for (int k = 1; k <= 3; ++k)
    ASSERT_EQ(run_command(evh(run + " --seed 4 --shard " + std::to_string(k) + "/3 --report-dir " + dir + "/s" + std::to_string(k))).exit_code, 0);
  ASSERT_EQ(run_command(evh(run + " --seed 4 --report-dir " + dir + "/whole")).exit_code, 0);
  ASSERT_EQ(run_command(evh(run + " --seed 5 --shard 3/3 --report-dir " + dir + "/seed5")).exit_code, 0);
  const std::string s12 = " " + dir + "/s1 " + dir + "/s2";
  const std::string out = " --report-dir " + dir + "/out";

  // An unsharded result, a result of another run, the same shard twice, a missing shard.
  expect_one_clear_line(run_command(evh("report merge" + s12 + " " + dir + "/whole" + out)), 2, "not the result of a shard");
  expect_one_clear_line(run_command(evh("report merge" + s12 + " " + dir + "/seed5" + out)), 2, "\"seed\" differs");
  expect_one_clear_line(run_command(evh("report merge" + s12 + " " + dir + "/s2/result.json" + out)), 2, "are both shard 2/3");
  expect_one_clear_line(run_command(evh("report merge" + s12 + out)), 2, "shard 3/3 missing (3 of 9 cases)");
  // Unreadable or corrupt input, and no input.
  expect_one_clear_line(run_command(evh("report merge" + s12 + " " + dir + "/nowhere" + out)), 2, dir + "/nowhere");
  write_file(dir + "/corrupt.json", "{\"shard\": ");
  expect_one_clear_line(run_command(evh("report merge" + s12 + " " + dir + "/corrupt.json" + out)), 2, dir + "/corrupt.json");
  expect_one_clear_line(run_command(evh("report merge" + out)), 2, "shards");
  expect_one_clear_line(run_command(evh("report")), 2, "subcommand");
  EXPECT_FALSE(fs::exists(dir + "/out/result.json"));

  // --allow-missing writes the report, but shards that all passed do not make a pass.
  auto partial = run_command(evh("report merge" + s12 + out + " --allow-missing"));
  EXPECT_EQ(partial.exit_code, 1) << partial.err << partial.out;
  const Json m = result_of(dir + "/out");
  EXPECT_EQ(m["verdict"], "gave-up");
  EXPECT_NE(m["gaveUp"].get<std::string>().find("shard 3/3 missing"), std::string::npos) << m.dump(2);
  EXPECT_NE(partial.out.find("GAVE UP: incomplete"), std::string::npos) << partial.out;

  // All three pass: so does the merge. A report directory that cannot be made is exit 3.
  EXPECT_EQ(run_command(evh("report merge" + s12 + " " + dir + "/s3" + out)).exit_code, 0);
  EXPECT_EQ(result_of(dir + "/out")["verdict"], "pass");
  write_file(dir + "/a-file", "x");
  auto unwritable = run_command(evh("report merge" + s12 + " " + dir + "/s3 --report-dir " + dir + "/a-file/out"));
  EXPECT_EQ(unwritable.exit_code, 3) << unwritable.err;
  EXPECT_NE(unwritable.err.find(dir + "/a-file/out"), std::string::npos) << unwritable.err;
}

}  // namespace
}  // namespace evh
