// Response contracts: how the platform reads a function's answer, per contract name
// (SEMANTICS.md §4, §6). Events come from the real generators so record ids are real.
#include "harness/contract.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "generators/catalog.h"
#include "generators/event_generator.h"
#include "generators/payload.h"

namespace evh::harness {
namespace {

const Source& source(std::string_view id) {
  auto r = find_source(id);
  EVH_CHECK(r.ok()) << r.error().message;
  return **r;
}

Json make_event(const Source& s, uint64_t seed, int64_t batch = -1) {
  EventGenerator gen(s, PayloadContract::builtin());
  if (batch > 0) gen.set_batch_size(batch);
  return gen.generate(seed).event;
}

const ContractProblem* problem_at(const ContractVerdict& v, const std::string& pointer) {
  for (const auto& p : v.problems)
    if (p.pointer == pointer) return &p;
  return nullptr;
}

std::string problems_text(const ContractVerdict& v) {
  std::string out;
  for (const auto& p : v.problems) out += (p.pointer.empty() ? "/" : p.pointer) + ": " + p.message + "\n";
  return out;
}

ContractVerdict assess(std::string_view id, const Json& event, const std::string& response, bool rbif = true) {
  return assess_response(source(id), event, response, rbif);
}

// --- apigw-proxy-v1 (SEMANTICS.md §6.1) ---------------------------------------------------------

TEST(Contract, RestStringStatusCodeIsAProblemAtStatusCodeAnd502) {
  Json event = make_event(source("apigw-rest"), 1);
  auto v = assess("apigw-rest", event, R"({"statusCode":"200","body":"{\"ok\":true}"})");
  EXPECT_FALSE(v.ok);
  ASSERT_NE(problem_at(v, "/statusCode"), nullptr) << problems_text(v);
  EXPECT_EQ(v.problems.front().pointer, "/statusCode");
  EXPECT_EQ(v.http_status, 502);
  EXPECT_EQ(v.reading.rfind("API Gateway returns 502 {\"message\": \"Internal server error\"}", 0), 0u) << v.reading;
}

TEST(Contract, RestObjectBodyIsAProblemAtBodyAnd502) {
  Json event = make_event(source("apigw-rest"), 2);
  auto v = assess("apigw-rest", event, R"({"statusCode":200,"body":{"ok":true}})");
  EXPECT_FALSE(v.ok);
  ASSERT_NE(problem_at(v, "/body"), nullptr) << problems_text(v);
  EXPECT_EQ(v.http_status, 502);
}

TEST(Contract, RestBase64TypoIsAProblemThatNamesIsBase64Encoded) {
  Json event = make_event(source("apigw-rest"), 3);
  auto v = assess("apigw-rest", event, R"({"statusCode":200,"body":"eyJvayI6dHJ1ZX0=","base64Encoded":true})");
  EXPECT_FALSE(v.ok);
  const ContractProblem* p = problem_at(v, "/base64Encoded");
  ASSERT_NE(p, nullptr) << problems_text(v);
  EXPECT_NE(p->message.find("did you mean isBase64Encoded?"), std::string::npos) << p->message;
  EXPECT_EQ(v.http_status, 502);
  EXPECT_EQ(v.problems.size(), 1u) << "the schema's additionalProperties problem is merged into the rule's: " << problems_text(v);
}

TEST(Contract, RestWellFormedResponseGivesItsStatusAndBody) {
  Json event = make_event(source("apigw-rest"), 4);
  auto v = assess("apigw-rest", event, R"({"statusCode":404,"headers":{"content-type":"text/plain"},"body":"nope"})");
  EXPECT_TRUE(v.ok) << problems_text(v);
  EXPECT_EQ(v.http_status, 404);
  EXPECT_EQ(v.effective["body"], "nope");
  EXPECT_EQ(v.effective["isBase64Encoded"], false);
}

TEST(Contract, RestNonObjectOrNonJsonResponseIs502) {
  Json event = make_event(source("apigw-rest"), 5);
  for (std::string bad : {"Hello", "null", "\"Hello\"", "[]", "", "{\"body\":\"x\"}"}) {
    auto v = assess("apigw-rest", event, bad);
    EXPECT_FALSE(v.ok) << bad;
    EXPECT_EQ(v.http_status, 502) << bad;
  }
}

// Found by fuzz/contract_fuzzer (corpus/contract_fuzzer/crash-number-overflow-1e528): a number past
// a double's range made parse_json() throw out_of_range, and the verdict said "evh internal error".
TEST(Contract, NumberPastADoubleIsNotJsonNotAnInternalError) {
  Json event = make_event(source("alb"), 1);
  for (std::string bad : {"1e528dull", "1e999", "{\"statusCode\":200,\"body\":\"\",\"x\":-1e400}"}) {
    auto v = assess("alb", event, bad);
    EXPECT_FALSE(v.ok) << bad;
    EXPECT_EQ(v.http_status, 502) << bad;
    ASSERT_FALSE(v.problems.empty()) << bad;
    EXPECT_EQ(v.problems[0].message.find("evh internal error"), std::string::npos) << problems_text(v);
    EXPECT_NE(v.problems[0].message.find("not JSON"), std::string::npos) << problems_text(v);
  }
}

// --- apigw-proxy-v2 / function-url (SEMANTICS.md §6.2) --------------------------------------------

TEST(Contract, HttpApiInfersAStringAsTheBodyOfA200) {
  Json event = make_event(source("apigw-http"), 1);
  auto v = assess("apigw-http", event, "\"Hello\"");
  EXPECT_TRUE(v.ok) << problems_text(v);
  EXPECT_EQ(v.http_status, 200);
  EXPECT_EQ(v.effective["statusCode"], 200);
  EXPECT_EQ(v.effective["body"], "\"Hello\"");
  EXPECT_EQ(v.effective["headers"]["content-type"], "application/json");
  EXPECT_EQ(v.effective["isBase64Encoded"], false);
}

TEST(Contract, HttpApiInfersAnObjectWithoutStatusCodeAsTheBody) {
  Json event = make_event(source("apigw-http"), 2);
  for (std::string_view id : {"apigw-http", "function-url"}) {
    auto v = assess(id, event, R"({"orderId":"o-1","total":3})");
    EXPECT_TRUE(v.ok) << id << "\n" << problems_text(v);
    EXPECT_EQ(v.http_status, 200) << id;
    EXPECT_EQ(v.effective["body"], R"({"orderId":"o-1","total":3})") << id;
    auto arr = assess(id, event, "[1,2]");
    EXPECT_TRUE(arr.ok) << id;
    EXPECT_EQ(arr.effective["body"], "[1,2]") << id;
  }
}

TEST(Contract, HttpApiMalformedStructuredResponseIs500AndFunctionUrl502) {
  Json event = make_event(source("apigw-http"), 3);
  auto api = assess("apigw-http", event, R"({"statusCode":"200","body":"x"})");
  EXPECT_FALSE(api.ok);
  EXPECT_NE(problem_at(api, "/statusCode"), nullptr) << problems_text(api);
  EXPECT_EQ(api.http_status, 500);
  auto url = assess("function-url", event, R"({"statusCode":200,"body":{"a":1}})");
  EXPECT_FALSE(url.ok);
  EXPECT_NE(problem_at(url, "/body"), nullptr) << problems_text(url);
  EXPECT_EQ(url.http_status, 502);
  auto cookies = assess("apigw-http", event, R"({"statusCode":200,"cookies":"a=b"})");
  EXPECT_NE(problem_at(cookies, "/cookies"), nullptr) << problems_text(cookies);
}

TEST(Contract, HttpApiNearMissKeyIsFlaggedWhileTheResponseIsServed) {
  Json event = make_event(source("apigw-http"), 4);
  auto v = assess("apigw-http", event, R"({"statusCode":201,"body":"eA==","base64Encoded":true})");
  EXPECT_FALSE(v.ok);
  const ContractProblem* p = problem_at(v, "/base64Encoded");
  ASSERT_NE(p, nullptr) << problems_text(v);
  EXPECT_NE(p->message.find("isBase64Encoded"), std::string::npos);
  EXPECT_EQ(v.http_status, 201) << "HTTP API still answers with the returned status";
}

// --- alb (SEMANTICS.md §6.3) ----------------------------------------------------------------------

TEST(Contract, AlbMultiValueModeRequiresMultiValueHeaders) {
  Json event = make_event(source("alb"), 1);
  event.erase("headers");
  event["multiValueHeaders"] = {{"accept", {"*/*"}}};
  auto single = assess("alb", event, R"({"statusCode":200,"statusDescription":"200 OK","headers":{"a":"b"},"body":""})");
  EXPECT_FALSE(single.ok);
  EXPECT_NE(problem_at(single, "/headers"), nullptr) << problems_text(single);
  EXPECT_EQ(single.http_status, 502);
  auto multi = assess("alb", event, R"({"statusCode":200,"statusDescription":"200 OK","multiValueHeaders":{"a":["b"]},"body":""})");
  EXPECT_TRUE(multi.ok) << problems_text(multi);
  EXPECT_EQ(multi.http_status, 200);
}

// --- batch-item-failures (SEMANTICS.md §4, §8.3) ----------------------------------------------------

TEST(Contract, BatchItemFailuresSuccessShapesAreCompleteSuccess) {
  for (std::string_view id : {"sqs", "kinesis", "dynamodb-streams", "kafka-msk"}) {
    Json event = make_event(source(id), 7, 3);
    for (std::string ok : {"", "\"\"", "[]", "null", "{}", R"({"batchItemFailures":[]})", R"({"batchItemFailures":null})"}) {
      auto v = assess(id, event, ok);
      EXPECT_TRUE(v.ok) << id << " " << ok << "\n" << problems_text(v);
      EXPECT_EQ(v.effective["failed"], Json::array()) << id << " " << ok;
    }
  }
}

TEST(Contract, BatchItemFailuresWholeBatchShapesFailEveryRecord) {
  const Source& sqs = source("sqs");
  Json event = make_event(sqs, 8, 3);
  std::string first = event["Records"][0]["messageId"];
  std::vector<std::string> bad = {
      "{",
      R"({"batchItemFailures":[{"itemIdentifier":null}]})",
      R"({"batchItemFailures":[{"itemIdentifier":""}]})",
      R"({"batchItemFailures":[{"itemIdentifier":123}]})",
      R"({"batchItemFailures":[{"foo":"x"}]})",
      R"({"batchItemFailures":[{"itemIdentifiers":")" + first + R"("}]})",
      R"({"batchItemFailures":[{"itemIdentifier":"not-a-message-of-this-batch"}]})",
      R"({"batchItemFailures":"all"})",
  };
  for (const auto& b : bad) {
    auto v = assess_response(sqs, event, b, true);
    EXPECT_FALSE(v.ok) << b;
    EXPECT_NE(v.reading.find("whole batch"), std::string::npos) << b << ": " << v.reading;
    EXPECT_EQ(v.effective["wholeBatch"], true) << b;
    EXPECT_EQ(v.effective["failed"].size(), 3u) << b;
  }
  auto typo = assess_response(sqs, event, R"({"batchItemFailures":[{"itemIdentifiers":")" + first + R"("}]})", true);
  const ContractProblem* p = problem_at(typo, "/batchItemFailures/0/itemIdentifier");
  ASSERT_NE(p, nullptr) << problems_text(typo);
  EXPECT_NE(p->message.find("did you mean itemIdentifier?"), std::string::npos) << p->message;
  auto unknown = assess_response(sqs, event, R"({"batchItemFailures":[{"itemIdentifier":"x-1"}]})", true);
  EXPECT_NE(unknown.problems.front().message.find("documented for SQS"), std::string::npos) << problems_text(unknown);
}

TEST(Contract, BatchItemFailuresPartialResponseListsTheFailedIds) {
  const Source& sqs = source("sqs");
  Json event = make_event(sqs, 9, 4);
  Json second = event["Records"][1]["messageId"];
  Json response{{"batchItemFailures", {{{"itemIdentifier", second}}, {{"itemIdentifier", second}}}}};
  auto v = assess_response(sqs, event, dump(response), true);
  EXPECT_TRUE(v.ok) << problems_text(v);
  EXPECT_EQ(v.effective["failed"], Json::array({second}));
  EXPECT_NE(v.reading.find("1 of 4"), std::string::npos) << v.reading;
}

TEST(Contract, BatchItemFailuresAreIgnoredWithoutReportBatchItemFailures) {
  const Source& sqs = source("sqs");
  Json event = make_event(sqs, 10, 2);
  auto v = assess_response(sqs, event, "{", false);
  EXPECT_TRUE(v.ok) << problems_text(v);
  EXPECT_NE(v.reading.find("ignored without ReportBatchItemFailures"), std::string::npos) << v.reading;
  EXPECT_FALSE(v.effective.contains("ignored"));
  // A list it sends all the same is read as success; its ids are kept as the failures swallowed.
  const Json id = event["Records"][1]["messageId"];
  v = assess_response(sqs, event, dump(Json{{"batchItemFailures", {{{"itemIdentifier", id}}}}}), false);
  EXPECT_TRUE(v.ok) << problems_text(v);
  EXPECT_EQ(v.effective["failed"], Json::array());
  EXPECT_EQ(v.effective["ignored"], Json::array({id}));
}

TEST(Contract, BatchItemFailuresNearMissTopLevelKeyIsFlaggedAsLostFailures) {
  const Source& sqs = source("sqs");
  Json event = make_event(sqs, 11, 2);
  Json response{{"batchItemFailure", {{{"itemIdentifier", event["Records"][0]["messageId"]}}}}};
  auto v = assess_response(sqs, event, dump(response), true);
  EXPECT_FALSE(v.ok);
  ASSERT_NE(problem_at(v, "/batchItemFailure"), nullptr) << problems_text(v);
  EXPECT_EQ(v.effective["failed"], Json::array()) << "Lambda reads it as complete success";
}

TEST(Contract, KinesisIdentifiesRecordsBySequenceNumber) {
  const Source& kinesis = source("kinesis");
  Json event = make_event(kinesis, 12, 3);
  Json seq = event["Records"][1]["kinesis"]["sequenceNumber"];
  auto v = assess_response(kinesis, event, dump(Json{{"batchItemFailures", {{{"itemIdentifier", seq}}}}}), true);
  EXPECT_TRUE(v.ok) << problems_text(v);
  EXPECT_EQ(v.effective["failed"], Json::array({seq}));
  Json wrong = event["Records"][1]["eventID"];
  auto w = assess_response(kinesis, event, dump(Json{{"batchItemFailures", {{{"itemIdentifier", wrong}}}}}), true);
  EXPECT_FALSE(w.ok);
  ASSERT_FALSE(w.problems.empty());
  EXPECT_NE(w.problems.front().message.find("not confirmed"), std::string::npos) << problems_text(w);
  auto number = assess_response(kinesis, event, R"({"batchItemFailures":[{"itemIdentifier":123}]})", true);
  EXPECT_FALSE(number.ok) << "AWS-validated: a number fails the whole batch (SEMANTICS.md §8.3)";
}

TEST(Contract, DynamoDbIdentifiesRecordsBySequenceNumber) {
  const Source& ddb = source("dynamodb-streams");
  Json event = make_event(ddb, 13, 3);
  Json seq = event["Records"][2]["dynamodb"]["SequenceNumber"];
  auto v = assess_response(ddb, event, dump(Json{{"batchItemFailures", {{{"itemIdentifier", seq}}}}}), true);
  EXPECT_TRUE(v.ok) << problems_text(v);
  EXPECT_EQ(v.effective["failed"], Json::array({seq}));
  auto w = assess_response(ddb, event, dump(Json{{"batchItemFailures", {{{"itemIdentifier", event["Records"][2]["eventID"]}}}}}), true);
  EXPECT_FALSE(w.ok);
}

TEST(Contract, KafkaIdentifiesRecordsByPartitionAndOffset) {
  const Source& kafka = source("kafka-msk");
  Json event = make_event(kafka, 14, 3);
  ASSERT_TRUE(event["records"].is_object());
  auto group = event["records"].begin();
  const Json& rec = group.value().back();
  // Field order reversed on purpose: objects match key by key.
  Json id{{"offset", rec["offset"]}, {"partition", group.key()}};
  auto v = assess_response(kafka, event, dump(Json{{"batchItemFailures", {{{"itemIdentifier", id}}}}}), true);
  EXPECT_TRUE(v.ok) << problems_text(v);
  ASSERT_EQ(v.effective["failed"].size(), 1u);
  EXPECT_EQ(v.effective["failed"][0]["partition"], group.key());
  EXPECT_EQ(v.effective["failed"][0]["offset"], rec["offset"]);

  Json as_string{{"partition", group.key()}, {"offset", dump(rec["offset"])}};
  auto s = assess_response(kafka, event, dump(Json{{"batchItemFailures", {{{"itemIdentifier", as_string}}}}}), true);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(problem_at(s, "/batchItemFailures/0/itemIdentifier/offset"), nullptr) << problems_text(s);

  Json other{{"partition", "no-such-topic-99"}, {"offset", rec["offset"]}};
  EXPECT_FALSE(assess_response(kafka, event, dump(Json{{"batchItemFailures", {{{"itemIdentifier", other}}}}}), true).ok);
  EXPECT_FALSE(assess_response(kafka, event, dump(Json{{"batchItemFailures", {{{"itemIdentifier", dump(rec["offset"])}}}}}), true).ok);
}

// --- firehose-records, s3-batch-results (SEMANTICS.md §6.5, §6.6) -------------------------------------

Json firehose_answer(const Json& event, std::size_t skip = SIZE_MAX) {
  Json records = Json::array();
  for (std::size_t i = 0; i < event["records"].size(); ++i) {
    if (i == skip) continue;
    records.push_back({{"recordId", event["records"][i]["recordId"]}, {"result", i == 0 ? "Dropped" : "Ok"}, {"data", "eyJhIjoxfQ=="}});
  }
  return Json{{"records", records}};
}

TEST(Contract, FirehoseEveryRecordIdMustComeBack) {
  const Source& firehose = source("firehose");
  Json event = make_event(firehose, 15, 3);
  auto good = assess_response(firehose, event, dump(firehose_answer(event)));
  EXPECT_TRUE(good.ok) << problems_text(good);
  EXPECT_EQ(good.effective["ok"].size(), 2u);
  EXPECT_EQ(good.effective["dropped"].size(), 1u);

  auto missing = assess_response(firehose, event, dump(firehose_answer(event, 1)));
  EXPECT_FALSE(missing.ok);
  const ContractProblem* p = problem_at(missing, "/records");
  ASSERT_NE(p, nullptr) << problems_text(missing);
  EXPECT_NE(p->message.find(event["records"][1]["recordId"].get<std::string>()), std::string::npos) << p->message;

  Json unknown = firehose_answer(event);
  unknown["records"][0]["recordId"] = "49000000000000000000000000000000000000000000000000";
  EXPECT_NE(problem_at(assess_response(firehose, event, dump(unknown)), "/records/0/recordId"), nullptr);
  Json bad_result = firehose_answer(event);
  bad_result["records"][1]["result"] = "OK";
  EXPECT_NE(problem_at(assess_response(firehose, event, dump(bad_result)), "/records/1/result"), nullptr);
  Json bad_data = firehose_answer(event);
  bad_data["records"][2]["data"] = "not base64!";
  EXPECT_NE(problem_at(assess_response(firehose, event, dump(bad_data)), "/records/2/data"), nullptr);
}

TEST(Contract, S3BatchResultsMustNameTheRequestsTasks) {
  const Source& s3b = source("s3-batch");
  Json event = make_event(s3b, 16);
  Json answer{{"invocationSchemaVersion", "1.0"},
              {"treatMissingKeysAs", "PermanentFailure"},
              {"invocationId", event["invocationId"]},
              {"results", {{{"taskId", event["tasks"][0]["taskId"]}, {"resultCode", "Succeeded"}, {"resultString", "done"}}}}};
  auto good = assess_response(s3b, event, dump(answer));
  EXPECT_TRUE(good.ok) << problems_text(good);
  EXPECT_EQ(good.effective["results"][event["tasks"][0]["taskId"].get<std::string>()], "Succeeded");

  Json unknown = answer;
  unknown["results"][0]["taskId"] = "no-such-task";
  auto v = assess_response(s3b, event, dump(unknown));
  EXPECT_FALSE(v.ok);
  EXPECT_NE(problem_at(v, "/results/0/taskId"), nullptr) << problems_text(v);

  Json other_invocation = answer;
  other_invocation["invocationId"] = "another-invocation";
  EXPECT_NE(problem_at(assess_response(s3b, event, dump(other_invocation)), "/invocationId"), nullptr);
  Json bad_code = answer;
  bad_code["results"][0]["resultCode"] = "Failed";
  EXPECT_NE(problem_at(assess_response(s3b, event, dump(bad_code)), "/results/0/resultCode"), nullptr);
}

// --- cognito-trigger, lex-v2, alexa (SEMANTICS.md §6.7–§6.9) -----------------------------------------

TEST(Contract, CognitoMustReturnTheEventWithResponse) {
  const Source& cognito = source("cognito-user-pool");
  Json event = make_event(cognito, 17);
  auto echo = assess_response(cognito, event, dump(event));
  EXPECT_TRUE(echo.ok) << problems_text(echo);
  Json no_response = event;
  no_response.erase("response");
  auto v = assess_response(cognito, event, dump(no_response));
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problems.front().pointer, "/response") << problems_text(v);
  Json renamed = event;
  renamed["userName"] = "someone-else";
  EXPECT_NE(problem_at(assess_response(cognito, event, dump(renamed)), "/userName"), nullptr);
}

TEST(Contract, LexNeedsSessionStateAndMessagesForElicitIntent) {
  const Source& lex = source("lex-v2");
  Json event = make_event(lex, 18);
  auto missing = assess_response(lex, event, R"({"messages":[{"contentType":"PlainText","content":"hi"}]})");
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.problems.front().pointer, "/sessionState") << problems_text(missing);
  auto close = assess_response(
      lex, event, R"({"sessionState":{"dialogAction":{"type":"Close"},"intent":{"name":"Order","state":"Fulfilled"}}})");
  EXPECT_TRUE(close.ok) << problems_text(close);
  auto elicit = assess_response(lex, event, R"({"sessionState":{"dialogAction":{"type":"ElicitIntent"}}})");
  EXPECT_NE(problem_at(elicit, "/messages"), nullptr) << problems_text(elicit);
  auto bad_state = assess_response(
      lex, event, R"({"sessionState":{"dialogAction":{"type":"Close"},"intent":{"name":"Order","state":"Done"}}})");
  EXPECT_NE(problem_at(bad_state, "/sessionState/intent/state"), nullptr) << problems_text(bad_state);
}

