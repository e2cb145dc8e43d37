// Codec: byte encodings round-trip and malformed input is refused, never thrown; timestamps
// format as the C library would.
#include "generators/codec.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>

#include "generators/format.h"
#include "generators/rng.h"

namespace evh::codec {
namespace {

TEST(Codec, Base64RoundTripsEveryLengthModuloThree) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    auto back = base64_decode(base64_encode(s));
    ASSERT_TRUE(back.has_value()) << s;
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(base64_encode("Hello World"), "SGVsbG8gV29ybGQ=");
}

TEST(Codec, Base64RejectsBadAlphabetPaddingAndLength) {
  EXPECT_FALSE(base64_decode("SGVsbG8gV29ybGQ").has_value());   // length not a multiple of 4
  EXPECT_FALSE(base64_decode("SGV*bG8=").has_value());          // not in the alphabet
  EXPECT_FALSE(base64_decode("S===").has_value());              // too much padding
  EXPECT_FALSE(base64_decode("SG=sbG8=").has_value());          // padding in the middle
}

TEST(Codec, GzipRoundTripsAndTruncationIsDetected) {
  std::string text(5000, 'x');
  text += "tail";
  std::string gz = gzip_compress(text);
  ASSERT_GT(gz.size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);  // gzip magic
  auto back = inflate_auto(gz);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, text);
  EXPECT_FALSE(inflate_auto(gz.substr(0, gz.size() / 2)).has_value());
  EXPECT_FALSE(inflate_auto("not compressed").has_value());
}

TEST(Codec, InflateStopsAtTheOutputBound) {
  std::string big(1 << 20, 'a');
  EXPECT_FALSE(inflate_auto(gzip_compress(big), 1000).has_value());
}

TEST(Codec, DigestsMatchKnownVectors) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("Test message."), "e4e68fb7bd0e697a0ae8f1bb342846b3");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Codec, UrlFormEncodingMatchesS3Keys) {
  EXPECT_EQ(url_form_encode("a b/c+d"), "a+b/c%2Bd");
  EXPECT_EQ(url_form_decode("a+b/c%2Bd").value(), "a b/c+d");
  EXPECT_FALSE(url_form_decode("bad%2").has_value());
  EXPECT_FALSE(url_form_decode("bad%zz").has_value());
}

TEST(Codec, KplAggregationRoundTripsAndCorruptionIsRefused) {
  std::vector<std::string> recs = {"{\"a\":1}", "second", std::string(300, 'z')};
  std::string agg = kpl_aggregate({"pk"}, recs);
  auto back = kpl_deaggregate(agg);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, recs);
  std::string corrupt = agg;
  corrupt[6] ^= 0x55;
  EXPECT_FALSE(kpl_deaggregate(corrupt).has_value());  // MD5 trailer no longer matches
  EXPECT_FALSE(kpl_deaggregate("plain data").has_value());
}

TEST(Codec, Utf8Validation) {
  EXPECT_TRUE(is_utf8("h\xc3\xa9llo \xf0\x9f\x9a\x80"));
  EXPECT_FALSE(is_utf8("\xc3"));
  EXPECT_FALSE(is_utf8("\x80x"));
  EXPECT_FALSE(is_utf8("\xf0\x9f\x9a"));
}

}  // namespace
}  // namespace evh::codec

namespace evh {
namespace {

// iso8601() computes the civil date itself: it must agree with the C library's gmtime_r on
// every kind of day (leap years, centuries, before 1970, the last millisecond of a day).
TEST(Format, Iso8601AgreesWithGmtime) {
  std::vector<int64_t> at = {0, 1, 999, -1, -1000, 86399999, 951782400000 /* 2000-02-29 */, 4107542399999 /* 2100-02-28T23:59:59.999 */,
                             1767225600000 /* 2026-01-01 */, -2208988800000 /* 1900-01-01 */, 253402300799999 /* 9999-12-31 */};
  Rng rng(11);
  for (int i = 0; i < 2000; ++i) at.push_back(static_cast<int64_t>(rng.below(253402300800000ULL + 62135596800000ULL)) - 62135596800000LL);  // years 1–9999
  for (int64_t ms : at) {
    int64_t secs = ms / 1000, frac = ms % 1000;
    if (frac < 0) frac += 1000, --secs;
    std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char want[48];
    std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                  tm.tm_sec, static_cast<int>(frac));
    ASSERT_EQ(iso8601(ms, true), want) << ms;
    ASSERT_EQ(iso8601(ms, false), std::string(want, 19) + "Z") << ms;
  }
}

}  // namespace
}  // namespace evh
