// The example handlers of examples/handlers/ through the real `evh run`: each buggy handler is
// reported with exactly its invariant and no other, in-process (builtin:NAME), through the C++
// Runtime API client (evh-example-runtime) and through the Node one (examples/node/); its
// correct twin passes the same run; the same seed names the same finding files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "generators/json.h"
#include "tests/util/run_command.h"

namespace evh {
namespace {

using testing::run_command;
using testing::temp_dir;
using testing::write_file;
namespace fs = std::filesystem;

// The runs' scenarios, as a user deploys them. Every function has a 1 s timeout: out of process
// a hanging runtime costs one real second.
// SQS with a poison record in five, partial batch responses and a DLQ after two receives (so
// poison records end).
constexpr const char* kSqsPoison = R"({"source": "sqs", "mode": "poll", "function": {"Timeout": 1},
  "workload": {"arrival": "burst", "poison": {"rate": 0.2, "payload": {"poison": true}}},
  "eventSourceMapping": {"BatchSize": 10, "FunctionResponseTypes": ["ReportBatchItemFailures"]},
  "queue": {"VisibilityTimeout": 30, "RedrivePolicy": {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq", "maxReceiveCount": 2}}})";
// SQS FIFO, two message groups.
constexpr const char* kFifo = R"({"source": "sqs-fifo", "mode": "poll", "function": {"Timeout": 1},
  "workload": {"arrival": "burst", "keys": 2},
  "eventSourceMapping": {"BatchSize": 10, "FunctionResponseTypes": ["ReportBatchItemFailures"]},
  "queue": {"FifoQueue": true, "VisibilityTimeout": 30}})";
constexpr const char* kHttpApi = R"({"source": "apigw-http", "mode": "sync", "function": {"Timeout": 1}})";
constexpr const char* kRestApi = R"({"source": "apigw-rest", "mode": "sync", "function": {"Timeout": 1}})";
constexpr const char* kAlexa = R"({"source": "alexa-skill", "mode": "sync", "function": {"Timeout": 1}})";
constexpr const char* kKinesisPoison = R"({"source": "kinesis", "mode": "poll", "function": {"Timeout": 1},
  "workload": {"arrival": "burst", "keys": 3, "poison": {"rate": 0.1, "payload": {"poison": true}}},
  "eventSourceMapping": {"BatchSize": 10, "FunctionResponseTypes": ["ReportBatchItemFailures"], "MaximumRetryAttempts": 1}})";
// A request body with accents, an emoji and Hebrew (--payload-sample).
constexpr const char* kUnicodeSample = "{\"orderId\": \"o-1\", \"note\": \"caf\xc3\xa9 \xe2\x98\x95 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d\"}\n";

struct Row {
  const char* handler;    ///< the buggy handler (builtin:NAME, runtime client argument)
  const char* invariant;  ///< the one invariant it must trip
  const char* twin;       ///< its correct twin, which must pass the same run
  const char* scenario;   ///< scenario file content
  const char* args;       ///< the rest of the `evh run` arguments
  bool node;              ///< has a Node twin in examples/node/handlers.js
  const char* sample = "";  ///< a --payload-sample file's content ("" = none)
};

const std::vector<Row>& rows() {
  static const std::vector<Row> kRows = {
      {"sqs-wrong-id", "batch.identifiers", "sqs-correct", kSqsPoison, "--cases 10 --batch-size 1 --mutate none --seed 12", true},
      {"sqs-swallow", "batch.failures-reported", "sqs-correct", kSqsPoison, "--cases 10 --batch-size 1 --mutate none --seed 12", true},
      {"sqs-throw-one", "batch.partial-not-whole", "sqs-correct", kSqsPoison, "--cases 10 --batch-size 1 --mutate none --seed 12", true},
      {"fifo-reorder", "order.per-key", "sqs-correct", kFifo, "--cases 10 --batch-size 1 --mutate none --seed 12", true},
      {"sqs-not-idempotent", "idempotency.effects", "sqs-correct", kSqsPoison,
       "--cases 10 --batch-size 1 --mutate none --seed 12 --faults duplicate-delivery=0.3", true},
      {"sqs-ack-unprocessed", "delivery.no-loss", "sqs-correct", kSqsPoison, "--cases 10 --batch-size 1 --mutate none --seed 12", true},
      // About half the generated HTTP API requests are GETs without a body.
      {"empty-body-crash", "robust.no-crash", "apigw-echo", kHttpApi, "--cases 6 --mutate none --seed 2", true},
      {"apigw-object-body", "contract.response", "apigw-echo", kRestApi, "--cases 2 --mutate none --seed 5", true},
      {"unicode-hang", "robust.no-hang", "apigw-echo", kHttpApi, "--cases 2 --mutate none --seed 1", true, kUnicodeSample},
      {"alexa-oversize", "limits.payload", "alexa-correct", kAlexa, "--cases 2 --mutate none --seed 5", true},
  };
  return kRows;
}

