// evh::gtest (gtest/evh_gtest.h): a user's own C++ handler property-tested in GoogleTest. The
// first block is the README's example, compiled and run so it never rots.
#include "gtest/evh_gtest.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "examples/builtin.h"

namespace {

using evh::Json;

// --- README: "Property-test your own handler" ------------------------------------------------
// An SQS handler: processes each message, reports the ones it cannot use in batchItemFailures.
Json handle_orders(const Json& event, evh::harness::Context& ctx) {
  Json failures = Json::array();
  for (const auto& r : event.at("Records")) {
    const std::string id = r.at("messageId");  // none: the batch fails, as nothing can name the record
    const bool ok = r.contains("body") && r.at("body").is_string() && r.at("body") != "";  // your processing here
    ok ? ctx.processed(id) : ctx.failed(id);       // effects: what evh's delivery checks read
    if (!ok) failures.push_back({{"itemIdentifier", id}});
  }
  return {{"batchItemFailures", failures}};
}

// Its event source mapping reports partial batch failures; without FunctionResponseTypes
// [ReportBatchItemFailures] the platform ignores batchItemFailures and evh says so.
const evh::gtest::CheckOptions kOrdersMapping{
    .scenario = {{"eventSourceMapping", {{"FunctionResponseTypes", Json::array({"ReportBatchItemFailures"})}}}}};

EVH_CONTRACT_TEST(OrdersHandler, KeepsTheSqsContract, "sqs", handle_orders, kOrdersMapping);
// ---------------------------------------------------------------------------------------------

// Options go last, with designated initializers: here API Gateway events delivered synchronously.
EVH_CONTRACT_TEST(EchoHandler, KeepsTheHttpApiContract, "apigw-http", *evh::examples::find_builtin("apigw-echo"),
                  {.mode = "sync", .findings_dir = ::testing::TempDir() + "evh-glue"});

TEST(CheckHandler, FindsTheInvariantABuggyHandlerBreaks) {
  // Returns the body as a JSON object instead of a string: API Gateway answers 500.
  auto r = evh::gtest::check_handler("apigw-http", *evh::examples::find_builtin("apigw-object-body"),
                                     {.cases = 10, .findings_dir = ::testing::TempDir() + "evh-glue"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_FALSE(r.findings.empty());
  const auto ids = r.invariants();
  EXPECT_NE(std::find(ids.begin(), ids.end(), "contract.response"), ids.end()) << r.describe();
  // Each finding is a file `evh replay` reads, and describe() prints the line.
  ASSERT_EQ(r.files.size(), r.findings.size());
  EXPECT_FALSE(r.files[0].empty());
  EXPECT_NE(r.describe().find("evh replay " + r.files[0]), std::string::npos) << r.describe();
}

TEST(CheckHandler, CorrectHandlerHasNoFindings) {
  auto options = kOrdersMapping;
  options.cases = 20;
  options.findings_dir = ::testing::TempDir() + "evh-glue";
  auto r = evh::gtest::check_handler("sqs", handle_orders, options);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_GT(r.cases_run, 0u);
}

// The platform default is FunctionResponseTypes [] (SEMANTICS.md §4): batchItemFailures is then
// ignored and every record deleted. The finding names the missing mapping setting.
TEST(CheckHandler, BatchItemFailuresWithoutReportBatchItemFailuresNamesTheMappingSetting) {
  auto fail_first = [](const Json& event, evh::harness::Context& ctx) {
    Json failures = Json::array();
    for (const auto& r : event.at("Records")) {
      const std::string id = r.at("messageId");
      failures.empty() ? ctx.failed(id) : ctx.processed(id);
      if (failures.empty()) failures.push_back({{"itemIdentifier", id}});
    }
    return Json{{"batchItemFailures", failures}};
  };
  const std::string dir = ::testing::TempDir() + "evh-glue";
  auto off = evh::gtest::check_handler("sqs", evh::gtest::to_handler(fail_first), {.mutate = "none", .cases = 5, .findings_dir = dir});
  ASSERT_TRUE(off.error.empty()) << off.error;
  ASSERT_FALSE(off.findings.empty());
  for (const auto& f : off.findings) {
    EXPECT_EQ(f.finding.invariant, "batch.failures-reported");
    EXPECT_NE(f.finding.message.find("FunctionResponseTypes"), std::string::npos) << f.finding.message;
  }
  auto on = kOrdersMapping;
  on.mutate = "none";
  on.cases = 5;
  on.findings_dir = dir;
  EXPECT_TRUE(evh::gtest::check_handler("sqs", evh::gtest::to_handler(fail_first), on).ok());
}

TEST(CheckHandler, PlainFunctionOfTheEventIsAHandler) {
  auto r = evh::gtest::check_handler("s3", evh::gtest::to_handler([](const Json&) { return Json(); }), {.cases = 5});
  EXPECT_TRUE(r.ok()) << r.describe();
}

TEST(CheckHandler, UnknownSourceIsAnErrorNotACrash) {
  auto r = evh::gtest::check_handler("sqs-typo", handle_orders);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("sqs-typo"), std::string::npos) << r.error;
  EXPECT_TRUE(r.findings.empty());
}

}  // namespace
