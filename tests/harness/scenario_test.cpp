// Scenario loading: AWS parameter names in, AWS's ranges and refusals enforced, AWS's defaults
// filled (SEMANTICS.md §1, §2, §3, §5, §8.2, §8.4).
#include "harness/scenario.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "generators/catalog.h"

namespace evh::harness {
namespace {

namespace fs = std::filesystem;

const Source& source(std::string_view id) {
  auto s = find_source(id);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return **s;
}

Result<Scenario> parse(std::string_view text) {
  auto doc = parse_json(text, "t.json");
  if (!doc) return doc.error();
  return parse_scenario(*doc, "t.json");
}

// Parses and resolves; returns the scenario or the first error.
Result<Scenario> resolve(std::string_view text, std::string_view id, Mode mode) {
  auto sc = parse(text);
  if (!sc) return sc.error();
  auto st = resolve_scenario(*sc, source(id), mode);
  if (!st) return st.error();
  return sc;
}

// The error message of a failed result ("" when it succeeded), checked to be one line.
template <typename T>
std::string error_of(const Result<T>& r) {
  if (r.ok()) return "";
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
  return r.error().message;
}

bool contains(const std::string& hay, std::string_view needle) { return hay.find(needle) != std::string::npos; }

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    path_ = (fs::temp_directory_path() / ("evh-scenario-" + std::to_string(::getpid()) + "-" +
                                          std::to_string(counter_++) + ".json"))
                .string();
    std::ofstream(path_) << content;
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

TEST(Scenario, SqsBatchSizeAboveTheMaximumIsRefusedWithTheRange) {
  auto r = resolve(R"({"eventSourceMapping": {"BatchSize": 20000, "MaximumBatchingWindowInSeconds": 1}})", "sqs", Mode::kPoll);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  const std::string m = error_of(r);
  EXPECT_TRUE(contains(m, "t.json: eventSourceMapping.BatchSize 20000 is out of range for sqs: 1–10000")) << m;
}

TEST(Scenario, SqsBatchSizeAboveTheMaximumIsRefusedFromAFile) {
  TempFile f(R"({"source": "sqs", "mode": "poll", "eventSourceMapping": {"BatchSize": 20000}})");
  auto sc = load_scenario(f.path());
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  auto st = resolve_scenario(*sc, source(sc->source), *sc->mode);
  const std::string m = error_of(st);
  EXPECT_EQ(m.rfind(f.path() + ": ", 0), 0u) << m;
  EXPECT_TRUE(contains(m, "eventSourceMapping.BatchSize 20000 is out of range for sqs: 1–10000")) << m;
}

TEST(Scenario, UnknownKeyIsRefusedWithItsPointerAndASuggestion) {
  auto r = parse(R"({"eventSourceMapping": {"BachSize": 10}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  const std::string m = error_of(r);
  EXPECT_TRUE(contains(m, "t.json: unknown key \"BachSize\" at /eventSourceMapping/BachSize")) << m;
  EXPECT_TRUE(contains(m, "did you mean \"BatchSize\"")) << m;
}

TEST(Scenario, UnknownKeyDeepDownIsRefusedToo) {
  auto r = parse(R"({"eventSourceMapping": {"FilterCriteria": {"Filters": [{"Patern": "{}"}]}}})");
  const std::string m = error_of(r);
  EXPECT_TRUE(contains(m, "/eventSourceMapping/FilterCriteria/Filters/0/Patern")) << m;
  EXPECT_TRUE(contains(m, "did you mean \"Pattern\"")) << m;
}

TEST(Scenario, UnknownKeyFarFromEveryKnownOneHasNoSuggestion) {
  const std::string m = error_of(parse(R"({"function": {"Zzzzzzzzzzzz": 1}})"));
  EXPECT_TRUE(contains(m, "unknown key \"Zzzzzzzzzzzz\" at /function/Zzzzzzzzzzzz")) << m;
  EXPECT_FALSE(contains(m, "did you mean")) << m;
}

TEST(Scenario, KeyInTheWrongBlockSaysWhereItBelongs) {
  const std::string m = error_of(parse(R"({"eventSourceMapping": {"VisibilityTimeout": 60}})"));
  EXPECT_TRUE(contains(m, "unknown key \"VisibilityTimeout\" at /eventSourceMapping/VisibilityTimeout")) << m;
  EXPECT_TRUE(contains(m, "it belongs in \"queue\"")) << m;
}

TEST(Scenario, NonJsonFileNamesLineAndColumn) {
  TempFile f("{\n  \"source\": \"sqs\",\n  oops\n}\n");
  auto r = load_scenario(f.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  const std::string m = error_of(r);
  EXPECT_EQ(m.rfind(f.path() + ":3:3: not valid JSON", 0), 0u) << m;
}

// Found by fuzz/contract_fuzzer (corpus/contract_fuzzer/crash-number-overflow-1e528): parse_json()
// let nlohmann's out_of_range through, so a scenario with 1e999 was "evh: internal error" (exit 3).
TEST(Scenario, NumberPastADoubleIsNotValidJsonWithLineAndColumn) {
  TempFile f("{\n  \"cases\": 1e999\n}\n");
  auto r = load_scenario(f.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_EQ(error_of(r), f.path() + ":2:12: not valid JSON: number overflow parsing '1e999'");
}

TEST(Scenario, UnreadableFileIsAnIoError) {
  auto r = load_scenario("/nonexistent/evh/scenario.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_TRUE(contains(error_of(r), "/nonexistent/evh/scenario.json")) << r.error().message;
}

TEST(Scenario, WrongTypeNamesTheKeyAndTheExpectedType) {
  const std::string m = error_of(parse(R"({"eventSourceMapping": {"BatchSize": "10"}})"));
  EXPECT_TRUE(contains(m, "t.json: eventSourceMapping.BatchSize must be an integer, got string \"10\"")) << m;
  const std::string b = error_of(parse(R"({"eventSourceMapping": {"BisectBatchOnFunctionError": 1}})"));
  EXPECT_TRUE(contains(b, "eventSourceMapping.BisectBatchOnFunctionError must be a boolean")) << b;
  const std::string f = error_of(parse(R"({"function": {"Timeout": 1.5}})"));
  EXPECT_TRUE(contains(f, "function.Timeout must be an integer, got a fractional number 1.5")) << f;
  EXPECT_TRUE(contains(error_of(parse("[1, 2]")), "a scenario is a JSON object, got array"));
}

TEST(Scenario, BadModeStringIsAUsageError) {
  auto m = parse_mode("batch");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kUsage);
  auto r = parse(R"({"mode": "batch"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUsage);
  EXPECT_TRUE(contains(error_of(r), "t.json: mode: unknown mode \"batch\"")) << r.error().message;
  ASSERT_TRUE(parse_mode("poll").ok());
  EXPECT_EQ(*parse_mode("poll"), Mode::kPoll);
}

TEST(Scenario, SqsDefaultsAreFilled) {
  auto r = resolve("{}", "sqs", Mode::kPoll);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Json j = r->to_json();
  EXPECT_EQ(j["eventSourceMapping"]["BatchSize"], 10);
  EXPECT_EQ(j["eventSourceMapping"]["MaximumBatchingWindowInSeconds"], 0);
  EXPECT_EQ(j["eventSourceMapping"]["FunctionResponseTypes"], Json::array());
  EXPECT_EQ(j["eventSourceMapping"]["Enabled"], true);
  EXPECT_FALSE(j["eventSourceMapping"].contains("StartingPosition"));
  EXPECT_FALSE(j["eventSourceMapping"].contains("ParallelizationFactor"));
  EXPECT_EQ(j["queue"]["VisibilityTimeout"], 30);
  EXPECT_EQ(j["queue"]["MessageRetentionPeriod"], 345600);
  EXPECT_EQ(j["queue"]["FifoQueue"], false);
  EXPECT_EQ(j["function"]["Timeout"], 3);
  EXPECT_EQ(j["function"]["MemorySize"], 128);
  EXPECT_EQ(j["invocationType"], "RequestResponse");
  EXPECT_EQ(j["source"], "sqs");
  EXPECT_EQ(j["mode"], "poll");
  const auto& d = j["defaulted"];
  EXPECT_NE(std::find(d.begin(), d.end(), Json("eventSourceMapping.BatchSize")), d.end()) << d.dump();
  EXPECT_NE(std::find(d.begin(), d.end(), Json("queue.VisibilityTimeout")), d.end()) << d.dump();
}

TEST(Scenario, KinesisDefaultsAreFilledWithTrimHorizon) {
  auto r = resolve("{}", "kinesis", Mode::kPoll);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Json& esm = r->event_source_mapping;
  EXPECT_EQ(esm["BatchSize"], 100);
  EXPECT_EQ(esm["StartingPosition"], "TRIM_HORIZON");
  EXPECT_EQ(esm["ParallelizationFactor"], 1);
  EXPECT_EQ(esm["MaximumRetryAttempts"], -1);
  EXPECT_EQ(esm["MaximumRecordAgeInSeconds"], -1);
  EXPECT_EQ(esm["BisectBatchOnFunctionError"], false);
  EXPECT_EQ(esm["TumblingWindowInSeconds"], 0);
  EXPECT_TRUE(r->queue.empty());
  EXPECT_NE(std::find(r->defaulted.begin(), r->defaulted.end(), "eventSourceMapping.StartingPosition"), r->defaulted.end());
}

TEST(Scenario, KafkaWindowDefaultsToHalfASecond) {
  auto r = resolve("{}", "kafka-msk", Mode::kPoll);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_DOUBLE_EQ(r->event_source_mapping["MaximumBatchingWindowInSeconds"].get<double>(), 0.5);
  EXPECT_EQ(r->event_source_mapping["BatchSize"], 100);
  EXPECT_FALSE(r->event_source_mapping.contains("ParallelizationFactor"));
}

TEST(Scenario, UserValuesAreKeptAndNotMarkedDefaulted) {
  auto r = resolve(R"({"eventSourceMapping": {"BatchSize": 50, "MaximumBatchingWindowInSeconds": 2}})", "sqs", Mode::kPoll);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->event_source_mapping["BatchSize"], 50);
  EXPECT_EQ(std::find(r->defaulted.begin(), r->defaulted.end(), "eventSourceMapping.BatchSize"), r->defaulted.end());
}

TEST(Scenario, FifoBatchSizeElevenIsRefused) {
  const std::string m = error_of(resolve(R"({"eventSourceMapping": {"BatchSize": 11}})", "sqs-fifo", Mode::kPoll));
  EXPECT_TRUE(contains(m, "eventSourceMapping.BatchSize 11 is out of range for sqs-fifo: 1–10")) << m;
  EXPECT_TRUE(resolve(R"({"eventSourceMapping": {"BatchSize": 10}})", "sqs-fifo", Mode::kPoll).ok());
}

TEST(Scenario, SqsBatchSizeElevenNeedsABatchingWindow) {
  const std::string m = error_of(resolve(R"({"eventSourceMapping": {"BatchSize": 11}})", "sqs", Mode::kPoll));
  EXPECT_TRUE(contains(m, "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")) << m;
  const std::string z = error_of(
      resolve(R"({"eventSourceMapping": {"BatchSize": 11, "MaximumBatchingWindowInSeconds": 0}})", "sqs", Mode::kPoll));
  EXPECT_TRUE(contains(z, "Maximum batch window in seconds must be greater than 0")) << z;
  auto ok = resolve(R"({"eventSourceMapping": {"BatchSize": 11, "MaximumBatchingWindowInSeconds": 1}})", "sqs", Mode::kPoll);
  EXPECT_TRUE(ok.ok()) << error_of(ok);
  // The rule is SQS's: Kinesis takes 100 records with no window by default (SEMANTICS.md §3).
  EXPECT_TRUE(resolve(R"({"eventSourceMapping": {"BatchSize": 500}})", "kinesis", Mode::kPoll).ok());
}

TEST(Scenario, VisibilityTimeoutBelowFunctionTimeoutIsRefused) {
  const std::string m = error_of(
      resolve(R"({"function": {"Timeout": 60}, "queue": {"VisibilityTimeout": 30}})", "sqs", Mode::kPoll));
  EXPECT_TRUE(contains(m, "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds")) << m;
  // The queue's default (30 s) counts too.
  const std::string d = error_of(resolve(R"({"function": {"Timeout": 31}})", "sqs", Mode::kPoll));
  EXPECT_TRUE(contains(d, "Queue visibility timeout: 30 seconds is less than Function timeout: 31 seconds")) << d;
  EXPECT_TRUE(contains(d, "defaulted")) << d;
  EXPECT_TRUE(resolve(R"({"function": {"Timeout": 60}, "queue": {"VisibilityTimeout": 60}})", "sqs", Mode::kPoll).ok());
}

TEST(Scenario, InferSourceFromServices) {
  EXPECT_EQ(infer_source(Json::parse(R"({"Service": "sns.amazonaws.com"})")), "sns");
  EXPECT_EQ(infer_source(Json::parse(R"({"Service": "s3.amazonaws.com"})")), "s3");
  EXPECT_EQ(infer_source(Json::parse(R"({"Service": "events.amazonaws.com"})")), "eventbridge");
  EXPECT_EQ(infer_source(Json::parse(R"({"Service": "logs.amazonaws.com"})")), "cloudwatch-logs");
  EXPECT_EQ(infer_source(Json::parse(R"({"Service": "cognito-idp.amazonaws.com"})")), "cognito-user-pool");
  EXPECT_EQ(infer_source(Json::parse(R"({"Service": "iot.amazonaws.com"})")), "iot");
  EXPECT_EQ(infer_source(Json::parse(R"({"Service": "elasticloadbalancing.amazonaws.com"})")), "alb");
  // API Gateway serves several sources: REST by default, HTTP API when payload 2.0 is said.
  EXPECT_EQ(infer_source(Json::parse(R"({"PushEventSources": [{"Service": "apigateway.amazonaws.com", "ApiId": "a"}]})")),
            "apigw-rest");
  EXPECT_EQ(infer_source(Json::parse(
                R"({"PushEventSources": [{"Service": "apigateway.amazonaws.com", "PayloadFormatVersion": "2.0"}]})")),
            "apigw-http");
  EXPECT_EQ(infer_source(Json::parse(R"({"Service": "lambda.amazonaws.com"})")), "");
  EXPECT_EQ(infer_source(Json::parse(R"({"source": "sqs"})")), "");
}

TEST(Scenario, InferSourceFromArns) {
  auto from_arn = [](const std::string& arn) {
    return infer_source(Json{{"eventSourceMapping", {{"EventSourceArn", arn}}}});
  };
  EXPECT_EQ(from_arn("arn:aws:sqs:us-east-1:123456789012:orders"), "sqs");
  EXPECT_EQ(from_arn("arn:aws:sqs:us-east-1:123456789012:orders.fifo"), "sqs-fifo");
  EXPECT_EQ(from_arn("arn:aws:kinesis:us-east-1:123456789012:stream/clicks"), "kinesis");
  EXPECT_EQ(from_arn("arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2024-01-01T00:00:00.000"), "dynamodb-streams");
  EXPECT_EQ(from_arn("arn:aws:kafka:us-east-1:123456789012:cluster/c/abc"), "kafka-msk");
  EXPECT_EQ(from_arn("arn:aws:mq:us-east-1:123456789012:broker:b:b-1"), "mq-activemq");
  EXPECT_EQ(from_arn("arn:aws:mq:us-east-1:123456789012:broker:rabbitmq-orders:b-1"), "mq-rabbitmq");
  EXPECT_EQ(from_arn("arn:aws:rds:us-east-1:123456789012:cluster:docs"), "documentdb");
  EXPECT_EQ(from_arn("not-an-arn"), "");
  EXPECT_EQ(infer_source(Json::parse(
                R"({"PullEventSources": {"EventSourceMapping": {"SelfManagedEventSource": {"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["b:9092"]}}}}})")),
            "kafka-self-managed");
  EXPECT_EQ(infer_source(Json::parse(R"({"Service": "sqs.amazonaws.com", "SourceArn": "arn:aws:sqs:us-east-1:1:q.fifo"})")),
            "sqs-fifo");
}

TEST(Scenario, ParseFillsTheInferredSource) {
  auto r = parse(R"({"PullEventSources": {"EventSourceMapping": {"EventSourceArn": "arn:aws:sqs:eu-west-1:111122223333:q"}}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->source, "sqs");
  EXPECT_TRUE(r->source_inferred);
  EXPECT_EQ(r->esm_label, "PullEventSources.EventSourceMapping");
  // The function lives where its queue does.
  EXPECT_EQ(r->function.region, "eu-west-1");
  EXPECT_EQ(r->function.account, "111122223333");
}

TEST(Scenario, EventSourceDefinitionFileLoadsAndResolves) {
  auto r = resolve(R"({
    "PushEventSources": [{"Service": "elasticloadbalancing.amazonaws.com", "TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1"}],
    "PullEventSources": {"EventSourceMapping": {"EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q",
      "FunctionName": "MyLambdaFunction", "BatchSize": 10, "MaximumBatchingWindowInSeconds": 60}}})",
                   "sqs", Mode::kPoll);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Json j = r->to_json();
  EXPECT_EQ(j["eventSourceMapping"]["MaximumBatchingWindowInSeconds"], 60);
  EXPECT_EQ(j["function"]["FunctionName"], "MyLambdaFunction");
  EXPECT_EQ(j["function"]["FunctionArn"], "arn:aws:lambda:us-east-1:123456789012:function:MyLambdaFunction");
  EXPECT_EQ(j["PushEventSources"].size(), 1u);
  // Errors in a definition file name the key where it is.
  const std::string m = error_of(resolve(R"({"PullEventSources": {"EventSourceMapping": {"BatchSize": 0}}})", "sqs", Mode::kPoll));
  EXPECT_TRUE(contains(m, "PullEventSources.EventSourceMapping.BatchSize 0 is out of range for sqs: 1–10000")) << m;
  const std::string u = error_of(parse(R"({"PullEventSources": {"EventSourceMapping": {"BatchSze": 1}}})"));
  EXPECT_TRUE(contains(u, "/PullEventSources/EventSourceMapping/BatchSze")) << u;
  const std::string s = error_of(parse(R"({"PushEventSources": [{"ApiId": "x"}]})"));
  EXPECT_TRUE(contains(s, "PushEventSources[0].Service is required")) << s;
}

