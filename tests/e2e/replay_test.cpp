// `evh replay` as a user meets it: every finding of `evh run` prints `evh replay <file>`; the
// file replays only its case, STILL FAILING (exit 1) against the buggy handler and FIXED (exit 0)
// against its correct twin; a bad finding file is one clear line and exit 2.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "generators/json.h"
#include "tests/util/run_command.h"

namespace evh {
namespace {

using testing::evh_binary;
using testing::expect_one_clear_line;
using testing::read_text;
using testing::run_command;
using testing::temp_dir;
using testing::write_file;

std::string evh(const std::string& args) { return evh_binary() + " " + args; }

// The files named by the `evh replay <file>` lines of a run's output.
std::vector<std::string> replay_lines(const std::string& out) {
  std::vector<std::string> files;
  std::istringstream in(out);
  const std::string prefix = "evh replay ";
  for (std::string line; std::getline(in, line);) {
    auto at = line.find(prefix);
    if (at != std::string::npos) files.push_back(line.substr(at + prefix.size()));
  }
  return files;
}

// A finding of `args` (a failing run), by the replay line it printed.
std::string finding_of(const std::string& args, const std::string& dir) {
  auto r = run_command(evh("run " + args + " --report-dir " + dir));
  EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
  auto files = replay_lines(r.out);
  EXPECT_FALSE(files.empty()) << r.out;
  return files.empty() ? std::string() : files.front();
}

TEST(Replay, EveryFindingPrintsItsReplayCommandAndResultJsonCarriesIt) {
  const std::string dir = temp_dir();
  auto r = run_command(evh("run --source apigw-rest --mode sync --target builtin:apigw-string-status --cases 3 --seed 1 --mutate none --report-dir " + dir));
  ASSERT_EQ(r.exit_code, 1) << r.err << r.out;
  const auto files = replay_lines(r.out);
  Json result = Json::parse(read_text(dir + "/result.json"));
  ASSERT_EQ(files.size(), result["findings"].size()) << r.out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(result["findings"][i]["replay"], "evh replay " + files[i]);
    EXPECT_EQ(result["findings"][i]["file"], files[i]);
    Json doc = Json::parse(read_text(files[i]));
    EXPECT_EQ(doc["evh"], "0.1.0");
    EXPECT_TRUE(doc["shrink"].is_object()) << doc.dump();
  }
}

TEST(Replay, BuggyHandlerIsStillFailingAndItsCorrectTwinIsFixed) {
  const std::string dir = temp_dir();
  const std::string file = finding_of("--source apigw-rest --mode sync --target builtin:apigw-string-status --cases 3 --seed 1 --mutate none", dir);
  ASSERT_FALSE(file.empty());
  auto still = run_command(evh("replay " + file));
  EXPECT_EQ(still.exit_code, 1) << still.err << still.out;
  EXPECT_EQ(still.out.rfind("STILL FAILING: contract.response ", 0), 0u) << still.out;
  EXPECT_NE(still.out.find("/statusCode"), std::string::npos) << still.out;
  EXPECT_EQ(testing::count_lines(still.out), 1u) << still.out;

  auto fixed = run_command(evh("replay " + file + " --target builtin:apigw-echo"));
  EXPECT_EQ(fixed.exit_code, 0) << fixed.err << fixed.out;
  EXPECT_EQ(fixed.out, "FIXED\n");
}

TEST(Replay, ReplayIsDeterministicAndWritesAReportWhenAsked) {
  const std::string dir = temp_dir();
  const std::string file = finding_of("--source apigw-rest --mode sync --target builtin:apigw-string-status --cases 2 --seed 3", dir);
  ASSERT_FALSE(file.empty());
  const std::string out = temp_dir();
  auto a = run_command(evh("replay " + file + " --report-dir " + out));
  auto b = run_command(evh("replay " + file));
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_EQ(a.out, b.out);
  Json result = Json::parse(read_text(out + "/result.json"));
  EXPECT_EQ(result["statistics"]["casesRun"], 1);
  EXPECT_FALSE(read_text(out + "/trace.jsonl").empty());
}

TEST(Replay, PollModeFindingReplaysItsBatch) {
  const std::string dir = temp_dir();
  // A redrive after one receive keeps the hanging batches from being retried for days.
  write_file(dir + "/scenario.json",
             R"({"queue": {"RedrivePolicy": {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq", "maxReceiveCount": 1}}})");
  const std::string file = finding_of(dir + "/scenario.json --source sqs --mode poll --target builtin:hang --cases 2 --seed 4 --mutate none", dir);
  ASSERT_FALSE(file.empty());
  Json doc = Json::parse(read_text(file));
  EXPECT_EQ(doc["mode"], "poll");
  EXPECT_EQ(doc["shrink"]["records"], 1) << doc["shrink"].dump();
  auto still = run_command(evh("replay " + file));
  EXPECT_EQ(still.exit_code, 1) << still.err << still.out;
  EXPECT_EQ(still.out.rfind("STILL FAILING: robust.no-hang ", 0), 0u) << still.out;
  auto fixed = run_command(evh("replay " + file + " --target builtin:sqs-partial"));
  EXPECT_EQ(fixed.exit_code, 0) << fixed.err << fixed.out;
  EXPECT_EQ(fixed.out, "FIXED\n");
}

