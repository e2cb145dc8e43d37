// `evh demo` as a new user meets it: every correct example handler passes, every buggy one is
// caught by the invariant it was written to trip, every report format is written for every run,
// and an index links them.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "generators/json.h"
#include "tests/util/run_command.h"

namespace evh {
namespace {

using testing::evh_binary;
using testing::expect_one_clear_line;
using testing::read_text;
using testing::run_command;
using testing::temp_dir;
namespace fs = std::filesystem;

// The demo's rows (cli/demo_command.cpp): run directory -> the invariant that must catch it
// ("" = the handler is correct and must pass).
const std::map<std::string, std::string>& expected_rows() {
  static const std::map<std::string, std::string> rows = {
      {"sqs-correct", ""},
      {"sqs-wrong-id", "batch.identifiers"},
      {"sqs-swallow", "batch.failures-reported"},
      {"sqs-throw-one", "batch.partial-not-whole"},
      {"sqs-not-idempotent", "idempotency.effects"},
      {"sqs-ack-unprocessed", "delivery.no-loss"},
      {"fifo-correct", ""},
      {"fifo-reorder", "order.per-key"},
      {"kinesis-correct", ""},
      {"dynamodb-correct", ""},
      {"s3-correct", ""},
      {"http-echo", ""},
      {"http-empty-body-crash", "robust.no-crash"},
      {"http-object-body", "contract.response"},
      {"http-unicode-hang", "robust.no-hang"},
      {"alexa-correct", ""},
      {"alexa-oversize", "limits.payload"},
  };
  return rows;
}

TEST(Demo, CorrectHandlersPassBuggyOnesAreCaughtWithEveryReport) {
  const std::string dir = temp_dir() + "/demo";
  auto r = run_command(evh_binary() + " demo --report-dir " + dir, "", 900);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("evh demo: seed=20261123"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("evh replay " + dir + "/"), std::string::npos) << "the table shows a finding's replay line\n" << r.out;
  const std::string index_md = read_text(dir + "/index.md");
  const std::string index_html = read_text(dir + "/index.html");
  for (const auto& [run, invariant] : expected_rows()) {
    SCOPED_TRACE(run);
    const fs::path d = fs::path(dir) / run;
    for (const char* file : {"result.json", "trace.jsonl", "junit.xml", "result.sarif", "result.md", "result.html"}) {
      EXPECT_TRUE(fs::is_regular_file(d / file)) << file;
      EXPECT_GT(fs::file_size(d / file), 0u) << file;
    }
    EXPECT_NE(index_md.find("(" + run + "/result.html)"), std::string::npos) << index_md;
    EXPECT_NE(index_html.find("href=\"" + run + "/result.html\""), std::string::npos);
    EXPECT_NE(r.out.find("\n" + run + " "), std::string::npos) << "a table row per run\n" << r.out;
    Json result = Json::parse(read_text((d / "result.json").string()), nullptr, false);
    ASSERT_TRUE(result.is_object());
    if (invariant.empty()) {
      EXPECT_EQ(result["verdict"], "pass");
      continue;
    }
    EXPECT_EQ(result["verdict"], "fail");
    bool named = false;
    for (const auto& f : result["findings"]) named = named || f["invariant"] == invariant;
    EXPECT_TRUE(named) << "result.json names " << invariant;
    bool violated = false;
    for (const auto& inv : result["invariants"]) violated = violated || (inv["id"] == invariant && inv["status"] == "violated");
    EXPECT_TRUE(violated);
    EXPECT_TRUE(fs::is_directory(d / "findings" / invariant));
  }
}

TEST(Demo, UnusableReportDirIsOneClearLine) {
  const std::string file = temp_dir() + "/not-a-dir";
  testing::write_file(file, "x");
  auto r = run_command(evh_binary() + " demo --report-dir " + file + "/demo");
  expect_one_clear_line(r, 2, "--report-dir");
}

TEST(Demo, BadSeedIsOneClearLine) {
  auto r = run_command(evh_binary() + " demo --seed many");
  expect_one_clear_line(r, 2, "--seed");
}

}  // namespace
}  // namespace evh