TEST(Scenario, UnsimulatedKeysAreRefusedByName) {
  const std::string m = error_of(parse(R"({"eventSourceMapping": {"ProvisionedPollerConfig": {"MinimumPollers": 2}}})"));
  EXPECT_TRUE(contains(m, "t.json: eventSourceMapping.ProvisionedPollerConfig is not simulated by evh")) << m;
  EXPECT_TRUE(contains(error_of(parse(R"({"function": {"SnapStart": {"ApplyOn": "PublishedVersions"}}})")),
                       "function.SnapStart is not simulated by evh"));
  EXPECT_TRUE(contains(error_of(parse(R"({"function": {"VpcConfig": {}}})")), "function.VpcConfig is not simulated by evh"));
  EXPECT_TRUE(contains(error_of(parse(R"({"queue": {"DelaySeconds": 5}})")), "queue.DelaySeconds is not simulated by evh"));
  EXPECT_TRUE(contains(
      error_of(parse(R"({"eventSourceMapping": {"AmazonManagedKafkaEventSourceConfig": {"SchemaRegistryConfig": {}}}})")),
      "eventSourceMapping.AmazonManagedKafkaEventSourceConfig.SchemaRegistryConfig is not simulated by evh"));
}

TEST(Scenario, EchoedKeysAreAcceptedAndEchoed) {
  auto r = resolve(R"({"function": {"Runtime": "nodejs20.x", "Role": "arn:aws:iam::1:role/r", "Handler": "app.handler"},
                       "eventSourceMapping": {"Tags": {"team": "a"}, "KMSKeyArn": "arn:aws:kms:us-east-1:1:key/k"}})",
                   "sqs", Mode::kPoll);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Json j = r->to_json();
  EXPECT_EQ(j["function"]["Runtime"], "nodejs20.x");
  EXPECT_EQ(j["function"]["Handler"], "app.handler");
  EXPECT_EQ(j["eventSourceMapping"]["Tags"]["team"], "a");
}

