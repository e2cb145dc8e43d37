// `evh run` as a user meets it: report directory, exit codes, one clear line on bad input, and
// misbehaving targets turned into findings (never an evh crash or hang).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "generators/json.h"
#include "tests/util/run_command.h"

namespace evh {
namespace {

using testing::evh_binary;
using testing::count_lines;
using testing::expect_one_clear_line;
using testing::run_command;
using testing::temp_dir;
using testing::write_file;
namespace fs = std::filesystem;

std::string evh(const std::string& args) { return evh_binary() + " " + args; }

std::string slurp(const std::string& path) { return testing::read_text(path); }

bool have_node() { return std::system("node --version >/dev/null 2>&1") == 0; }
std::string node_script(const std::string& name) { return std::string(EVH_SOURCE_DIR) + "/examples/node/" + name; }

TEST(Run, CorrectHandlerPassesAndWritesTheReport) {
  std::string dir = temp_dir();
  auto r = run_command(evh("run --source apigw-rest --mode sync --target builtin:apigw-echo --cases 40 --seed 7 --report-dir " + dir));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(r.err.rfind("evh: seed=7 ", 0), 0u) << r.err;
  Json result = Json::parse(slurp(dir + "/result.json"));
  EXPECT_EQ(result["verdict"], "pass");
  EXPECT_EQ(result["statistics"]["casesRun"], 40);
  EXPECT_EQ(result["configuration"]["function"]["Timeout"], 3);
  std::string trace = slurp(dir + "/trace.jsonl");
  EXPECT_GE(count_lines(trace), 80u);  // a request and an invoke line per case
  // A sync HTTP source exercises the robustness, contract and size checks; the batch, order,
  // effects and delivery checks have nothing to check there, and say so.
  const std::set<std::string> held = {"robust.no-crash", "robust.no-hang", "contract.response", "limits.payload"};
  EXPECT_EQ(result["invariants"].size(), 12u);
  for (const auto& inv : result["invariants"])
    EXPECT_EQ(inv["status"], held.count(inv["id"].get<std::string>()) ? "held" : "not-exercised") << inv.dump();
}

TEST(Run, StringStatusCodeIsReportedWithPointerAnd502) {
  std::string dir = temp_dir();
  auto r = run_command(evh("run --source apigw-rest --mode sync --target builtin:apigw-string-status --cases 3 --seed 1 --mutate none --report-dir " + dir));
  ASSERT_EQ(r.exit_code, 1) << r.err << r.out;
  Json result = Json::parse(slurp(dir + "/result.json"));
  ASSERT_EQ(result["findings"].size(), 3u);
  const Json& f = result["findings"][0];
  EXPECT_EQ(f["invariant"], "contract.response");
  EXPECT_EQ(f["pointer"], "/statusCode");
  EXPECT_EQ(f["httpStatus"], 502);
  ASSERT_TRUE(fs::exists(f["file"].get<std::string>()));
  Json doc = Json::parse(slurp(f["file"].get<std::string>()));
  EXPECT_EQ(doc["source"], "apigw-rest");
  EXPECT_TRUE(doc["event"].is_object());
  EXPECT_FALSE(doc["trace"].empty());
  EXPECT_NE(r.out.find("contract.response"), std::string::npos);
}

TEST(Run, ScenarioWithSqsBatchSize20000IsRefused) {
  std::string dir = temp_dir();
  write_file(dir + "/s.json", R"({"source": "sqs", "eventSourceMapping": {"BatchSize": 20000}})");
  auto r = run_command(evh("run " + dir + "/s.json --target builtin:sqs-partial --report-dir " + dir + "/out"));
  expect_one_clear_line(r, 2, "BatchSize");
  EXPECT_NE(r.err.find("20000"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("10000"), std::string::npos) << r.err;  // the range
}

TEST(Run, ScenarioWithAnUnknownKeyIsRefused) {
  std::string dir = temp_dir();
  write_file(dir + "/s.json", R"({"source": "sqs", "eventSourceMapping": {"BatchSize": 10, "BatchSise": 5}})");
  auto r = run_command(evh("run " + dir + "/s.json --target builtin:sqs-partial"));
  expect_one_clear_line(r, 2, "BatchSise");
}

TEST(Run, ScenarioThatIsNotJsonNamesLineAndColumn) {
  std::string dir = temp_dir();
  write_file(dir + "/s.json", "{\n  \"source\": \"sqs\",\n  \"eventSourceMapping\": {\"BatchSize\": 10,}\n}\n");
  auto r = run_command(evh("run " + dir + "/s.json --target builtin:sqs-partial"));
  expect_one_clear_line(r, 2, "s.json:3:");
}

TEST(Run, BadFlagsAndTargetsAreOneClearLine) {
  expect_one_clear_line(run_command(evh("run --source apigw-rest --mode sync --target builtin:nope")), 2, "builtin:nope");
  expect_one_clear_line(run_command(evh("run --source apigw-rest --mode sync --target ftp://x")), 2, "unknown kind");
  expect_one_clear_line(run_command(evh("run --source apigw-rest --mode sync --target builtin:apigw-echo --faults explode")), 2, "explode");
  expect_one_clear_line(run_command(evh("run --source apigw-rest --mode sync --target builtin:apigw-echo --invariants robust.typo")), 2, "robust.typo");
  expect_one_clear_line(run_command(evh("run --source nope --mode sync --target builtin:apigw-echo")), 2, "nope");
  expect_one_clear_line(run_command(evh("run --source apigw-rest --mode sideways --target builtin:apigw-echo")), 2, "sideways");
  expect_one_clear_line(run_command(evh("run --source apigw-rest --mode sync")), 2, "--target");
}

// The run had started (its seed is the first line), then the target could not be reached:
// exit 3 and one line saying why.
void expect_seed_then_one_line(const testing::CommandResult& r, int code, const std::string& must_contain) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  EXPECT_EQ(count_lines(r.err), 2u) << r.err;
  EXPECT_EQ(r.err.rfind("evh: seed=", 0), 0u) << r.err;
  auto second = r.err.substr(r.err.find('\n') + 1);
  EXPECT_EQ(second.rfind("evh: ", 0), 0u) << r.err;
  EXPECT_NE(second.find(must_contain), std::string::npos) << r.err;
}

TEST(Run, UnreachableTargetIsExitThree) {
  std::string dir = temp_dir();
  expect_seed_then_one_line(run_command(evh("run --source apigw-rest --mode sync --target http://127.0.0.1:9 --cases 1 --report-dir " + dir)), 3, "127.0.0.1:9");
  expect_seed_then_one_line(run_command(evh("run --source apigw-rest --mode sync --target 'runtime-api:exit 7' --cases 1 --report-dir " + dir)), 3, "exit status 7");
}

TEST(Run, CrashingSubprocessIsAFindingAndTheRunGoesOn) {
  if (!have_node()) GTEST_SKIP() << "node is not installed";
  std::string dir = temp_dir();
  auto r = run_command(evh("run --source apigw-rest --mode sync --cases 3 --seed 3 --mutate none --report-dir " + dir +
                           " --target 'exec-persistent:node " + node_script("exec.js") + " --persistent crash'"));
  ASSERT_EQ(r.exit_code, 1) << r.err << r.out;
  Json result = Json::parse(slurp(dir + "/result.json"));
  EXPECT_EQ(result["statistics"]["casesRun"], 3);
  ASSERT_EQ(result["findings"].size(), 3u);  // every case found the crash: the target was restarted each time
  for (const auto& f : result["findings"]) EXPECT_EQ(f["invariant"], "robust.no-crash");
}

TEST(Run, HangingRuntimeIsAFindingAndTheRunGoesOn) {
  if (!have_node()) GTEST_SKIP() << "node is not installed";
  std::string dir = temp_dir();
  write_file(dir + "/s.json", R"({"source": "apigw-http", "mode": "sync", "function": {"Timeout": 1}})");
  auto r = run_command(evh("run " + dir + "/s.json --cases 2 --seed 3 --mutate none --report-dir " + dir + "/out" +
                           " --target 'runtime-api:node " + node_script("runtime_client.js") + " hang'"), "", 60);
  ASSERT_EQ(r.exit_code, 1) << r.err << r.out;
  Json result = Json::parse(slurp(dir + "/out/result.json"));
  ASSERT_EQ(result["findings"].size(), 2u);
  for (const auto& f : result["findings"]) EXPECT_EQ(f["invariant"], "robust.no-hang");
}

TEST(Run, GarbageAnswerIsAContractFinding) {
  if (!have_node()) GTEST_SKIP() << "node is not installed";
  std::string dir = temp_dir();
  auto r = run_command(evh("run --source apigw-rest --mode sync --cases 2 --seed 3 --mutate none --report-dir " + dir +
                           " --target 'exec:node " + node_script("exec.js") + " garbage'"));
  ASSERT_EQ(r.exit_code, 1) << r.err << r.out;
  Json result = Json::parse(slurp(dir + "/result.json"));
  ASSERT_EQ(result["findings"].size(), 2u);
  EXPECT_EQ(result["findings"][0]["invariant"], "contract.response");
  EXPECT_EQ(result["findings"][0]["httpStatus"], 502);
}

// Found by fuzz/invoke_response_fuzzer (corpus/invoke_response_fuzzer/crash-body-not-utf8): a
// handler answering bytes that are not UTF-8 ended the run with "evh: internal error" (exit 3)
// when the finding files were written; it is a contract finding like any other garbage.
TEST(Run, AnswerThatIsNotUtf8IsAFindingNotAnInternalError) {
  std::string dir = temp_dir();
  auto r = run_command(evh("run --source apigw-rest --mode sync --cases 1 --seed 1 --no-shrink --report-dir " + dir +
                           " --target \"exec:printf '\\\\377\\\\376'\""));
  ASSERT_EQ(r.exit_code, 1) << r.err << r.out;
  Json result = Json::parse(slurp(dir + "/result.json"));
  ASSERT_EQ(result["findings"].size(), 1u);
  EXPECT_EQ(result["findings"][0]["invariant"], "contract.response");
}

TEST(Run, EffectsCommandOutputIsCollected) {
  std::string dir = temp_dir();
  write_file(dir + "/effects.jsonl", "{\"kind\":\"processed\",\"id\":\"a\"}\n{\"kind\":\"side-effect\",\"id\":\"a\",\"key\":\"k1\"}\n");
  auto r = run_command(evh("run --source apigw-http --mode sync --target builtin:apigw-echo --cases 2 --seed 1 --mutate none --report-dir " +
                           dir + "/after --effects-cmd 'cat " + dir + "/effects.jsonl'"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json after = Json::parse(slurp(dir + "/after/result.json"));
  ASSERT_EQ(after["effects"].size(), 2u);
  EXPECT_EQ(after["effects"][1]["key"], "k1");
  // --effects-cmd-each: after every invocation, tied to its case in the trace.
  r = run_command(evh("run --source apigw-http --mode sync --target builtin:apigw-echo --cases 2 --seed 1 --mutate none --report-dir " +
                      dir + "/each --effects-cmd-each --effects-cmd 'cat " + dir + "/effects.jsonl'"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream trace(slurp(dir + "/each/trace.jsonl"));
  std::string line;
  std::size_t effect_lines = 0;
  while (std::getline(trace, line)) effect_lines += Json::parse(line)["action"] == "effects";
  EXPECT_EQ(effect_lines, 2u);
  // A command that fails is reported in the trace; the run's results are kept.
  r = run_command(evh("run --source apigw-http --mode sync --target builtin:apigw-echo --cases 1 --seed 1 --mutate none --report-dir " +
                      dir + "/bad --effects-cmd 'echo not-json'"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(slurp(dir + "/bad/trace.jsonl").find("effects-error"), std::string::npos);
}

TEST(Run, AsyncScenarioDeliversToDestinationsAndTheDlq) {
  std::string dir = temp_dir();
  auto r = run_command(evh("run " + std::string(EVH_SOURCE_DIR) + "/examples/scenarios/s3-async-destinations.json --cases 4 --seed 2 " +
                           "--target builtin:apigw-fragile --report-dir " + dir));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;  // failures are the platform's business here, not findings
  Json result = Json::parse(slurp(dir + "/result.json"));
  EXPECT_EQ(result["mode"], "async");
  EXPECT_EQ(result["destinations"]["arn:aws:sns:us-east-1:123456789012:thumbnails-failed"].size(), 4u);
  EXPECT_EQ(result["destinations"]["arn:aws:sqs:us-east-1:123456789012:thumbnailer-dlq"].size(), 4u);
  EXPECT_EQ(result["configuration"]["eventInvokeConfig"]["MaximumRetryAttempts"], 1);
  EXPECT_EQ(result["statistics"]["invocations"], 8);  // 1 + MaximumRetryAttempts (1) per event
  EXPECT_NE(r.out.find("destination arn:aws:sns"), std::string::npos);
}

TEST(Run, ProducerAndStreamFlagsOverrideTheScenarioAndAreEchoed) {
  std::string dir = temp_dir();
  write_file(dir + "/s.json", R"({"source": "kinesis", "workload": {"records": 5, "arrival": "steady"}, "stream": {"ShardCount": 1}})");
  auto r = run_command(evh("run " + dir + "/s.json --target builtin:noop --cases 5 --seed 3 --mutate none --report-dir " + dir +
                           "/out --records 12 --keys 4 --rate 50 --producer-duplicates 0.1 --shards 3"));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  Json config = Json::parse(slurp(dir + "/out/result.json"))["configuration"];
  EXPECT_EQ(config["stream"]["ShardCount"], 3);
  EXPECT_EQ(config["stream"]["RetentionPeriodHours"], 24);
  EXPECT_EQ(config["workload"]["records"], 12);
  EXPECT_EQ(config["workload"]["keys"], 4);
  EXPECT_EQ(config["workload"]["arrival"], "steady");  // from the file
  EXPECT_DOUBLE_EQ(config["workload"]["ratePerSecond"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(config["workload"]["duplicates"].get<double>(), 0.1);
  const Json& d = config["defaulted"];
  EXPECT_NE(std::find(d.begin(), d.end(), Json("stream.RetentionPeriodHours")), d.end()) << d.dump();
  EXPECT_EQ(std::find(d.begin(), d.end(), Json("stream.ShardCount")), d.end()) << d.dump();
}

TEST(Run, BadProducerAndStreamFlagsAreOneClearLine) {
  const std::string poll = "run --target builtin:noop --cases 1 --report-dir " + temp_dir() + " ";
  expect_one_clear_line(run_command(evh(poll + "--source kinesis --records 0")), 2, "--records 0 is out of range: 1–10000000");
  expect_one_clear_line(run_command(evh(poll + "--source kinesis --arrival sideways")), 2, "--arrival \"sideways\" must be burst, steady or trickle");
  expect_one_clear_line(run_command(evh(poll + "--source kinesis --rate 5")), 2, "--rate applies to arrival steady or trickle only");
  expect_one_clear_line(run_command(evh(poll + "--source kinesis --producer-duplicates 1.5")), 2, "--producer-duplicates 1.5 is out of range: 0–1");
  expect_one_clear_line(run_command(evh(poll + "--source sqs --keys 5")), 2, "--keys does not apply to sqs");
  expect_one_clear_line(run_command(evh(poll + "--source kinesis --shards 501")), 2, "--shards 501 is out of range for kinesis: 1–500");
  expect_one_clear_line(run_command(evh(poll + "--source kafka-msk --shards 3")), 2, "--shards does not apply to kafka-msk");
  expect_one_clear_line(run_command(evh(poll + "--source kinesis --partitions 3")), 2, "--partitions does not apply to kinesis");
  expect_one_clear_line(run_command(evh(poll + "--source mq-activemq --shards 2")), 2, "stream (set by --shards) does not apply to mq-activemq");
  expect_one_clear_line(run_command(evh(poll + "--source apigw-rest --mode sync --records 5")), 2,
                        "workload (set by --records) is only used in poll mode");
  expect_one_clear_line(run_command(evh(poll + "--source kinesis --records many")), 2, "--records");
}

TEST(Run, InputFileIsTheExactWorkloadInArrivalOrder) {
  std::string dir = temp_dir();
  // Lines out of time order: the stream numbers records as they arrive.
  write_file(dir + "/in.jsonl", "{\"payload\": {\"n\": 1}, \"partitionKey\": \"a\", \"at\": 2000}\n"
                                "# a comment\n"
                                "{\"payload\": {\"n\": 2}, \"partitionKey\": \"b\", \"at\": 0}\n"
                                "{\"payload\": {\"n\": 3}, \"partitionKey\": \"a\", \"at\": 1000}\n");
  auto r = run_command(evh("run --source kinesis --target builtin:noop --shards 1 --seed 4 --input " + dir + "/in.jsonl --report-dir " + dir + "/out"));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  std::vector<std::pair<int64_t, int64_t>> sends;  // (t, case)
  std::vector<std::string> seqs;
  std::istringstream trace(slurp(dir + "/out/trace.jsonl"));
  for (std::string line; std::getline(trace, line);) {
    Json e = Json::parse(line);
    if (e["action"] != "send") continue;
    sends.emplace_back(e["t"].get<int64_t>(), e["case"].get<int64_t>());
    seqs.push_back(e["seq"]);
  }
  EXPECT_EQ(sends, (std::vector<std::pair<int64_t, int64_t>>{{0, 1}, {1000, 2}, {2000, 0}}));
  ASSERT_EQ(seqs.size(), 3u);
  EXPECT_LT(seqs[0], seqs[1]);  // same length, so string order is numeric order
  EXPECT_LT(seqs[1], seqs[2]);
  Json result = Json::parse(slurp(dir + "/out/result.json"));
  EXPECT_EQ(result["statistics"]["casesRun"], 3);
  EXPECT_EQ(result["statistics"]["invocations"], 3);  // each record alone: none waits for a later one

  write_file(dir + "/bad.jsonl", "{\"payload\": 1}\n{\"partitionKey\": \"a\", \"at\": \"soon\"}\n");
  expect_one_clear_line(run_command(evh("run --source kinesis --target builtin:noop --input " + dir + "/bad.jsonl --report-dir " + dir + "/bad")), 2,
                        "bad.jsonl:2: \"at\" must be an integer (virtual ms), got string");
  expect_one_clear_line(run_command(evh("run --source kinesis --target builtin:noop --input " + dir + "/none.jsonl --report-dir " + dir + "/bad")), 2,
                        "none.jsonl");
}

TEST(Run, AsyncPayloadLimitCanBeTheOlder256Kilobytes) {
  std::string dir = temp_dir();
  write_file(dir + "/in.jsonl", "{\"payload\": \"" + std::string(300000, 'x') + "\"}\n{\"payload\": \"small\"}\n");
  for (const char* limit : {"1MB", "256KB"}) {
    const std::string out = dir + "/" + limit;
    auto r = run_command(evh("run --source sns --mode async --target builtin:noop --seed 2 --input " + dir + "/in.jsonl --async-payload-limit " +
                             limit + " --report-dir " + out));
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    Json result = Json::parse(slurp(out + "/result.json"));
    // SEMANTICS.md §1: 1 MB today; 256 KB before: the 300,000-byte event is refused with 413.
    const bool legacy = std::string(limit) == "256KB";
    EXPECT_EQ(result["statistics"]["invocations"], legacy ? 1 : 2) << limit;
    EXPECT_EQ(slurp(out + "/trace.jsonl").find("\"status\":413") != std::string::npos, legacy) << limit;
  }
  expect_one_clear_line(run_command(evh("run --source sns --mode async --target builtin:noop --async-payload-limit 2MB --report-dir " + dir + "/x")), 2,
                        "--async-payload-limit '2MB': use 1MB or 256KB");
}

TEST(Run, ListInvariantsFaultsTargetsAndHandlers) {
  for (const char* what : {"invariants", "faults", "targets", "handlers"}) {
    auto r = run_command(evh(std::string("list ") + what + " --json"));
    ASSERT_EQ(r.exit_code, 0) << what << r.err;
    EXPECT_FALSE(Json::parse(r.out).empty()) << what;
  }
}

}  // namespace
}  // namespace evh