TEST(Contract, AlexaSpeechOver8000CharactersIsAProblem) {
  const Source& alexa = source("alexa-skill");
  Json event = make_event(alexa, 19);
  Json answer{{"version", "1.0"}, {"response", {{"outputSpeech", {{"type", "PlainText"}, {"text", "Hello"}}}, {"shouldEndSession", true}}}};
  auto good = assess_response(alexa, event, dump(answer));
  EXPECT_TRUE(good.ok) << problems_text(good);
  answer["response"]["outputSpeech"]["text"] = std::string(8001, 'a');
  auto v = assess_response(alexa, event, dump(answer));
  EXPECT_NE(problem_at(v, "/response/outputSpeech/text"), nullptr) << problems_text(v);
  answer["response"]["outputSpeech"]["text"] = "fine";
  answer["sessionAttributes"] = {{"blob", std::string(30000, 'b')}};
  auto big = assess_response(alexa, event, dump(answer));
  ASSERT_NE(problem_at(big, ""), nullptr) << problems_text(big);
  EXPECT_NE(problem_at(big, "")->message.find("24576"), std::string::npos);
}

// --- authorizers -----------------------------------------------------------------------------------

TEST(Contract, AuthorizerPolicyIsEvaluatedAndObjectContextIsA500) {
  const Source& token = source("apigw-authorizer-token");
  Json event = make_event(token, 20);
  auto policy = [&](const char* effect) {
    return Json{{"principalId", "user-1"},
                {"policyDocument",
                 {{"Version", "2012-10-17"},
                  {"Statement", {{{"Action", "execute-api:Invoke"}, {"Effect", effect}, {"Resource", event["methodArn"]}}}}}}};
  };
  auto allow = assess_response(token, event, dump(policy("Allow")));
  EXPECT_TRUE(allow.ok) << problems_text(allow);
  EXPECT_EQ(allow.http_status, 0) << "allowed: the integration answers";
  auto deny = assess_response(token, event, dump(policy("Deny")));
  EXPECT_TRUE(deny.ok);
  EXPECT_EQ(deny.http_status, 403);
  Json nested = policy("Allow");
  nested["context"] = {{"user", {{"id", 1}}}};
  auto bad = assess_response(token, event, dump(nested));
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(problem_at(bad, "/context/user"), nullptr) << problems_text(bad);
  EXPECT_EQ(bad.http_status, 500);
  auto simple = assess_response(token, event, R"({"isAuthorized":true})");
  EXPECT_FALSE(simple.ok) << "TOKEN authorizers have no simple responses";
  const Source& request = source("apigw-authorizer-request");
  auto simple_ok = assess_response(request, make_event(request, 21), R"({"isAuthorized":false,"context":{"a":"b"}})");
  EXPECT_TRUE(simple_ok.ok) << problems_text(simple_ok);
  EXPECT_EQ(simple_ok.http_status, 403);
}