TEST(Scenario, OnSuccessDestinationOnAMappingIsRefused) {
  const std::string m = error_of(parse(
      R"({"eventSourceMapping": {"DestinationConfig": {"OnSuccess": {"Destination": "arn:aws:sqs:us-east-1:1:ok"}}}})"));
  EXPECT_TRUE(contains(m, "eventSourceMapping.DestinationConfig.OnSuccess: Unsupported DestinationConfig parameter for given event source mapping type.")) << m;
  // OnFailure is fine for a stream, not for a queue (its DLQ is the redrive policy).
  const std::string on_failure = R"({"eventSourceMapping": {"DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:1:dlq"}}}})";
  EXPECT_TRUE(resolve(on_failure, "kinesis", Mode::kPoll).ok());
  const std::string q = error_of(resolve(on_failure, "sqs", Mode::kPoll));
  EXPECT_TRUE(contains(q, "Unsupported DestinationConfig parameter")) << q;
  EXPECT_TRUE(contains(q, "queue.RedrivePolicy")) << q;
  const std::string lambda = error_of(resolve(
      R"({"eventSourceMapping": {"DestinationConfig": {"OnFailure": {"Destination": "arn:aws:lambda:us-east-1:1:function:f"}}}})",
      "kinesis", Mode::kPoll));
  EXPECT_TRUE(contains(lambda, "must be an SQS queue, SNS topic or S3 bucket for kinesis")) << lambda;
  EXPECT_TRUE(resolve(R"({"eventSourceMapping": {"DestinationConfig": {"OnFailure": {"Destination": "kafka://failed"}}}})",
                      "kafka-msk", Mode::kPoll)
                  .ok());
}

