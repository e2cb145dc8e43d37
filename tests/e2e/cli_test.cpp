// The evh command line as a user meets it: outputs, exit codes (0 ok, 1 findings/invalid,
// 2 usage or config error), one clear line on bad input, the same bytes for the same seed.
#include <gtest/gtest.h>

#include <sstream>

#include "generators/json.h"
#include "tests/util/run_command.h"

namespace evh {
namespace {

using testing::evh_binary;
using testing::count_lines;
using testing::expect_one_clear_line;
using testing::run_command;

std::string evh(const std::string& args) { return evh_binary() + " " + args; }

TEST(Cli, ListSourcesNamesAllThirtySix) {
  auto r = run_command(evh("list sources --json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = Json::parse(r.out);
  EXPECT_EQ(j.size(), 36u);
  EXPECT_EQ(r.err, "");
}

TEST(Cli, GenerateSameSeedSameBytesAndSeedFirstOnStderr) {
  auto a = run_command(evh("generate kinesis -n 20 --seed 99 --mutate any --with-meta"));
  auto b = run_command(evh("generate kinesis -n 20 --seed 99 --mutate any --with-meta"));
  auto c = run_command(evh("generate kinesis -n 20 --seed 100 --mutate any --with-meta"));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
  EXPECT_EQ(a.err.rfind("evh: seed=99", 0), 0u) << a.err;
  EXPECT_EQ(count_lines(a.out), 20u);
}

TEST(Cli, WithMetaLinesCarryTheCase) {
  auto r = run_command(evh("generate sqs -n 5 --seed 1 --mutate illegal --with-meta"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    auto j = Json::parse(line);
    EXPECT_EQ(j["source"], "sqs");
    EXPECT_TRUE(j["seed"].is_number_unsigned());
    EXPECT_FALSE(j["mutations"].empty());
    EXPECT_EQ(j["expect"], "illegal");
    EXPECT_TRUE(j["event"].is_object() || !j["event"].is_object());
  }
}

TEST(Cli, GeneratedEventsValidateThroughAPipe) {
  auto gen = run_command(evh("generate dynamodb-streams -n 200 --seed 4 --batch-size 5"));
  ASSERT_EQ(gen.exit_code, 0);
  auto val = run_command(evh("validate dynamodb-streams --strict -"), gen.out);
  EXPECT_EQ(val.exit_code, 0) << val.out;
  EXPECT_NE(val.err.find("200 event(s), 0 invalid"), std::string::npos) << val.err;
}

TEST(Cli, InvalidEventIsExitOneWithPointerLines) {
  std::string dir = testing::temp_dir();
  testing::write_file(dir + "/bad.json", R"({"Records": [{"messageId": 5, "body": "x"}]})");
  auto r = run_command(evh("validate sqs " + dir + "/bad.json"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("/Records/0/messageId: expected string, got integer"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/Records/0/receiptHandle: required property is missing"), std::string::npos) << r.out;
}

TEST(Cli, UnknownSourceIsOneLineExitTwo) {
  expect_one_clear_line(run_command(evh("generate sqs-fifoo -n 1")), 2, "unknown source 'sqs-fifoo'");
  expect_one_clear_line(run_command(evh("describe nope")), 2, "unknown source 'nope'");
}

TEST(Cli, BadFlagValuesAreOneLineExitTwo) {
  expect_one_clear_line(run_command(evh("generate sqs --mutate sometimes")), 2, "--mutate");
  expect_one_clear_line(run_command(evh("generate sqs -n -3")), 2, "--count");
  expect_one_clear_line(run_command(evh("generate sqs --seed banana")), 2, "--seed");
  expect_one_clear_line(run_command(evh("generate sqs --batch-size 20000")), 2, "--batch-size");
  expect_one_clear_line(run_command(evh("generate sqs-fifo --batch-size 11")), 2, "over the maximum of 10");
  expect_one_clear_line(run_command(evh("generate apigw-http --batch-size 2")), 2, "not batches");
  expect_one_clear_line(run_command(evh("frobnicate")), 2, "unknown command 'frobnicate'");
}

TEST(Cli, MalformedOrUnreadableUserFilesAreOneLineExitTwo) {
  std::string dir = testing::temp_dir();
  testing::write_file(dir + "/broken.json", "{\n  \"type\": \"object\",\n  oops\n}");
  testing::write_file(dir + "/unknown-keyword.json", R"({"type": "object", "propertiez": {}})");
  expect_one_clear_line(run_command(evh("generate sqs --payload-schema " + dir + "/broken.json")), 2, "broken.json:3:3");
  expect_one_clear_line(run_command(evh("generate sqs --payload-schema " + dir + "/unknown-keyword.json")), 2, "propertiez");
  expect_one_clear_line(run_command(evh("generate sqs --payload-sample " + dir + "/missing.json")), 2, "cannot read");
  expect_one_clear_line(run_command(evh("validate sqs " + dir + "/missing.json")), 2, "cannot read");
  expect_one_clear_line(run_command(evh("validate sqs " + dir + "/broken.json")), 2, "not valid JSON");
}

TEST(Cli, DescribeShowsContractAndExample) {
  auto r = run_command(evh("describe kinesis --json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = Json::parse(r.out);
  EXPECT_EQ(j["model"], "poll-stream");
  EXPECT_EQ(j["invocationType"], "RequestResponse");
  EXPECT_EQ(j["responseContract"]["contract"], "batch-item-failures");
  EXPECT_TRUE(j["example"]["Records"].is_array());
  EXPECT_TRUE(j["inputSchema"].is_object());
}

TEST(Cli, PayloadSchemaShapesTheBodies) {
  std::string dir = testing::temp_dir();
  testing::write_file(dir + "/p.json", R"({"type": "object", "required": ["kind"], "properties": {"kind": {"const": "ping"}}})");
  auto r = run_command(evh("generate sqs -n 3 --seed 2 --batch-size 2 --payload-schema " + dir + "/p.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line))
    for (const auto& rec : Json::parse(line)["Records"]) EXPECT_EQ(Json::parse(rec["body"].get<std::string>())["kind"], "ping");
}

}  // namespace
}  // namespace evh
