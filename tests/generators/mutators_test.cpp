// Mutators: each one tested alone on a known event, asserting exactly what it changed.
#include "generators/mutation.h"

#include <gtest/gtest.h>

#include <iostream>

#include "generators/catalog.h"
#include "generators/codec.h"
#include "generators/event_generator.h"
#include "generators/event_validator.h"
#include "generators/limits.h"

namespace evh {
namespace {

struct Fixture {
  explicit Fixture(const char* id, int64_t batch = 3, uint64_t seed = 11)
      : source(**find_source(id)), rng(seed), ctx(GenContext::draw(rng)), mc{source, PayloadContract::builtin(), rng, ctx} {
    EventGenerator gen(source, PayloadContract::builtin());
    if (source.batched()) gen.set_batch_size(batch);
    base = gen.generate(seed);
  }
  Json apply(const char* id) {
    const Mutator* m = find_mutator(id);
    EXPECT_NE(m, nullptr) << id;
    auto out = m->apply(base.event, mc);
    EXPECT_TRUE(out.has_value()) << id << " did not apply";
    return out.value_or(Json());
  }
  bool valid(const Json& ev) {
    ValidateOptions o;
    o.payload = &PayloadContract::builtin();
    auto problems = validate_event(source, ev, o);
    for (std::size_t i = 0; i < problems.size() && i < 3; ++i) std::cout << "  problem: " << to_string(problems[i]) << "\n";
    return is_valid(problems, true);
  }
  const Source& source;
  Rng rng;
  GenContext ctx;
  MutationContext mc;
  Case base;
};

TEST(Mutators, BodyMaxSizeReachesTheSqsLimitAndStaysValid) {
  Fixture f("sqs");
  Json ev = f.apply("body.max-size");
  std::size_t largest = 0;
  for (const auto& r : ev["Records"]) largest = std::max(largest, r["body"].get_ref<const std::string&>().size());
  EXPECT_GT(largest, limits::kSqsMessageBytes - 4096);
  EXPECT_LE(largest, limits::kSqsMessageBytes);
  EXPECT_TRUE(f.valid(ev));
}

TEST(Mutators, BatchOver6MbIsOverTheCapAndRejected) {
  Fixture f("sqs");
  Json ev = f.apply("batch.over-6mb");
  EXPECT_GT(dump(ev).size(), limits::kEsmBatchBytes);
  EXPECT_FALSE(f.valid(ev));
}

TEST(Mutators, BatchMaxSizeFillsTheBatchUnderTheCap) {
  Fixture f("kinesis");
  Json ev = f.apply("batch.max-size");
  EXPECT_GT(ev["Records"].size(), 100u);
  EXPECT_LE(dump(ev).size(), limits::kEsmBatchBytes);
  EXPECT_TRUE(f.valid(ev));
}

TEST(Mutators, DuplicateRecordKeepsIdAndPayloadWithNewReceiptHandle) {
  Fixture f("sqs", 1);
  Json ev = f.apply("batch.duplicate-record");
  ASSERT_EQ(ev["Records"].size(), 2u);
  EXPECT_EQ(ev["Records"][0]["messageId"], ev["Records"][1]["messageId"]);
  EXPECT_EQ(ev["Records"][0]["body"], ev["Records"][1]["body"]);
  EXPECT_NE(ev["Records"][0]["receiptHandle"], ev["Records"][1]["receiptHandle"]);
  EXPECT_TRUE(f.valid(ev));
}

TEST(Mutators, DuplicateIdWithAnotherPayloadIsRejected) {
  Fixture f("sqs", 3);
  Json ev = f.apply("batch.duplicate-id");
  EXPECT_FALSE(f.valid(ev));
}

TEST(Mutators, KinesisAggregatedRecordDeaggregates) {
  Fixture f("kinesis", 2);
  Json ev = f.apply("kinesis.aggregated-record");
  int aggregated = 0;
  for (const auto& r : ev["Records"]) {
    auto raw = codec::base64_decode(r["kinesis"]["data"].get<std::string>());
    ASSERT_TRUE(raw.has_value());
    if (auto parts = codec::kpl_deaggregate(*raw)) {
      EXPECT_GE(parts->size(), 2u);
      ++aggregated;
    }
  }
  EXPECT_EQ(aggregated, 1);
  EXPECT_TRUE(f.valid(ev));  // every user record inside still meets the payload contract
}

TEST(Mutators, S3KeyIsFormEncoded) {
  Fixture f("s3");
  Json ev = f.apply("s3.key-url-encoded");
  std::string key = ev["Records"][0]["s3"]["object"]["key"].get<std::string>();
  EXPECT_EQ(key.find(' '), std::string::npos);
  auto decoded = codec::url_form_decode(key);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_NE(*decoded, key);
}

TEST(Mutators, IllegalFieldMutationsAreRejected) {
  for (const char* id : {"field.drop-required", "field.wrong-type", "field.null", "event.empty-object", "event.not-object"}) {
    Fixture f("apigw-http");
    EXPECT_FALSE(f.valid(f.apply(id))) << id;
  }
}

TEST(Mutators, NotApplicableReturnsNothing) {
  Fixture f("sqs");
  // SQS bodies are at least one character (minPayloadBytes), and SQS has no S3 keys.
  EXPECT_FALSE(find_mutator("body.empty")->apply(f.base.event, f.mc).has_value());
  EXPECT_FALSE(find_mutator("s3.key-url-encoded")->apply(f.base.event, f.mc).has_value());
}

TEST(Mutators, ChainIsPrintedInOrder) {
  Fixture f("sqs");
  auto c = apply_chain(f.base, {"batch.single", "body.not-json"}, f.mc);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->chain(), "batch.single > body.not-json");
  EXPECT_EQ(c->expect, Expect::kIllegal);
  EXPECT_FALSE(apply_chain(f.base, {"no.such"}, f.mc).ok());
}

TEST(Mutators, IllegalChainsEndIllegal) {
  Fixture f("sqs");
  for (int i = 0; i < 50; ++i) {
    Case c = mutate(f.base, MutateFilter::kIllegal, f.mc, 3);
    ASSERT_FALSE(c.mutations.empty());
    EXPECT_EQ(find_mutator(c.mutations.back())->kind, MutationKind::kIllegal) << c.chain();
    EXPECT_EQ(c.expect, Expect::kIllegal);
  }
}

}  // namespace
}  // namespace evh