TEST(Scenario, EventInvokeConfigRangesAndAwsMessages) {
  const std::string r3 = error_of(parse(R"({"eventInvokeConfig": {"MaximumRetryAttempts": 3}})"));
  EXPECT_TRUE(contains(r3, "eventInvokeConfig.MaximumRetryAttempts 3 is out of range: 0–2")) << r3;
  const std::string a = error_of(parse(R"({"eventInvokeConfig": {"MaximumEventAgeInSeconds": 59}})"));
  EXPECT_TRUE(contains(a, "eventInvokeConfig.MaximumEventAgeInSeconds 59 is out of range: 60–21600")) << a;
  const std::string e = error_of(parse(R"({"eventInvokeConfig": {}})"));
  EXPECT_TRUE(contains(e, "You must specify at least one of error handling or destination setting.")) << e;
  const std::string self = error_of(parse(R"({"function": {"FunctionName": "orders"},
      "eventInvokeConfig": {"DestinationConfig": {"OnFailure": {"Destination": "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST"}}}})"));
  EXPECT_TRUE(contains(self, "You can't specify the function as a destination for itself.")) << self;
  const std::string s3 = error_of(parse(
      R"({"eventInvokeConfig": {"DestinationConfig": {"OnSuccess": {"Destination": "arn:aws:s3:::bucket"}}}})"));
  EXPECT_TRUE(contains(s3, "S3 buckets take failures only")) << s3;
  // Defaults are filled in async mode, even without the block.
  auto r = resolve("{}", "s3", Mode::kAsync);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->event_invoke_config["MaximumRetryAttempts"], 2);
  EXPECT_EQ(r->event_invoke_config["MaximumEventAgeInSeconds"], 21600);
  EXPECT_EQ(r->to_json()["invocationType"], "Event");
  auto zero = resolve(R"({"eventInvokeConfig": {"MaximumRetryAttempts": 0}})", "sns", Mode::kAsync);
  ASSERT_TRUE(zero.ok()) << zero.error().message;
  EXPECT_EQ(zero->event_invoke_config["MaximumRetryAttempts"], 0);
}

