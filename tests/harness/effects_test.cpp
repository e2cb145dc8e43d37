// Effects: the parser every channel shares, the sink's tagging, and the HTTP sink handlers POST
// to (DESIGN.md Trace and Effects).
#include <gtest/gtest.h>
#include <httplib.h>

#include <string>

#include "harness/effects.h"
#include "harness/effects_server.h"

namespace evh::harness {
namespace {

constexpr const char* kJson = "application/json";

std::vector<std::string> ids(const std::vector<Json>& effects) {
  std::vector<std::string> out;
  for (const auto& e : effects) out.push_back(e.value("id", ""));
  return out;
}

// --- parse_effects -------------------------------------------------------------------------------------

TEST(Effects, ParseAcceptsObjectArrayWrappedAndJsonl) {
  const std::vector<std::string> expected{"a", "b"};
  auto object = parse_effects(R"({"kind":"processed","id":"a"})", "t");
  ASSERT_TRUE(object.ok());
  EXPECT_EQ(ids(*object), std::vector<std::string>{"a"});

  auto array = parse_effects(R"([{"kind":"processed","id":"a"},{"kind":"failed","id":"b"}])", "t");
  ASSERT_TRUE(array.ok());
  EXPECT_EQ(ids(*array), expected);

  auto wrapped = parse_effects(R"({"effects":[{"kind":"side-effect","id":"a","key":"k1"},{"kind":"processed","id":"b"}]})", "t");
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(ids(*wrapped), expected);
  EXPECT_EQ((*wrapped)[0]["key"], "k1");

  auto jsonl = parse_effects("{\"kind\":\"processed\",\"id\":\"a\"}\n\n{\"kind\":\"failed\",\"id\":\"b\",\"extra\":1}\n", "t");
  ASSERT_TRUE(jsonl.ok());
  EXPECT_EQ(ids(*jsonl), expected);
  EXPECT_EQ((*jsonl)[1]["extra"], 1);  // extra fields are kept

  auto empty = parse_effects("  \n", "t");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(Effects, ParseRejectsABadKindNamingTheLine) {
  auto r = parse_effects("{\"kind\":\"processed\",\"id\":\"a\"}\n{\"kind\":\"deleted\",\"id\":\"b\"}\n", "effects.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("effects.jsonl:2"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("\"deleted\""), std::string::npos) << r.error().message;
}

TEST(Effects, ParseRejectsNonJsonAndKindlessEffects) {
  auto garbage = parse_effects("{\"kind\":\"processed\",\"id\":\"a\"}\nnot json\n", "out");
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.error().message.find("out:2"), std::string::npos) << garbage.error().message;

  auto kindless = parse_effects(R"([{"id":"a"}])", "out");
  ASSERT_FALSE(kindless.ok());
  EXPECT_NE(kindless.error().message.find("no string \"kind\""), std::string::npos) << kindless.error().message;

  auto scalar = parse_effects("42", "out");
  EXPECT_FALSE(scalar.ok());
}

TEST(Effects, SinkTagsSeqAndCurrentRequestId) {
  EffectsSink sink;
  sink.add(Json{{"kind", "processed"}, {"id", "a"}});
  sink.set_current("req-1");
  sink.add(Json{{"kind", "processed"}, {"id", "b"}});
  sink.add(Json{{"kind", "processed"}, {"id", "c"}, {"requestId", "explicit"}});
  auto got = sink.take();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0]["seq"], 0);
  EXPECT_FALSE(got[0].contains("requestId"));
  EXPECT_EQ(got[1]["seq"], 1);
  EXPECT_EQ(got[1]["requestId"], "req-1");
  EXPECT_EQ(got[2]["requestId"], "explicit");
  EXPECT_TRUE(sink.take().empty());  // take empties
}

// --- EffectsServer ---------------------------------------------------------------------------------------

class EffectsServerHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = server_.start();
    ASSERT_TRUE(st.ok()) << st.error().message;
    const std::string url = server_.url();
    ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
    ASSERT_EQ(url.substr(url.size() - 8), "/effects") << url;
    port_ = std::stoi(url.substr(17, url.size() - 8 - 17));
  }
  void TearDown() override { server_.stop(); }

  httplib::Client client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(std::chrono::seconds(2));
    c.set_read_timeout(std::chrono::seconds(5));
    return c;
  }

  EffectsSink sink_;
  EffectsServer server_{sink_};
  int port_ = 0;
};

TEST_F(EffectsServerHttp, PostedEffectsReachTheSinkTagged) {
  sink_.set_current("req-42");
  auto c = client();
  auto r1 = c.Post("/effects", R"({"kind":"processed","id":"m1"})", kJson);
  ASSERT_TRUE(r1) << httplib::to_string(r1.error());
  EXPECT_EQ(r1->status, 202);
  EXPECT_EQ(Json::parse(r1->body)["accepted"], 1);
  auto r2 = c.Post("/effects/anything/below", "{\"kind\":\"side-effect\",\"id\":\"m2\",\"key\":\"k\"}\n{\"kind\":\"failed\",\"id\":\"m3\",\"requestId\":\"other\"}\n",
                   "application/x-ndjson");
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 202);

  auto got = sink_.take();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(ids(got), (std::vector<std::string>{"m1", "m2", "m3"}));
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i]["seq"], static_cast<int64_t>(i));
  EXPECT_EQ(got[0]["requestId"], "req-42");
  EXPECT_EQ(got[1]["requestId"], "req-42");
  EXPECT_EQ(got[1]["key"], "k");
  EXPECT_EQ(got[2]["requestId"], "other");  // an effect that names its request keeps it
}

TEST_F(EffectsServerHttp, WrappedListIsAccepted) {
  auto r = client().Post("/effects", R"({"effects":[{"kind":"processed","id":"a"},{"kind":"processed","id":"b"}]})", kJson);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(ids(sink_.take()), (std::vector<std::string>{"a", "b"}));
}

TEST_F(EffectsServerHttp, MalformedBodyIs400AndAddsNothing) {
  auto c = client();
  auto r = c.Post("/effects", R"([{"kind":"processed","id":"a"},{"kind":"bogus","id":"b"}])", kJson);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  Json body = Json::parse(r->body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r->body;
  const std::string message = body.value("message", "");
  EXPECT_NE(message.find("bogus"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_TRUE(sink_.take().empty());

  auto not_json = c.Post("/effects", "{{{", kJson);
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
  EXPECT_TRUE(sink_.take().empty());
}

TEST_F(EffectsServerHttp, HealthAnswers200) {
  auto r = client().Get("/effects/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto other = client().Get("/nothing-here");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
}

TEST_F(EffectsServerHttp, OversizeBodyIs413) {
  std::string big(16u * 1024u * 1024u + 1u, ' ');
  auto r = client().Post("/effects", big, kJson);
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(sink_.take().empty());
}

TEST(EffectsServer, StopIsIdempotentAndStartsOnlyOnce) {
  EffectsSink sink;
  EffectsServer server(sink);
  EXPECT_EQ(server.url(), "");
  ASSERT_TRUE(server.start().ok());
  EXPECT_FALSE(server.start().ok());  // already serving
  server.stop();
  server.stop();
  EXPECT_EQ(server.url(), "");
}

}  // namespace
}  // namespace evh::harness
