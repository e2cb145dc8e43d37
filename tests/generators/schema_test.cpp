// Schema engine: loading errors name the place, validation names the JSON pointer, and
// generated values satisfy the schema they came from.
#include "generators/schema.h"

#include <gtest/gtest.h>

#include "generators/generate.h"
#include "generators/validate.h"

namespace evh {
namespace {

Schema load(const char* text) {
  auto doc = parse_json(text, "test");
  EXPECT_TRUE(doc.ok()) << doc.error().message;
  auto s = Schema::load(*doc, "test.schema.json");
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return std::move(*s);
}

std::vector<Problem> check(const Schema& s, const char* json) {
  std::vector<Problem> out;
  validate_value(s.root(), Json::parse(json), "", out);
  return out;
}

TEST(Schema, UnknownKeywordIsRefusedWithItsPlace) {
  auto s = Schema::load(Json::parse(R"({"properties": {"a": {"type": "string", "patern": "x"}}})"), "x.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("/properties/a"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("patern"), std::string::npos);
}

TEST(Schema, DanglingRefAndBadTypeAreRefused) {
  EXPECT_FALSE(Schema::load(Json::parse(R"({"$ref": "#/$defs/nope"})"), "x").ok());
  EXPECT_FALSE(Schema::load(Json::parse(R"({"type": "strin"})"), "x").ok());
  EXPECT_FALSE(Schema::load(Json::parse(R"({"$ref": "#"})"), "x").ok());  // a cycle of refs
  EXPECT_FALSE(Schema::load(Json::parse(R"({"type": "string", "pattern": "("})"), "x").ok());
  EXPECT_FALSE(Schema::load(Json::parse(R"({"x-evh-format": "no-such-format"})"), "x").ok());
  EXPECT_FALSE(Schema::load(Json::parse(R"({"x-evh-template": "{nope}"})"), "x").ok());
}

TEST(Schema, ValidationReportsJsonPointers) {
  Schema s = load(R"({"type": "object", "required": ["a", "b"],
    "properties": {"a": {"type": "array", "items": {"type": "integer", "maximum": 5}},
                   "b": {"enum": ["x", "y"]}, "c~/": {"type": "string"}}})");
  EXPECT_TRUE(check(s, R"({"a": [1, 2], "b": "x"})").empty());
  auto p = check(s, R"({"a": [1, 9, "z"], "c~/": 3})");
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].pointer, "/b");        // required missing
  EXPECT_EQ(p[1].pointer, "/a/1");      // over maximum
  EXPECT_EQ(p[2].pointer, "/a/2");      // wrong type
  EXPECT_EQ(p[3].pointer, "/c~0~1");    // escaped pointer token
}

TEST(Schema, OneOfNeedsExactlyOneBranchAndReportsTheClosest) {
  Schema s = load(R"({"oneOf": [
    {"type": "object", "properties": {"kind": {"const": "a"}, "n": {"type": "integer"}}, "required": ["kind", "n"]},
    {"type": "object", "properties": {"kind": {"const": "b"}}, "required": ["kind"]}]})");
  EXPECT_TRUE(check(s, R"({"kind": "a", "n": 1})").empty());
  auto p = check(s, R"({"kind": "a", "n": "one"})");
  ASSERT_FALSE(p.empty());
  bool pointer_found = false;
  for (const auto& x : p) pointer_found = pointer_found || x.pointer == "/n";
  EXPECT_TRUE(pointer_found);
}

TEST(Schema, GeneratedValuesValidate) {
  Schema s = load(R"({"type": "object", "required": ["id", "n", "tags", "when"],
    "properties": {
      "id": {"type": "string", "x-evh-format": "uuid"},
      "n": {"type": "integer", "minimum": 3, "maximum": 7},
      "tags": {"type": "array", "minItems": 1, "maxItems": 4, "items": {"type": "string", "minLength": 2, "maxLength": 5}},
      "when": {"type": "string", "x-evh-format": "iso8601-ms"},
      "code": {"type": "string", "pattern": "^[A-Z]{3}$", "examples": ["ABC", "XYZ"]},
      "arn": {"type": "string", "x-evh-format": "arn", "x-evh-template": "arn:aws:sqs:{region}:{account}:{name}"},
      "map": {"type": "object", "additionalProperties": {"type": "boolean"}}}})");
  for (uint64_t seed = 0; seed < 500; ++seed) {
    Rng rng(seed);
    GenContext ctx = GenContext::draw(rng);
    GenOptions o;
    o.boundary_rate = 0.3;  // exercise the edges often
    Json v = generate_value(s.root(), rng, ctx, o);
    std::vector<Problem> p;
    validate_value(s.root(), v, "", p);
    ASSERT_TRUE(p.empty()) << v.dump() << "\n" << to_string(p[0]);
  }
}

TEST(Schema, TemplatesShareOneRegionAndAccountPerEvent) {
  Rng rng(3);
  GenContext ctx = GenContext::draw(rng);
  std::string a = expand_template("arn:aws:sqs:{region}:{account}:{name}", rng, ctx);
  std::string b = expand_template("{region}/{account}/{var:x}/{var:x}", rng, ctx);
  EXPECT_EQ(a, "arn:aws:sqs:" + ctx.region + ":" + ctx.account + ":" + ctx.name);
  auto parts = b.substr(b.rfind('/') + 1);
  EXPECT_EQ(b, ctx.region + "/" + ctx.account + "/" + parts + "/" + parts);
}

}  // namespace
}  // namespace evh