TEST(Scenario, BlocksOutsideTheirModeAreRefused) {
  const std::string esm = error_of(resolve(R"({"eventSourceMapping": {"BatchSize": 5}})", "sqs", Mode::kSync));
  EXPECT_TRUE(contains(esm, "eventSourceMapping is only used in poll mode")) << esm;
  const std::string eic = error_of(resolve(R"({"eventInvokeConfig": {"MaximumRetryAttempts": 1}})", "sqs", Mode::kPoll));
  EXPECT_TRUE(contains(eic, "eventInvokeConfig is only used in async mode")) << eic;
  const std::string q = error_of(resolve(R"({"queue": {"VisibilityTimeout": 60}})", "kinesis", Mode::kPoll));
  EXPECT_TRUE(contains(q, "queue is only used in poll mode with a poll-queue source")) << q;
  const std::string dlq = error_of(resolve(
      R"({"function": {"DeadLetterConfig": {"TargetArn": "arn:aws:sqs:us-east-1:1:dlq"}}})", "sqs", Mode::kPoll));
  EXPECT_TRUE(contains(dlq, "function.DeadLetterConfig is only used for async invokes")) << dlq;
  EXPECT_TRUE(contains(dlq, "queue.RedrivePolicy")) << dlq;
  EXPECT_TRUE(resolve(R"({"function": {"DeadLetterConfig": {"TargetArn": "arn:aws:sqs:us-east-1:1:dlq"}}})", "s3", Mode::kAsync).ok());
  const std::string it = error_of(resolve(R"({"invocationType": "Event"})", "apigw-http", Mode::kSync));
  EXPECT_TRUE(contains(it, "invocationType Event does not fit mode sync")) << it;
  EXPECT_TRUE(resolve(R"({"invocationType": "DryRun"})", "apigw-http", Mode::kSync).ok());
}