bool have_node() { return std::system("node --version >/dev/null 2>&1") == 0; }

struct EvhRun {
  int exit_code = -1;
  std::string err;
  std::string dir;  ///< the report directory
  Json result;
};

// `evh run` of `row` against `target`, in a fresh report directory.
EvhRun run_evh(const Row& row, const std::string& target) {
  EvhRun r;
  std::string base = temp_dir();
  write_file(base + "/scenario.json", row.scenario);
  std::string args = row.args;
  if (*row.sample != '\0') {
    write_file(base + "/sample.json", row.sample);
    args += " --payload-sample " + base + "/sample.json";
  }
  r.dir = base + "/report";
  auto c = run_command(testing::evh_binary() + " run " + base + "/scenario.json " + args + " --target " + target + " --report-dir " + r.dir, "", 60);
  r.exit_code = c.exit_code;
  r.err = c.err;
  if (fs::exists(r.dir + "/result.json")) r.result = Json::parse(testing::read_text(r.dir + "/result.json"), nullptr, false);
  return r;
}

std::set<std::string> invariants_with_findings(const EvhRun& r) {
  std::set<std::string> ids;
  if (r.result.is_object() && r.result.contains("findings"))
    for (const auto& f : r.result["findings"]) ids.insert(f["invariant"].get<std::string>());
  return ids;
}