// --- ignored, size, failures, the table ----------------------------------------------------------------

TEST(Contract, IgnoredContractAcceptsGarbage) {
  const Source& sns = source("sns");
  ASSERT_EQ(sns.response.contract, "ignored");
  Json event = make_event(sns, 22);
  for (const std::string& garbage : std::vector<std::string>{"", "{", "\xff\xfe", "null", std::string(7 * 1024 * 1024, 'x')}) {
    auto v = assess_response(sns, event, garbage);
    EXPECT_TRUE(v.ok) << problems_text(v);
    EXPECT_FALSE(v.reading.empty());
  }
}

TEST(Contract, OversizeResponseIsAProblemAtTheRootNamingTheLimit) {
  const Source& alb = source("alb");
  Json body = Json{{"statusCode", 200}, {"body", std::string(alb.limits.max_response_bytes, 'a')}};
  auto v = assess_response(alb, make_event(alb, 23), dump(body));
  EXPECT_FALSE(v.ok);
  ASSERT_NE(problem_at(v, ""), nullptr) << problems_text(v);
  EXPECT_NE(problem_at(v, "")->message.find(std::to_string(alb.limits.max_response_bytes)), std::string::npos);
  EXPECT_EQ(v.http_status, 502);

  const Source& rest = source("apigw-rest");
  Json big = Json{{"statusCode", 200}, {"body", std::string(7 * 1024 * 1024, 'a')}};
  auto r = assess_response(rest, make_event(rest, 24), dump(big));
  ASSERT_NE(problem_at(r, ""), nullptr) << problems_text(r);
  EXPECT_NE(problem_at(r, "")->message.find("6291556"), std::string::npos) << problem_at(r, "")->message;
}