TEST(Scenario, ModeMustFitTheSource) {
  auto poll_s3 = resolve("{}", "s3", Mode::kPoll);
  ASSERT_FALSE(poll_s3.ok());
  EXPECT_EQ(poll_s3.error().code, ErrorCode::kUsage);
  EXPECT_TRUE(contains(error_of(poll_s3), "mode poll needs a polled source")) << poll_s3.error().message;
  // Any source can be invoked directly, synchronously or as an Event.
  EXPECT_TRUE(resolve("{}", "sqs", Mode::kSync).ok());
  EXPECT_TRUE(resolve("{}", "apigw-rest", Mode::kAsync).ok());
  EXPECT_EQ(default_mode(source("sqs")), Mode::kPoll);
  EXPECT_EQ(default_mode(source("s3")), Mode::kAsync);
  EXPECT_EQ(default_mode(source("apigw-http")), Mode::kSync);
}

TEST(Scenario, StreamParameterRangesAreEnforced) {
  auto err = [](const std::string& esm, std::string_view id) {
    return error_of(resolve("{\"eventSourceMapping\": " + esm + "}", id, Mode::kPoll));
  };
  EXPECT_TRUE(contains(err(R"({"MaximumRecordAgeInSeconds": 30})", "kinesis"),
                       "eventSourceMapping.MaximumRecordAgeInSeconds 30 is out of range for kinesis: -1 (no limit) or 60–604800"));
  EXPECT_EQ(err(R"({"MaximumRecordAgeInSeconds": -1})", "kinesis"), "");
  EXPECT_EQ(err(R"({"MaximumRecordAgeInSeconds": 604800})", "kinesis"), "");
  EXPECT_TRUE(contains(err(R"({"ParallelizationFactor": 11})", "kinesis"),
                       "eventSourceMapping.ParallelizationFactor 11 is out of range for kinesis: 1–10"));
  EXPECT_TRUE(contains(err(R"({"TumblingWindowInSeconds": 901})", "dynamodb-streams"),
                       "eventSourceMapping.TumblingWindowInSeconds 901 is out of range for dynamodb-streams: 0–900"));
  EXPECT_TRUE(contains(err(R"({"MaximumRetryAttempts": -2})", "kinesis"),
                       "eventSourceMapping.MaximumRetryAttempts -2 is out of range for kinesis: -1–10000"));
  EXPECT_TRUE(contains(err(R"({"MaximumBatchingWindowInSeconds": 301})", "kinesis"), "0–300"));
  EXPECT_TRUE(contains(err(R"({"StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": 1700000000})", "dynamodb-streams"),
                       "StartingPosition AT_TIMESTAMP does not apply to dynamodb-streams"));
  EXPECT_EQ(err(R"({"StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": 1700000000})", "kinesis"), "");
  EXPECT_TRUE(contains(err(R"({"StartingPosition": "AT_TIMESTAMP"})", "kinesis"), "needs eventSourceMapping.StartingPositionTimestamp"));
  EXPECT_TRUE(contains(err(R"({"StartingPosition": "EARLIEST"})", "kinesis"), "must be one of TRIM_HORIZON, LATEST, AT_TIMESTAMP"));
  EXPECT_TRUE(contains(err(R"({"FunctionResponseTypes": ["ReportBatchFailures"]})", "kinesis"), "holds at most one value"));
}