// The finding files (named by content) under findings/<invariant>/.
std::set<std::string> finding_files(const EvhRun& r, const std::string& invariant) {
  std::set<std::string> names;
  fs::path dir = fs::path(r.dir) / "findings" / invariant;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

std::string cpp_runtime(const std::string& handler) { return "'runtime-api:" + std::string(EVH_EXAMPLE_RUNTIME) + " " + handler + "'"; }
std::string node_runtime(const std::string& handler) {
  return "'runtime-api:node " + std::string(EVH_SOURCE_DIR) + "/examples/node/runtime_client.js " + handler + "'";
}

void expect_only(const EvhRun& r, const Row& row, const std::string& how) {
  EXPECT_EQ(r.exit_code, 1) << how << "\n" << r.err;
  EXPECT_EQ(invariants_with_findings(r), (std::set<std::string>{row.invariant})) << how << "\n" << r.err;
}

class Handlers : public ::testing::TestWithParam<Row> {};

TEST_P(Handlers, BuggyInProcessTripsExactlyItsInvariantAndTheSameSeedTheSameFindings) {
  const Row& row = GetParam();
  EvhRun first = run_evh(row, std::string("builtin:") + row.handler);
  expect_only(first, row, "builtin");
  auto files = finding_files(first, row.invariant);
  EXPECT_FALSE(files.empty());
  EvhRun second = run_evh(row, std::string("builtin:") + row.handler);
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_EQ(finding_files(second, row.invariant), files);
}

TEST_P(Handlers, CorrectTwinPassesTheSameRun) {
  const Row& row = GetParam();
  EvhRun r = run_evh(row, std::string("builtin:") + row.twin);
  EXPECT_EQ(r.exit_code, 0) << row.twin << "\n" << r.err;
  EXPECT_EQ(invariants_with_findings(r), std::set<std::string>{});
  ASSERT_TRUE(r.result.is_object());
  // The run really exercised the invariant the buggy twin trips.
  for (const auto& inv : r.result["invariants"]) {
    if (inv["id"] == row.invariant) {
      EXPECT_EQ(inv["status"], "held") << inv.dump();
    }
  }
}

TEST_P(Handlers, BuggyThroughTheCppRuntimeClientTripsTheSameInvariant) {
  const Row& row = GetParam();
  expect_only(run_evh(row, cpp_runtime(row.handler)), row, "runtime-api: evh-example-runtime");
}

TEST_P(Handlers, BuggyThroughTheNodeRuntimeClientTripsTheSameInvariant) {
  const Row& row = GetParam();
  if (!row.node) GTEST_SKIP() << row.handler << " has no Node twin";
  if (!have_node()) GTEST_SKIP() << "node is not installed";
  expect_only(run_evh(row, node_runtime(row.handler)), row, "runtime-api: node runtime_client.js");
}

INSTANTIATE_TEST_SUITE_P(Examples, Handlers, ::testing::ValuesIn(rows()), [](const ::testing::TestParamInfo<Row>& param) {
  std::string name = param.param.handler;
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
});

// The correct handlers without a buggy twin of their own: they pass under redelivery.
TEST(Handlers, KinesisCorrectPassesWithPoisonAndDuplicates) {
  Row row{"kinesis-correct", "", "", kKinesisPoison, "--cases 12 --batch-size 1 --mutate none --seed 4 --faults duplicate-delivery=0.3", true};
  EvhRun r = run_evh(row, "builtin:kinesis-correct");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EvhRun out = run_evh(row, cpp_runtime("kinesis-correct"));
  EXPECT_EQ(out.exit_code, 0) << out.err;
}

TEST(Handlers, S3CorrectPassesAsyncWithDuplicates) {
  Row row{"s3-correct", "", "", R"({"source": "s3", "mode": "async"})", "--cases 10 --mutate none --seed 4 --faults duplicate-delivery=0.5", true};
  EvhRun r = run_evh(row, "builtin:s3-correct");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(r.result.is_object());
  for (const auto& inv : r.result["invariants"]) {
    if (inv["id"] == "idempotency.effects") {
      EXPECT_EQ(inv["status"], "held") << inv.dump();
    }
  }
}

// Shrinking re-runs the case through the same runtime, with the same request ids: the Runtime API
// server must take their replies again (it once refused them as already answered, so every re-run
// waited out the function timeout and nothing shrank). The shrunk finding then replays.
TEST(Handlers, ShrinkingThroughARuntimeApiTargetReachesOneRecordAndReplays) {
  const Row& row = rows().front();  // sqs-wrong-id: batch.identifiers
  ASSERT_STREQ(row.handler, "sqs-wrong-id");
  EvhRun r = run_evh(row, cpp_runtime(row.handler));
  expect_only(r, row, "runtime-api: evh-example-runtime");
  ASSERT_TRUE(r.result.is_object()) << r.err;
  std::string file;
  for (const auto& f : r.result["findings"]) {
    ASSERT_TRUE(f.contains("shrink")) << f.dump();
    EXPECT_EQ(f["shrink"]["shrunk"], true) << f["shrink"].dump();
    EXPECT_EQ(f["shrink"]["records"], 1) << f["shrink"].dump();
    if (f["shrink"]["originalRecords"].get<int>() > 1) file = f["file"].get<std::string>();
  }
  ASSERT_FALSE(file.empty()) << "no finding was found in a batch of more than one record";
  auto still = run_command(testing::evh_binary() + " replay " + file + " --target " + cpp_runtime(row.handler), "", 60);
  EXPECT_EQ(still.exit_code, 1) << still.err << still.out;
  EXPECT_EQ(still.out.rfind("STILL FAILING: batch.identifiers ", 0), 0u) << still.out;
  auto fixed = run_command(testing::evh_binary() + " replay " + file + " --target " + cpp_runtime(row.twin), "", 60);
  EXPECT_EQ(fixed.exit_code, 0) << fixed.err << fixed.out;
  EXPECT_EQ(fixed.out, "FIXED\n");
}

}  // namespace
}  // namespace evh