Outcome outcome(OutcomeKind kind, int status = 200, int64_t duration_ms = 0, std::string message = "") {
  Outcome o;
  o.kind = kind;
  o.status = status;
  o.duration_ms = duration_ms;
  o.error_message = std::move(message);
  return o;
}

TEST(Contract, FailureStatusesFollowTheCallerOfTheContract) {
  const Source& rest = source("apigw-rest");
  EXPECT_EQ(http_status_for_failure(rest, outcome(OutcomeKind::kFunctionError)), 502);
  EXPECT_EQ(http_status_for_failure(rest, outcome(OutcomeKind::kCrash)), 502);
  EXPECT_EQ(http_status_for_failure(rest, outcome(OutcomeKind::kTimeout, 200, 3000)), 502)
      << "a function timeout before the 29 s integration timeout is a function error";
  EXPECT_EQ(http_status_for_failure(rest, outcome(OutcomeKind::kTimeout, 200, 29000)), 504);
  EXPECT_EQ(http_status_for_failure(rest, outcome(OutcomeKind::kInvokeError, 429)), 500);
  EXPECT_EQ(http_status_for_failure(rest, outcome(OutcomeKind::kSuccess)), 0);
  EXPECT_EQ(http_status_for_failure(source("apigw-http"), outcome(OutcomeKind::kFunctionError)), 500);
  EXPECT_EQ(http_status_for_failure(source("function-url"), outcome(OutcomeKind::kFunctionError)), 502);
  EXPECT_EQ(http_status_for_failure(source("alb"), outcome(OutcomeKind::kTimeout, 200, 60000)), 502);
  EXPECT_EQ(http_status_for_failure(source("apigw-authorizer-token"), outcome(OutcomeKind::kFunctionError, 200, 0, "Unauthorized")), 401);
  EXPECT_EQ(http_status_for_failure(source("apigw-authorizer-token"), outcome(OutcomeKind::kFunctionError, 200, 0, "boom")), 500);
  EXPECT_EQ(http_status_for_failure(source("sqs"), outcome(OutcomeKind::kFunctionError)), 0);
  EXPECT_EQ(http_status_for_failure(source("s3"), outcome(OutcomeKind::kTimeout)), 0);
}