TEST(Scenario, KeysOfOtherSourcesAreRefused) {
  auto err = [](const std::string& esm, std::string_view id) {
    return error_of(resolve("{\"eventSourceMapping\": " + esm + "}", id, Mode::kPoll));
  };
  EXPECT_TRUE(contains(err(R"({"ParallelizationFactor": 2})", "sqs"), "eventSourceMapping.ParallelizationFactor does not apply to sqs"));
  EXPECT_TRUE(contains(err(R"({"StartingPosition": "LATEST"})", "sqs"), "eventSourceMapping.StartingPosition does not apply to sqs"));
  EXPECT_TRUE(contains(err(R"({"MaximumBatchingWindowInSeconds": 5})", "sqs-fifo"),
                       "eventSourceMapping.MaximumBatchingWindowInSeconds does not apply to sqs-fifo"));
  EXPECT_EQ(err(R"({"MaximumBatchingWindowInSeconds": 0})", "sqs-fifo"), "");
  EXPECT_TRUE(contains(err(R"({"ScalingConfig": {"MaximumConcurrency": 5}})", "kinesis"), "ScalingConfig does not apply to kinesis"));
  EXPECT_TRUE(contains(err(R"({"ScalingConfig": {"MaximumConcurrency": 1}})", "sqs"),
                       "ScalingConfig.MaximumConcurrency 1 is out of range for sqs: 2–1000"));
  EXPECT_TRUE(contains(err(R"({"FunctionResponseTypes": ["ReportBatchItemFailures"]})", "mq-activemq"),
                       "FunctionResponseTypes does not apply to mq-activemq"));
  EXPECT_TRUE(contains(err(R"({"FilterCriteria": {"Filters": []}})", "documentdb"), "FilterCriteria does not apply to documentdb"));
  EXPECT_TRUE(contains(err(R"({"Topics": ["t"]})", "sqs"), "Topics does not apply to sqs"));
  EXPECT_EQ(err(R"({"Topics": ["t"]})", "kafka-msk"), "");
}

TEST(Scenario, FilterCriteriaShapeAndLimits) {
  auto filters = [](int n, const std::string& pattern) {
    Json f = Json::array();
    for (int i = 0; i < n; ++i) f.push_back({{"Pattern", pattern}});
    return parse_scenario(Json{{"eventSourceMapping", {{"FilterCriteria", {{"Filters", f}}}}}}, "t.json");
  };
  EXPECT_TRUE(filters(5, R"({"body": {"a": [1]}})").ok());
  EXPECT_TRUE(contains(error_of(filters(6, "{}")), "has 6 filters; at most 5"));
  EXPECT_TRUE(contains(error_of(filters(1, R"("body")")),
                       "eventSourceMapping.FilterCriteria.Filters[0].Pattern is not a JSON object: Invalid filter pattern definition."));
  EXPECT_TRUE(contains(error_of(filters(1, "{oops")), "Invalid filter pattern definition."));
  const std::string big = "{\"body\": [\"" + std::string(4100, 'x') + "\"]}";
  EXPECT_TRUE(contains(error_of(filters(1, big)), "characters; at most 4096"));
  EXPECT_TRUE(parse(R"({"eventSourceMapping": {"FilterCriteria": {}}})").ok());
}

TEST(Scenario, QueueMustAgreeWithTheSource) {
  const std::string fifo = error_of(resolve(R"({"queue": {"FifoQueue": true}})", "sqs", Mode::kPoll));
  EXPECT_TRUE(contains(fifo, "queue.FifoQueue true does not fit source sqs")) << fifo;
  const std::string std_q = error_of(resolve(R"({"queue": {"FifoQueue": false}})", "sqs-fifo", Mode::kPoll));
  EXPECT_TRUE(contains(std_q, "queue.FifoQueue false does not fit source sqs-fifo")) << std_q;
  const std::string arn = error_of(
      resolve(R"({"eventSourceMapping": {"EventSourceArn": "arn:aws:sqs:us-east-1:1:orders"}})", "sqs-fifo", Mode::kPoll));
  EXPECT_TRUE(contains(arn, "belongs to source sqs, but this run's source is sqs-fifo")) << arn;
  auto ok = resolve(R"({"queue": {"FifoQueue": true, "ContentBasedDeduplication": true}})", "sqs-fifo", Mode::kPoll);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->queue["FifoQueue"], true);
  const std::string dlq = error_of(resolve(
      R"({"queue": {"RedrivePolicy": {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:1:dlq", "maxReceiveCount": 5}}})", "sqs-fifo",
      Mode::kPoll));
  EXPECT_TRUE(contains(dlq, "must be a FIFO queue")) << dlq;
  EXPECT_TRUE(contains(error_of(parse(R"({"queue": {"RedrivePolicy": {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:1:d", "maxReceiveCount": 0}}})")),
                       "queue.RedrivePolicy.maxReceiveCount 0 is out of range: 1–1000"));
  EXPECT_TRUE(contains(error_of(parse(R"({"queue": {"VisibilityTimeout": 43201}})")), "queue.VisibilityTimeout 43201 is out of range: 0–43200"));
}

