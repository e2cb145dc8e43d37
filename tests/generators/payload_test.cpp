// Payload contracts: user schemas and samples drive the bodies; encodings round-trip.
#include "generators/payload.h"

#include <gtest/gtest.h>

#include "generators/catalog.h"
#include "generators/codec.h"
#include "generators/event_generator.h"
#include "generators/event_validator.h"
#include "tests/util/run_command.h"

namespace evh {
namespace {

TEST(Payload, EncodingsRoundTrip) {
  Payload p{Json{{"a", 1}, {"b", Json::array({true, nullptr, "x"})}}, false};
  for (auto enc : {PayloadEncoding::kText, PayloadEncoding::kBase64, PayloadEncoding::kGzipBase64, PayloadEncoding::kJson,
                   PayloadEncoding::kDdbJson}) {
    auto back = decode_payload(encode_payload(p, enc), enc);
    ASSERT_TRUE(back.has_value()) << to_string(enc);
    EXPECT_EQ(back->value, p.value) << to_string(enc);
  }
}

TEST(Payload, DynamoDbJsonTypes) {
  Json ddb = to_ddb_json(Json{{"s", "x"}, {"n", 1.5}, {"l", Json::array({1})}, {"z", nullptr}});
  EXPECT_EQ(ddb["M"]["s"], Json({{"S", "x"}}));
  EXPECT_EQ(ddb["M"]["n"], Json({{"N", "1.5"}}));
  EXPECT_EQ(ddb["M"]["l"]["L"][0], Json({{"N", "1"}}));
  EXPECT_EQ(ddb["M"]["z"], Json({{"NULL", true}}));
  EXPECT_FALSE(from_ddb_json(Json{{"N", "not a number"}}).has_value());
  EXPECT_FALSE(from_ddb_json(Json{{"S", "a"}, {"N", "1"}}).has_value());
}

TEST(Payload, UserSchemaDrivesGeneratedBodies) {
  std::string dir = testing::temp_dir();
  testing::write_file(dir + "/order.json", R"({"type": "object", "required": ["sku", "qty"], "additionalProperties": false,
    "properties": {"sku": {"type": "string", "x-evh-template": "SKU-{digits:4}"}, "qty": {"type": "integer", "minimum": 1, "maximum": 3}}})");
  auto contract = PayloadContract::load(dir + "/order.json", {});
  ASSERT_TRUE(contract.ok()) << contract.error().message;
  const Source& kinesis = **find_source("kinesis");
  EventGenerator gen(kinesis, *contract);
  for (uint64_t seed = 0; seed < 50; ++seed) {
    Case c = gen.generate(seed);
    for (const auto& r : c.event["Records"]) {
      auto raw = codec::base64_decode(r["kinesis"]["data"].get<std::string>());
      ASSERT_TRUE(raw.has_value());
      Json body = Json::parse(*raw);
      EXPECT_EQ(body.size(), 2u);
      EXPECT_EQ(body["sku"].get<std::string>().rfind("SKU-", 0), 0u);
      EXPECT_GE(body["qty"].get<int>(), 1);
      EXPECT_LE(body["qty"].get<int>(), 3);
    }
    ValidateOptions o;
    o.payload = &*contract;
    EXPECT_TRUE(is_valid(validate_event(kinesis, c.event, o), true));
  }
}

TEST(Payload, SamplesSeedBodiesAndBadSamplesAreRefused) {
  std::string dir = testing::temp_dir();
  testing::write_file(dir + "/schema.json", R"({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}})");
  testing::write_file(dir + "/good.json", R"({"id": 7, "extra": "kept"})");
  testing::write_file(dir + "/bad.json", R"({"id": "seven"})");
  testing::write_file(dir + "/text.txt", "plain text payload");
  auto good = PayloadContract::load(dir + "/schema.json", {dir + "/good.json"});
  ASSERT_TRUE(good.ok());
  bool saw_sample_shape = false;
  for (uint64_t s = 0; s < 20; ++s) {
    Rng rng(s);
    GenContext ctx = GenContext::draw(rng);
    Payload p = good->generate(rng, ctx);
    saw_sample_shape = saw_sample_shape || p.value.contains("extra");
  }
  EXPECT_TRUE(saw_sample_shape);
  auto bad = PayloadContract::load(dir + "/schema.json", {dir + "/bad.json"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("bad.json"), std::string::npos);
  auto text = PayloadContract::load("", {dir + "/text.txt"});
  ASSERT_TRUE(text.ok());
  EXPECT_FALSE(text->json());
  EXPECT_FALSE(PayloadContract::load(dir + "/missing.json", {}).ok());
}

}  // namespace
}  // namespace evh