TEST(Contract, HttpClientIsDerivedFromTheContractName) {
  for (std::string_view name : {"apigw-proxy-v1", "apigw-proxy-v2", "function-url", "alb", "apigw-websocket", "authorizer",
                                "authorizer-iam-policy", "cloudfront-edge"})
    EXPECT_TRUE(has_http_client(name)) << name;
  for (std::string_view name : {"ignored", "batch-item-failures", "firehose-records", "lex-v2", "no-such-contract"})
    EXPECT_FALSE(has_http_client(name)) << name;
}

// Every contract name a source declares (and every variant's) must be in the table, so a new
// name cannot slip in unhandled.
TEST(Contract, EveryCatalogContractNameIsKnown) {
  ASSERT_EQ(catalog_error(), "");
  ASSERT_FALSE(all_sources().empty());
  std::size_t variants = 0;
  for (const auto& s : all_sources()) {
    EXPECT_TRUE(is_known_contract(s.response.contract)) << s.id << " declares unknown contract '" << s.response.contract << "'";
    auto vs = response_variants(s);
    ASSERT_TRUE(vs.ok()) << vs.error().message;
    for (const auto& v : *vs) {
      ++variants;
      EXPECT_TRUE(is_known_contract(v.contract.contract)) << s.id << " variant " << v.name << ": '" << v.contract.contract << "'";
    }
  }
  EXPECT_GE(variants, 2u) << "the IoT source declares its authorizer and provisioning-hook variants";
  EXPECT_FALSE(is_known_contract("no-such-contract"));
}

