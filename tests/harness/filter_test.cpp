#include "harness/filter.h"

#include <gtest/gtest.h>

#include <string>

#include "generators/codec.h"

namespace evh::harness {
namespace {

// Criteria from pattern texts (one filter each).
FilterCriteria criteria(std::initializer_list<const char*> patterns) {
  Json fc = {{"Filters", Json::array()}};
  for (const char* p : patterns) fc["Filters"].push_back({{"Pattern", p}});
  auto r = FilterCriteria::parse(fc);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(r).value() : FilterCriteria{};
}

bool match(const char* pattern, const char* view) { return criteria({pattern}).matches(Json::parse(view)); }

Error refusal(const std::string& pattern) {
  Json fc = {{"Filters", {{{"Pattern", pattern}}}}};
  auto r = FilterCriteria::parse(fc);
  EXPECT_FALSE(r.ok()) << pattern;
  return r.ok() ? Error{} : r.error();
}

TEST(Filter, ExactMatchOnStringsNumbersBooleansAndNull) {
  EXPECT_TRUE(match(R"({"a":["x"]})", R"({"a":"x"})"));
  EXPECT_FALSE(match(R"({"a":["x"]})", R"({"a":"y"})"));
  EXPECT_TRUE(match(R"({"a":[5]})", R"({"a":5})"));
  EXPECT_FALSE(match(R"({"a":[5]})", R"({"a":"5"})"));  // types never cross
  EXPECT_TRUE(match(R"({"a":[true]})", R"({"a":true})"));
  EXPECT_FALSE(match(R"({"a":[true]})", R"({"a":false})"));
  EXPECT_TRUE(match(R"({"a":[null]})", R"({"a":null})"));
  EXPECT_FALSE(match(R"({"a":[null]})", R"({})"));  // null needs the key present
  EXPECT_FALSE(match(R"({"a":[null]})", R"({"a":""})"));
}

TEST(Filter, NumbersMatchAsTextSo300IsNot300Point0) {
  EXPECT_FALSE(match(R"({"a":[300]})", R"({"a":300.0})"));  // SEMANTICS.md §5
}

TEST(Filter, EmptyStringMatchesOnlyEmptyString) {
  EXPECT_TRUE(match(R"({"a":[""]})", R"({"a":""})"));
  EXPECT_FALSE(match(R"({"a":[""]})", R"({"a":null})"));
  EXPECT_FALSE(match(R"({"a":[""]})", R"({})"));
}

TEST(Filter, ValuesInOneListAreOred) {
  EXPECT_TRUE(match(R"({"t":["Credit","Debit"]})", R"({"t":"Debit"})"));
  EXPECT_FALSE(match(R"({"t":["Credit","Debit"]})", R"({"t":"Cash"})"));
}

TEST(Filter, PrefixAndSuffixWithAndWithoutIgnoreCase) {
  EXPECT_TRUE(match(R"({"r":[{"prefix":"us-"}]})", R"({"r":"us-east-1"})"));
  EXPECT_FALSE(match(R"({"r":[{"prefix":"us-"}]})", R"({"r":"eu-west-1"})"));
  EXPECT_FALSE(match(R"({"r":[{"prefix":"us-"}]})", R"({"r":"US-east-1"})"));
  EXPECT_TRUE(match(R"({"r":[{"prefix":{"equals-ignore-case":"us-"}}]})", R"({"r":"US-east-1"})"));
  EXPECT_TRUE(match(R"({"f":[{"suffix":".png"}]})", R"({"f":"a.png"})"));
  EXPECT_FALSE(match(R"({"f":[{"suffix":".png"}]})", R"({"f":"a.PNG"})"));
  EXPECT_TRUE(match(R"({"f":[{"suffix":{"equals-ignore-case":".png"}}]})", R"({"f":"a.PNG"})"));
  EXPECT_FALSE(match(R"({"f":[{"suffix":".png"}]})", R"({"f":5})"));
}

TEST(Filter, EqualsIgnoreCase) {
  EXPECT_TRUE(match(R"({"n":[{"equals-ignore-case":"alice"}]})", R"({"n":"ALICE"})"));
  EXPECT_FALSE(match(R"({"n":[{"equals-ignore-case":"alice"}]})", R"({"n":"alicia"})"));
}

TEST(Filter, AnythingButValuesListsAndPrefix) {
  EXPECT_TRUE(match(R"({"w":[{"anything-but":["Raining"]}]})", R"({"w":"Sunny"})"));
  EXPECT_FALSE(match(R"({"w":[{"anything-but":["Raining","Snow"]}]})", R"({"w":"Snow"})"));
  EXPECT_FALSE(match(R"({"w":[{"anything-but":"Raining"}]})", R"({"w":"Raining"})"));
  EXPECT_TRUE(match(R"({"n":[{"anything-but":[100]}]})", R"({"n":99})"));
  EXPECT_FALSE(match(R"({"n":[{"anything-but":100}]})", R"({"n":100})"));
  EXPECT_FALSE(match(R"({"w":[{"anything-but":"x"}]})", R"({})"));  // needs the key
  EXPECT_TRUE(match(R"({"r":[{"anything-but":{"prefix":"us-"}}]})", R"({"r":"eu-west-1"})"));
  EXPECT_FALSE(match(R"({"r":[{"anything-but":{"prefix":"us-"}}]})", R"({"r":"us-east-1"})"));
}

TEST(Filter, NumericComparisonsAndRanges) {
  EXPECT_TRUE(match(R"({"p":[{"numeric":["=",100]}]})", R"({"p":100})"));
  EXPECT_FALSE(match(R"({"p":[{"numeric":["=",100]}]})", R"({"p":101})"));
  EXPECT_TRUE(match(R"({"p":[{"numeric":["<",10]}]})", R"({"p":9.5})"));
  EXPECT_FALSE(match(R"({"p":[{"numeric":["<",10]}]})", R"({"p":10})"));
  EXPECT_TRUE(match(R"({"p":[{"numeric":["<=",10]}]})", R"({"p":10})"));
  EXPECT_TRUE(match(R"({"p":[{"numeric":[">=",10]}]})", R"({"p":10})"));
  EXPECT_FALSE(match(R"({"p":[{"numeric":[">",10]}]})", R"({"p":10})"));
  const char* range = R"({"p":[{"numeric":[">",10,"<=",20]}]})";
  EXPECT_TRUE(match(range, R"({"p":20})"));
  EXPECT_FALSE(match(range, R"({"p":10})"));
  EXPECT_FALSE(match(range, R"({"p":21})"));
  EXPECT_FALSE(match(R"({"p":[{"numeric":[">",0]}]})", R"({"p":"5"})"));  // numbers only
}

TEST(Filter, ExistsTrueAndFalse) {
  EXPECT_TRUE(match(R"({"a":[{"exists":true}]})", R"({"a":"v"})"));
  EXPECT_FALSE(match(R"({"a":[{"exists":true}]})", R"({"b":"v"})"));
  EXPECT_TRUE(match(R"({"a":[{"exists":false}]})", R"({"b":"v"})"));
  EXPECT_FALSE(match(R"({"a":[{"exists":false}]})", R"({"a":"v"})"));
  EXPECT_FALSE(match(R"({"a":[{"exists":false}]})", R"({"a":null})"));  // null is a leaf
}

TEST(Filter, EveryKeyMustMatch) {
  const char* p = R"({"a":["x"],"b":{"c":[1]}})";
  EXPECT_TRUE(match(p, R"({"a":"x","b":{"c":1},"z":0})"));
  EXPECT_FALSE(match(p, R"({"a":"x","b":{"c":2}})"));
  EXPECT_FALSE(match(p, R"({"a":"y","b":{"c":1}})"));
  EXPECT_FALSE(match(p, R"({"a":"x"})"));
}

TEST(Filter, FiltersAreOred) {
  auto fc = criteria({R"({"a":["x"]})", R"({"b":["y"]})"});
  EXPECT_TRUE(fc.matches(Json::parse(R"({"a":"x"})")));
  EXPECT_TRUE(fc.matches(Json::parse(R"({"b":"y"})")));
  EXPECT_FALSE(fc.matches(Json::parse(R"({"a":"y","b":"x"})")));
}

TEST(Filter, DollarOrAtTopAndNestedLevels) {
  const char* top = R"({"s":["ok"],"$or":[{"a":[1]},{"b":[2]}]})";
  EXPECT_TRUE(match(top, R"({"s":"ok","b":2})"));
  EXPECT_FALSE(match(top, R"({"s":"ok","a":2,"b":1})"));
  EXPECT_FALSE(match(top, R"({"s":"no","a":1})"));
  const char* nested = R"({"d":{"$or":[{"x":[{"prefix":"p"}]},{"y":[{"numeric":[">",3]}]}]}})";
  EXPECT_TRUE(match(nested, R"({"d":{"y":4}})"));
  EXPECT_FALSE(match(nested, R"({"d":{"x":"q","y":3}})"));
}

TEST(Filter, ArrayValuesMatchWhenAnyElementMatches) {
  EXPECT_TRUE(match(R"({"tags":["b"]})", R"({"tags":["a","b"]})"));
  EXPECT_FALSE(match(R"({"tags":["c"]})", R"({"tags":["a","b"]})"));
  EXPECT_TRUE(match(R"({"items":{"id":[2]}})", R"({"items":[{"id":1},{"id":2}]})"));
  EXPECT_FALSE(match(R"({"items":{"id":[3]}})", R"({"items":[{"id":1},{"id":2}]})"));
}

TEST(Filter, SqsJsonPatternNeverMatchesNonJsonBody) {
  auto fc = criteria({R"({"body":{"k":["v"]}})"});
  EXPECT_TRUE(fc.matches_record(Json::parse(R"({"messageId":"1","body":"{\"k\":\"v\"}"})"), DataKey::kBody));
  EXPECT_FALSE(fc.matches_record(Json::parse(R"({"messageId":"1","body":"k=v"})"), DataKey::kBody));
  // A plain-string pattern matches a plain body (§5: forms must agree).
  auto plain = criteria({R"({"body":["hello"]})"});
  EXPECT_TRUE(plain.matches_record(Json::parse(R"({"body":"hello"})"), DataKey::kBody));
  EXPECT_FALSE(plain.matches_record(Json::parse(R"({"body":"{\"a\":1}"})"), DataKey::kBody));
}

TEST(Filter, KinesisDataIsBase64DecodedJson) {
  auto fc = criteria({R"({"data":{"temp":[{"numeric":[">",30]}]},"partitionKey":["pk"]})"});
  Json rec = {{"kinesis", {{"partitionKey", "pk"}, {"data", codec::base64_encode(R"({"temp":31})")}}}};
  EXPECT_TRUE(fc.matches_record(rec, DataKey::kData));
  rec["kinesis"]["data"] = codec::base64_encode(R"({"temp":30})");
  EXPECT_FALSE(fc.matches_record(rec, DataKey::kData));
  rec["kinesis"]["data"] = codec::base64_encode("not json");
  EXPECT_FALSE(fc.matches_record(rec, DataKey::kData));
  // Without decoding, the base64 text would not match.
  EXPECT_FALSE(fc.matches(rec["kinesis"]));
}

TEST(Filter, MqDataAtTopLevelIsDecodedAndNonUtf8IsMetadataOnly) {
  auto fc = criteria({R"({"data":{"k":["v"]}})"});
  EXPECT_TRUE(fc.matches_record(Json{{"messageID", "m"}, {"data", codec::base64_encode(R"({"k":"v"})")}}, DataKey::kData));
  Json view = filter_view(Json{{"messageID", "m"}, {"data", codec::base64_encode(std::string("\xff\xfe", 2))}}, DataKey::kData);
  EXPECT_FALSE(view.contains("data"));
  EXPECT_TRUE(criteria({R"({"messageID":["m"]})"}).matches(view));
}

TEST(Filter, KafkaValueAndKeyAreDecoded) {
  auto fc = criteria({R"({"value":{"n":[1]},"key":["k1"]})"});
  Json rec = {{"topic", "t"}, {"value", codec::base64_encode(R"({"n":1})")}, {"key", codec::base64_encode("k1")}};
  EXPECT_TRUE(fc.matches_record(rec, DataKey::kValueKey));
  rec["key"] = codec::base64_encode("k2");
  EXPECT_FALSE(fc.matches_record(rec, DataKey::kValueKey));
}

// SEMANTICS.md §8.5, recorded on DynamoDB.
TEST(Filter, DynamodbNumericNeverMatchesNStringButAnythingButDoes) {
  auto fc = criteria({R"({"dynamodb":{"NewImage":{"numericFilter":{"N":[{"numeric":[">",100]},{"anything-but":"101"}]}}}})"});
  auto rec = [](const char* n) {
    return Json{{"eventName", "INSERT"}, {"dynamodb", {{"NewImage", {{"numericFilter", {{"N", n}}}}}}}};
  };
  EXPECT_TRUE(fc.matches_record(rec("42"), DataKey::kDynamodb));    // anything-but "101"
  EXPECT_FALSE(fc.matches_record(rec("101"), DataKey::kDynamodb));  // numeric > 100 does not apply
}

TEST(Filter, DynamodbNeedsTheTypeLevel) {
  Json rec = {{"dynamodb", {{"NewImage", {{"presentKey", {{"S", "presentValue"}}}}}}}};
  EXPECT_TRUE(criteria({R"({"dynamodb":{"NewImage":{"presentKey":{"S":["presentValue"]}}}})"}).matches_record(rec, DataKey::kDynamodb));
  EXPECT_FALSE(criteria({R"({"dynamodb":{"NewImage":{"presentKey":["presentValue"]}}})"}).matches_record(rec, DataKey::kDynamodb));
  EXPECT_TRUE(criteria({R"({"dynamodb":{"NewImage":{"presentKey":{"S":[{"exists":true}]}}}})"}).matches_record(rec, DataKey::kDynamodb));
  EXPECT_FALSE(criteria({R"({"dynamodb":{"NewImage":{"presentKey":[{"exists":true}]}}})"}).matches_record(rec, DataKey::kDynamodb));
}

TEST(Filter, DynamodbExistsFalseOnAMapValueStillMatches) {
  auto fc = criteria({R"({"dynamodb":{"NewImage":{"presentKey":[{"exists":false}]}}})"});
  Json with = {{"dynamodb", {{"NewImage", {{"id", {{"S", "2"}}}, {"presentKey", {{"S", "presentValue"}}}}}}}};
  Json without = {{"dynamodb", {{"NewImage", {{"id", {{"S", "1"}}}}}}}};
  EXPECT_TRUE(fc.matches_record(without, DataKey::kDynamodb));
  EXPECT_TRUE(fc.matches_record(with, DataKey::kDynamodb));  // recorded: both items invoked
}

TEST(Filter, DynamodbApproximateCreationDateTimeIsNumeric) {
  auto fc = criteria({R"({"dynamodb":{"ApproximateCreationDateTime":[{"numeric":[">",0]}]}})"});
  EXPECT_TRUE(fc.matches_record(Json{{"dynamodb", {{"ApproximateCreationDateTime", 1767225600.0}}}}, DataKey::kDynamodb));
}

TEST(Filter, RefusesInvalidPatternsWithAwsMessage) {
  for (const char* p : {"null", "\"single-string\"", R"({"a":"x"})", R"({"a":[]})", R"([{"eventName": ["INSERT"=123}])",
                        R"({"a":["x"])", "", "[1]", R"({"a":[{"numeric":["<"]}]})", R"({"a":[{"exists":"yes"}]})"}) {
    Error e = refusal(p);
    EXPECT_EQ(e.code, ErrorCode::kConfig) << p;
    EXPECT_NE(e.message.find("Invalid filter pattern definition."), std::string::npos) << p << ": " << e.message;
    EXPECT_NE(e.message.find("Filters[0]"), std::string::npos) << e.message;
  }
}

TEST(Filter, RefusesUnsupportedAndUnknownOperatorsByName) {
  EXPECT_NE(refusal(R"({"f":[{"wildcard":"dir/*.png"}]})").message.find("\"wildcard\""), std::string::npos);
  EXPECT_NE(refusal(R"({"ip":[{"cidr":"10.0.0.0/24"}]})").message.find("\"cidr\""), std::string::npos);
  EXPECT_NE(refusal(R"({"f":[{"anything-but":{"wildcard":"*.png"}}]})").message.find("anything-but/wildcard"), std::string::npos);
  EXPECT_NE(refusal(R"({"f":[{"fuzzy":"x"}]})").message.find("unknown operator \"fuzzy\""), std::string::npos);
}

TEST(Filter, NestedAnythingButCanBeRefused) {
  FilterLimits strict;
  strict.nested_anything_but = false;
  Json fc = {{"Filters", {{{"Pattern", R"({"r":[{"anything-but":{"prefix":"us-"}}]})"}}}}};
  auto r = FilterCriteria::parse(fc, strict);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("anything-but/prefix"), std::string::npos);
  EXPECT_TRUE(FilterCriteria::parse(fc).ok());
}

TEST(Filter, RefusesMoreFiltersThanTheQuota) {
  Json fc = {{"Filters", Json::array()}};
  for (int i = 0; i < 6; ++i) fc["Filters"].push_back({{"Pattern", R"({"a":["x"]})"}});
  auto r = FilterCriteria::parse(fc);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_NE(r.error().message.find("Filters[5]"), std::string::npos) << r.error().message;
  EXPECT_TRUE(FilterCriteria::parse(fc, 10).ok());  // raised quota
}

TEST(Filter, RefusesPatternOver4096Chars) {
  std::string ok = R"({"a":[")" + std::string(4096 - 10, 'x') + R"("]})";
  ASSERT_EQ(ok.size(), 4096u);
  EXPECT_TRUE(FilterCriteria::parse(Json{{"Filters", {{{"Pattern", ok}}}}}).ok());
  std::string big = R"({"a":[")" + std::string(4096 - 9, 'x') + R"("]})";
  Error e = refusal(big);
  EXPECT_NE(e.message.find("4096"), std::string::npos) << e.message;
}

TEST(Filter, EmptyFiltersListAndRemovalAreAcceptedAndMatchEverything) {
  for (const Json& fc : {Json{{"Filters", Json::array()}}, Json::object(), Json()}) {
    auto r = FilterCriteria::parse(fc);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->empty());
    EXPECT_TRUE(r->matches(Json{{"anything", 1}}));
  }
}

TEST(Filter, DuplicateKeysLastOneWins) {
  EXPECT_TRUE(match(R"({"a":["x"],"a":["y"]})", R"({"a":"y"})"));
  EXPECT_FALSE(match(R"({"a":["x"],"a":["y"]})", R"({"a":"x"})"));
}

TEST(Filter, PatternTextIsKept) {
  auto fc = criteria({R"({"a": ["x"]})"});
  ASSERT_EQ(fc.filters().size(), 1u);
  EXPECT_EQ(fc.filters()[0].text, R"({"a": ["x"]})");
}

}  // namespace
}  // namespace evh::harness