TEST(Replay, FindingWithFaultsReplaysWithItsFaultPlan) {
  const std::string dir = temp_dir();
  const std::string file =
      finding_of("--source apigw-rest --mode sync --target builtin:apigw-string-status --cases 4 --seed 9 --mutate none --faults cold-start=0.5,delay=0.5", dir);
  ASSERT_FALSE(file.empty());
  Json doc = Json::parse(read_text(file));
  EXPECT_TRUE(doc["faults"].empty()) << doc["faults"].dump();  // neither matters: both shrunk away
  EXPECT_TRUE(doc["original"].is_object());
  auto still = run_command(evh("replay " + file));
  EXPECT_EQ(still.exit_code, 1) << still.err << still.out;
}


TEST(Replay, NoShrinkKeepsTheCaseAsFoundAndStillReplays) {
  const std::string dir = temp_dir();
  const std::string args = "--source apigw-rest --mode sync --target builtin:apigw-string-status --cases 4 --seed 9 --mutate none "
                           "--faults cold-start=0.5,delay=0.5 --no-shrink";
  const std::string file = finding_of(args, dir);
  ASSERT_FALSE(file.empty());
  Json doc = Json::parse(read_text(file));
  EXPECT_FALSE(doc.contains("shrink")) << doc["shrink"].dump();
  EXPECT_FALSE(doc.contains("original"));
  EXPECT_EQ(doc["faults"].size(), 2u) << doc["faults"].dump();  // the run's plan, not shrunk away
  auto run = run_command(evh("run " + args + " --report-dir " + dir + "/again"));
  EXPECT_EQ(run.out.find("shrunk from"), std::string::npos) << run.out;
  auto still = run_command(evh("replay " + file));
  EXPECT_EQ(still.exit_code, 1) << still.err << still.out;
}
TEST(Replay, CorruptFileIsOneClearLine) {
  const std::string file = temp_dir() + "/corrupt.json";
  write_file(file, "{\"evh\": \"0.1.0\", \"invariant\": ");
  expect_one_clear_line(run_command(evh("replay " + file)), 2, "not JSON");
}

TEST(Replay, MissingFileIsOneClearLine) {
  expect_one_clear_line(run_command(evh("replay " + temp_dir() + "/none.json")), 2, "cannot read");
}

TEST(Replay, FindingOfAnotherEvhVersionIsOneClearLine) {
  const std::string dir = temp_dir();
  const std::string file = finding_of("--source apigw-rest --mode sync --target builtin:apigw-string-status --cases 1 --seed 1 --mutate none", dir);
  ASSERT_FALSE(file.empty());
  Json doc = Json::parse(read_text(file));
  doc["evh"] = "9.9.9";
  const std::string other = dir + "/other.json";
  write_file(other, doc.dump());
  expect_one_clear_line(run_command(evh("replay " + other)), 2, "9.9.9");
  doc.erase("evh");
  write_file(other, doc.dump());
  expect_one_clear_line(run_command(evh("replay " + other)), 2, "\"evh\"");
}

TEST(Replay, UnknownSourceIsOneClearLine) {
  const std::string dir = temp_dir();
  const std::string file = finding_of("--source apigw-rest --mode sync --target builtin:apigw-string-status --cases 1 --seed 1 --mutate none", dir);
  ASSERT_FALSE(file.empty());
  Json doc = Json::parse(read_text(file));
  doc["source"] = "no-such-source";
  const std::string other = dir + "/unknown-source.json";
  write_file(other, doc.dump());
  expect_one_clear_line(run_command(evh("replay " + other)), 2, "no-such-source");
  doc["source"] = "apigw-rest";
  doc["seed"] = "seven";
  write_file(other, doc.dump());
  expect_one_clear_line(run_command(evh("replay " + other)), 2, "\"seed\"");
}

TEST(Replay, UnreachableTargetIsExitThree) {
  const std::string dir = temp_dir();
  const std::string file = finding_of("--source apigw-rest --mode sync --target builtin:apigw-string-status --cases 1 --seed 1 --mutate none", dir);
  ASSERT_FALSE(file.empty());
  expect_one_clear_line(run_command(evh("replay " + file + " --target http://127.0.0.1:1")), 3, "127.0.0.1:1");
}

}  // namespace
}  // namespace evh