TEST(Contract, UnknownContractNameIsCheckedAgainstItsSchemaOnly) {
  Source custom = source("sqs");
  custom.response.contract = "no-such-contract";
  Json event = make_event(custom, 25, 1);
  auto v = assess_response(custom, event, "{}");
  EXPECT_TRUE(v.ok) << problems_text(v);
  EXPECT_NE(v.reading.find("knows no contract"), std::string::npos) << v.reading;
  auto bad = assess_response(custom, event, R"({"batchItemFailures":"x"})");
  EXPECT_FALSE(bad.ok) << "the declared schema still applies";
}

TEST(Contract, IotVariantsAreAssessedWithTheirOwnSchemas) {
  const Source& iot = source("iot");
  auto vs = response_variants(iot);
  ASSERT_TRUE(vs.ok()) << vs.error().message;
  const ResponseVariant* hook = nullptr;
  for (const auto& v : *vs)
    if (v.contract.contract == "iot-provisioning-hook") hook = &v;
  ASSERT_NE(hook, nullptr);
  Json event = Json::object();
  EXPECT_TRUE(assess_response(iot, hook->contract, event, R"({"allowProvisioning":true})").ok);
  auto bad = assess_response(iot, hook->contract, event, R"({"allowProvisioning":"yes"})");
  EXPECT_NE(problem_at(bad, "/allowProvisioning"), nullptr) << problems_text(bad);
}

