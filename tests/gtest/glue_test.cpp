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
    const std::string id = r.at("messageId");
    const bool ok = !r.value("body", "").empty();  // your processing here
    ok ? ctx.processed(id) : ctx.failed(id);       // effects: what evh's delivery checks read
    if (!ok) failures.push_back({{"itemIdentifier", id}});
  }
  return {{"batchItemFailures", failures}};
}

EVH_CONTRACT_TEST(OrdersHandler, KeepsTheSqsContract, "sqs", handle_orders);
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
  auto r = evh::gtest::check_handler("sqs", handle_orders, {.cases = 20, .findings_dir = ::testing::TempDir() + "evh-glue"});
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_GT(r.cases_run, 0u);
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