TEST(Scenario, QueueAcceptsSqsAttributeStrings) {
  auto r = resolve(R"({"queue": {"VisibilityTimeout": "120", "FifoQueue": "false",
                                 "RedrivePolicy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:1:dlq\",\"maxReceiveCount\":\"5\"}"}})",
                   "sqs", Mode::kPoll);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->queue["VisibilityTimeout"], 120);
  EXPECT_EQ(r->queue["FifoQueue"], false);
  EXPECT_EQ(r->queue["RedrivePolicy"]["maxReceiveCount"], 5);
  EXPECT_TRUE(contains(error_of(parse(R"({"queue": {"VisibilityTimeout": "soon"}})")), "queue.VisibilityTimeout must be an integer"));
}

TEST(Scenario, FunctionBlockRangesAndNames) {
  EXPECT_TRUE(contains(error_of(parse(R"({"function": {"Timeout": 901}})")), "function.Timeout 901 is out of range: 1–900"));
  EXPECT_TRUE(contains(error_of(parse(R"({"function": {"MemorySize": 64}})")), "function.MemorySize 64 is out of range: 128–10240"));
  EXPECT_TRUE(contains(error_of(parse(R"({"function": {"ReservedConcurrentExecutions": -1}})")),
                       "function.ReservedConcurrentExecutions -1 is out of range"));
  EXPECT_TRUE(contains(error_of(parse(R"({"function": {"FunctionName": "bad name"}})")), "a function name is 1–64"));
  EXPECT_TRUE(contains(error_of(parse(R"({"function": {"Environment": {"Variables": {"AWS_REGION": "x"}}}})")),
                       "function.Environment.Variables.AWS_REGION is reserved"));
  auto r = parse(R"({"function": {"FunctionName": "arn:aws:lambda:eu-central-1:210987654321:function:orders", "Timeout": 30,
                                  "MemorySize": 512, "ReservedConcurrentExecutions": 0, "Environment": {"Variables": {"STAGE": "test"}}}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->function.name, "orders");
  EXPECT_EQ(r->function.region, "eu-central-1");
  EXPECT_EQ(r->function.account, "210987654321");
  EXPECT_EQ(r->function.timeout, std::chrono::seconds(30));
  EXPECT_EQ(r->function.memory_mb, 512);
  EXPECT_EQ(r->reserved_concurrency, 0);
  EXPECT_EQ(r->environment.at("STAGE"), "test");
  const std::string other = error_of(parse(R"({"function": {"FunctionName": "a"}, "eventSourceMapping": {"FunctionName": "b"}})"));
  EXPECT_TRUE(contains(other, "eventSourceMapping.FunctionName \"b\" is another function than function.FunctionName \"a\"")) << other;
}

TEST(Scenario, EvhRunKeysAreRead) {
  auto r = parse(R"({"source": "sqs", "mode": "poll", "target": "builtin:sqs-partial", "cases": 20, "seed": 7,
                     "mutate": "legal", "faults": "duplicate-delivery=0.2", "description": "x"})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->source, "sqs");
  EXPECT_FALSE(r->source_inferred);
  EXPECT_EQ(r->mode, Mode::kPoll);
  EXPECT_EQ(r->target, "builtin:sqs-partial");
  EXPECT_EQ(r->cases, 20u);
  EXPECT_EQ(r->seed, 7u);
  EXPECT_EQ(r->mutate, "legal");
  EXPECT_EQ(r->faults, "duplicate-delivery=0.2");
  EXPECT_TRUE(contains(error_of(parse(R"({"mutate": "some"})")), "mutate \"some\" must be none, legal, illegal or any"));
  EXPECT_TRUE(contains(error_of(parse(R"({"cases": 0})")), "cases 0 must be at least 1"));
  EXPECT_TRUE(contains(error_of(parse(R"({"BatchSize": 10})")), "it belongs in \"eventSourceMapping\""));
}

TEST(Scenario, EveryExampleLoadsAndResolves) {
  const fs::path dir = fs::path(EVH_SOURCE_DIR) / "examples" / "scenarios";
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    ++seen;
    SCOPED_TRACE(entry.path().string());
    auto sc = load_scenario(entry.path().string());
    ASSERT_TRUE(sc.ok()) << sc.error().message;
    ASSERT_FALSE(sc->source.empty()) << "names or implies no source";
    const Source& src = source(sc->source);
    const Mode mode = sc->mode ? *sc->mode : default_mode(src);
    auto st = resolve_scenario(*sc, src, mode);
    ASSERT_TRUE(st.ok()) << st.error().message;
    // The echo is a complete, resolved configuration.
    const Json j = sc->to_json();
    EXPECT_EQ(j["source"], src.id);
    EXPECT_TRUE(j["function"].contains("Timeout"));
  }
  EXPECT_GE(seen, 6);
}

}  // namespace
}  // namespace evh::harness