// No input makes the assessment throw or fail inside evh, for any source and any variant.
TEST(Contract, GarbageNeverBreaksTheAssessmentOfAnySource) {
  const std::string big_raw(7 * 1024 * 1024, 'x');
  const std::string big_json = "\"" + std::string(7 * 1024 * 1024, 'y') + "\"";
  const std::vector<std::string> garbage = {"", "null", "[]", "{", "\xff", "{\"a\":\"\xc3\"}", big_raw, big_json,
                                            R"({"batchItemFailures":[{"itemIdentifier":{"partition":1}}]})",
                                            R"({"statusCode":1e300,"records":[null],"results":[7],"sessionState":[]})"};
  for (const auto& s : all_sources()) {
    Json event = make_event(s, 26, 2);
    std::vector<ResponseContract> contracts = {s.response};
    auto vs = response_variants(s);
    ASSERT_TRUE(vs.ok());
    for (const auto& v : *vs) contracts.push_back(v.contract);
    for (const auto& contract : contracts) {
      for (const auto& g : garbage) {
        for (bool rbif : {true, false}) {
          if (!rbif && g.size() > 1024) continue;  // the big inputs once: RBIF off ignores the bytes anyway
          ContractVerdict v;
          EXPECT_NO_THROW(v = assess_response(s, contract, event, g, rbif)) << s.id;
          for (const auto& p : v.problems) {
            EXPECT_EQ(p.message.rfind("evh internal error", 0), std::string::npos) << s.id << ": " << p.message;
            EXPECT_NO_THROW((void)dump(Json(p.message))) << s.id << ": problem messages stay valid UTF-8";
          }
          EXPECT_NO_THROW((void)dump(v.effective)) << s.id;
          EXPECT_EQ(v.ok, v.problems.empty()) << s.id;
        }
      }
    }
  }
}

// Each contract name has a section in docs/response-contracts.md (STYLE.md §7.5).
TEST(Contract, EveryKnownContractHasADocSection) {
  std::ifstream in(std::string(EVH_SOURCE_DIR) + "/docs/response-contracts.md");
  ASSERT_TRUE(in) << "docs/response-contracts.md is missing";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  for (auto name : known_contracts())
    EXPECT_NE(doc.find("\n## `" + std::string(name) + "`"), std::string::npos) << "no section for " << name;
}

}  // namespace
}  // namespace evh::harness
