#include "harness/fault_plan.h"

#include <gtest/gtest.h>

#include <set>

#include "harness/clock.h"

namespace evh::harness {
namespace {

TEST(FaultPlan, ParsesIdsWithAndWithoutRates) {
  auto p = FaultPlan::parse("throttle,duplicate-delivery=0.5");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_DOUBLE_EQ(p->rate(FaultId::kDuplicateDelivery), 0.5);
  EXPECT_DOUBLE_EQ(p->rate(FaultId::kThrottle), fault_kind(FaultId::kThrottle).default_rate);
  EXPECT_DOUBLE_EQ(p->rate(FaultId::kTimeout), 0.0);
  // Table order whatever the spelling order, so the draws do not depend on it.
  EXPECT_EQ(p->to_string(), "duplicate-delivery=0.5,throttle=0.1");
}

TEST(FaultPlan, NoneAndEmptyAreEmpty) {
  EXPECT_TRUE(FaultPlan::parse("")->empty());
  EXPECT_TRUE(FaultPlan::parse("none")->empty());
  EXPECT_EQ(FaultPlan::parse("none")->to_string(), "none");
}

TEST(FaultPlan, RefusesUnknownIdsAndBadRatesByName) {
  auto unknown = FaultPlan::parse("throttle,explode");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kUsage);
  EXPECT_NE(unknown.error().message.find("'explode'"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("lost-response"), std::string::npos);  // lists the known ones
  auto rate = FaultPlan::parse("throttle=1.5");
  ASSERT_FALSE(rate.ok());
  EXPECT_NE(rate.error().message.find("[0, 1]"), std::string::npos);
  EXPECT_FALSE(FaultPlan::parse("throttle=abc").ok());
  EXPECT_FALSE(FaultPlan::parse("throttle,throttle").ok());
}

TEST(FaultPlan, SameSeedFiresTheSameFaults) {
  auto p = *FaultPlan::parse("duplicate-delivery=0.3,lost-response=0.3,throttle=0.3,timeout=0.3,delay=0.3,cold-start=0.3");
  std::vector<std::vector<FaultId>> a, b;
  Rng r1(42), r2(42);
  for (int i = 0; i < 200; ++i) {
    a.push_back(p.draw(r1));
    b.push_back(p.draw(r2));
  }
  EXPECT_EQ(a, b);
  std::set<FaultId> seen;
  for (const auto& v : a) seen.insert(v.begin(), v.end());
  EXPECT_EQ(seen.size(), fault_kinds().size());  // every fault fires at rate 0.3 over 200 draws
}

TEST(FaultPlan, RateOneAlwaysFiresRateZeroNever) {
  auto p = *FaultPlan::parse("throttle=1,delay=0");
  Rng rng(7);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(p.draw(rng), std::vector<FaultId>{FaultId::kThrottle});
}

TEST(FaultPlan, WithoutDropsOneFault) {
  auto p = *FaultPlan::parse("throttle,timeout");
  EXPECT_EQ(p.without(FaultId::kThrottle).to_string(), "timeout=0.05");
}

TEST(FaultPlan, JsonRoundTrip) {
  auto p = *FaultPlan::parse("lost-response=0.25");
  auto q = FaultPlan::from_json(p.to_json(), "test");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->to_string(), p.to_string());
  EXPECT_FALSE(FaultPlan::from_json(Json{{"id", 3}}, "test").ok());
}

TEST(VirtualClock, OnlyMovesForward) {
  VirtualClock c(1000);
  c.advance(500);
  c.advance(-100);
  EXPECT_EQ(c.now_ms(), 1500);
  c.advance_to(1200);
  EXPECT_EQ(c.now_ms(), 1500);
  c.advance_to(9000);
  EXPECT_EQ(c.elapsed_ms(), 8000);
}

}  // namespace
}  // namespace evh::harness
