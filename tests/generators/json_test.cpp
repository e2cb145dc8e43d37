// generators/json.h: text from outside (handler answers, files, fuzz inputs) never nests deep
// enough to overflow the stack of nlohmann's recursive dump() and copies.
#include "generators/json.h"

#include <gtest/gtest.h>

#include <string>

namespace evh {
namespace {

std::string nested(std::size_t levels, char open, char close) { return std::string(levels, open) + std::string(levels, close); }

TEST(Json, NestingUpToTheLimitParses) {
  const std::string text = nested(kMaxJsonDepth, '[', ']');
  EXPECT_FALSE(parse_untrusted(text).is_discarded());
  auto doc = parse_json(text, "deep.json");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(dump(*doc), text);
}

TEST(Json, NestingPastTheLimitIsRefusedWithItsPlace) {
  const std::string text = "{\"a\":" + nested(100000, '[', ']') + "}";
  EXPECT_TRUE(parse_untrusted(text).is_discarded());
  auto doc = parse_json(text, "deep.json");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message.find("deep.json:1:"), std::string::npos) << doc.error().message;
  EXPECT_NE(doc.error().message.find("nested deeper than 512"), std::string::npos) << doc.error().message;
}

TEST(Json, BracketsInsideStringsDoNotCount) {
  const std::string text = "[\"" + std::string(10000, '[') + "\\\"" + std::string(10000, '{') + "\"]";
  Json j = parse_untrusted(text);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j[0].get<std::string>().size(), 20001u);
}

TEST(Json, NotJsonIsDiscardedNotThrown) {
  EXPECT_TRUE(parse_untrusted("{\"a\":").is_discarded());
  EXPECT_TRUE(parse_untrusted("").is_discarded());
  EXPECT_FALSE(parse_json("nope", "x.json").ok());
}

}  // namespace
}  // namespace evh
