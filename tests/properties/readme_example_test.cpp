// The README's handler property test, compiled and run so the example never rots: a small SQS
// handler that reports the messages it cannot parse in batchItemFailures.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>

#include "generators/arbitrary.h"
#include "generators/catalog.h"

namespace {

using evh::Json;

// The handler under test: parse each body as an order; report those it cannot use.
Json handle_orders(const Json& event) {
  Json failures = Json::array();
  for (const auto& record : event["Records"]) {
    Json order = Json::parse(record["body"].get<std::string>(), nullptr, false);
    if (order.is_discarded() || !order.is_object() || !order.contains("orderId"))
      failures.push_back(Json::object({{"itemIdentifier", record["messageId"]}}));
  }
  return Json::object({{"batchItemFailures", failures}});
}

RC_GTEST_PROP(ReadmeExample, HandlerReportsOnlyIdsFromTheBatch, ()) {
  const evh::Source& sqs = **evh::find_source("sqs");
  evh::Case c = *evh::gen::mutated_case(sqs, evh::MutateFilter::kAny);
  // RC_PRE captures its expression: compute the bool first so && short-circuits.
  const bool batch = c.event.is_object() && c.event.contains("Records") && c.event["Records"].is_array();
  RC_PRE(batch);
  std::set<Json> ids;
  for (const auto& r : c.event["Records"])
    if (r.is_object() && r.contains("messageId") && r.contains("body") && r["body"].is_string()) ids.insert(r["messageId"]);
  RC_PRE(ids.size() == c.event["Records"].size());
  Json response = handle_orders(c.event);
  for (const auto& f : response["batchItemFailures"]) RC_ASSERT(ids.count(f["itemIdentifier"]) == 1);
}

}  // namespace
