// The scenario's "stream" block (ShardCount, NumPartitions, RetentionPeriodHours, read from each
// source's delivery block) and evh's "workload" block (the poll-mode producer), including values
// set from command-line flags (docs/scenario.md; SEMANTICS.md §3).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "generators/catalog.h"
#include "harness/scenario.h"

namespace evh::harness {
namespace {

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

// Resolves an already parsed scenario; returns it or the first error.
Result<Scenario> resolve_parsed(Scenario sc, std::string_view id, Mode mode) {
  auto st = resolve_scenario(sc, source(id), mode);
  if (!st) return st.error();
  return sc;
}

// Parses and resolves; returns the scenario or the first error.
Result<Scenario> resolve(std::string_view text, std::string_view id, Mode mode = Mode::kPoll) {
  auto sc = parse(text);
  if (!sc) return sc.error();
  return resolve_parsed(std::move(*sc), id, mode);
}

// The error message of a failed result ("" when it succeeded), checked to be one line of kConfig.
template <typename T>
std::string error_of(const Result<T>& r) {
  if (r.ok()) return "";
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().code, ErrorCode::kConfig) << r.error().message;
  return r.error().message;
}

bool contains(const std::string& hay, std::string_view needle) { return hay.find(needle) != std::string::npos; }

bool defaulted(const Scenario& sc, std::string_view name) {
  return std::find(sc.defaulted.begin(), sc.defaulted.end(), name) != sc.defaulted.end();
}

std::vector<std::string> defaulted_in(const Scenario& sc, std::string_view block) {
  std::vector<std::string> out;
  const std::string prefix = std::string(block) + ".";
  for (const auto& d : sc.defaulted)
    if (d.rfind(prefix, 0) == 0) out.push_back(d);
  return out;
}

// ---- stream ------------------------------------------------------------------------------

TEST(ScenarioStream, ShardCountDefaultsToFourForKinesis) {
  auto r = resolve("{}", "kinesis");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->stream, (Json{{"ShardCount", 4}, {"RetentionPeriodHours", 24}}));
  EXPECT_EQ(defaulted_in(*r, "stream"), (std::vector<std::string>{"stream.ShardCount", "stream.RetentionPeriodHours"}));
}

TEST(ScenarioStream, DefaultsComeFromEachSourcesDeliveryBlock) {
  struct Row {
    const char* source;
    Json stream;
  };
  const Row rows[] = {
      {"kinesis", {{"ShardCount", 4}, {"RetentionPeriodHours", 24}}},
      {"dynamodb-streams", {{"ShardCount", 1}, {"RetentionPeriodHours", 24}}},
      {"kafka-msk", {{"NumPartitions", 1}, {"RetentionPeriodHours", 168}}},
      {"kafka-self-managed", {{"NumPartitions", 1}, {"RetentionPeriodHours", 168}}},
      {"documentdb", {{"RetentionPeriodHours", 3}}},
      {"mq-activemq", Json::object()},
      {"mq-rabbitmq", Json::object()},
  };
  for (const auto& row : rows) {
    auto r = resolve("{}", row.source);
    ASSERT_TRUE(r.ok()) << row.source << ": " << r.error().message;
    EXPECT_EQ(r->stream, row.stream) << row.source;
    EXPECT_EQ(defaulted_in(*r, "stream").size(), row.stream.size()) << row.source;
  }
}

TEST(ScenarioStream, AmazonMqHasNoStreamInTheEcho) {
  auto r = resolve("{}", "mq-rabbitmq");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->to_json().contains("stream"));
}

TEST(ScenarioStream, NoStreamForQueuesOrOutsidePollMode) {
  auto sqs = resolve("{}", "sqs");
  ASSERT_TRUE(sqs.ok()) << sqs.error().message;
  EXPECT_TRUE(sqs->stream.empty());
  auto sync = resolve("{}", "kinesis", Mode::kSync);
  ASSERT_TRUE(sync.ok()) << sync.error().message;
  EXPECT_TRUE(sync->stream.empty());
  EXPECT_TRUE(defaulted_in(*sync, "stream").empty());
}

TEST(ScenarioStream, GivenValuesAreKeptAndNotListedAsDefaulted) {
  auto r = resolve(R"({"stream": {"ShardCount": 8, "RetentionPeriodHours": 168}})", "kinesis");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->stream, (Json{{"ShardCount", 8}, {"RetentionPeriodHours", 168}}));
  EXPECT_TRUE(defaulted_in(*r, "stream").empty());
  auto k = resolve(R"({"stream": {"NumPartitions": 12}})", "kafka-msk");
  ASSERT_TRUE(k.ok()) << k.error().message;
  EXPECT_EQ(k->stream["NumPartitions"], 12);
  EXPECT_EQ(defaulted_in(*k, "stream"), (std::vector<std::string>{"stream.RetentionPeriodHours"}));
}

TEST(ScenarioStream, ResolvedBlockIsEchoed) {
  auto r = resolve(R"({"stream": {"ShardCount": 2}})", "dynamodb-streams");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Json j = r->to_json();
  EXPECT_EQ(j["stream"], (Json{{"ShardCount", 2}, {"RetentionPeriodHours", 24}}));
  const auto& d = j["defaulted"];
  EXPECT_NE(std::find(d.begin(), d.end(), Json("stream.RetentionPeriodHours")), d.end()) << d.dump();
}

TEST(ScenarioStream, ShardCountAndNumPartitionsOutsideTheirRangesAreRefused) {
  struct Row {
    const char* source;
    const char* text;
    const char* message;  // "" = accepted
  };
  const Row rows[] = {
      {"kinesis", R"({"stream": {"ShardCount": 0}})", "t.json: stream.ShardCount 0 is out of range: 1–500"},
      {"kinesis", R"({"stream": {"ShardCount": 501}})", "t.json: stream.ShardCount 501 is out of range: 1–500"},
      {"kinesis", R"({"stream": {"ShardCount": 1}})", ""},
      {"kinesis", R"({"stream": {"ShardCount": 500}})", ""},
      {"dynamodb-streams", R"({"stream": {"ShardCount": 501}})", "stream.ShardCount 501 is out of range: 1–500"},
      {"kafka-msk", R"({"stream": {"NumPartitions": 0}})", "t.json: stream.NumPartitions 0 is out of range: 1–1000"},
      {"kafka-self-managed", R"({"stream": {"NumPartitions": 1001}})", "stream.NumPartitions 1001 is out of range: 1–1000"},
      {"kafka-msk", R"({"stream": {"NumPartitions": 1000}})", ""},
  };
  for (const auto& row : rows) {
    const std::string m = error_of(resolve(row.text, row.source));
    if (*row.message == '\0')
      EXPECT_EQ(m, "") << row.source << " " << row.text;
    else
      EXPECT_TRUE(contains(m, row.message)) << row.source << " " << row.text << ": " << m;
  }
}

TEST(ScenarioStream, ShardCountRangeIsCheckedWhenTheFileIsRead) {
  const std::string m = error_of(parse(R"({"stream": {"ShardCount": 501}})"));
  EXPECT_TRUE(contains(m, "t.json: stream.ShardCount 501 is out of range: 1–500")) << m;
}

TEST(ScenarioStream, KeysOfAnotherLogAreRefusedWithAHint) {
  struct Row {
    const char* source;
    const char* text;
    const char* message;
  };
  const Row rows[] = {
      {"kafka-msk", R"({"stream": {"ShardCount": 3}})",
       "t.json: stream.ShardCount does not apply to kafka-msk: it reads Kafka topic partitions (use stream.NumPartitions)"},
      {"kinesis", R"({"stream": {"NumPartitions": 3}})",
       "t.json: stream.NumPartitions does not apply to kinesis: it reads a sharded stream (use stream.ShardCount)"},
      {"dynamodb-streams", R"({"stream": {"NumPartitions": 3}})", "stream.NumPartitions does not apply to dynamodb-streams"},
      {"documentdb", R"({"stream": {"ShardCount": 3}})", "stream.ShardCount does not apply to documentdb: it reads a change stream"},
      {"documentdb", R"({"stream": {"NumPartitions": 3}})", "stream.NumPartitions does not apply to documentdb: it reads a change stream"},
  };
  for (const auto& row : rows) {
    const std::string m = error_of(resolve(row.text, row.source));
    EXPECT_TRUE(contains(m, row.message)) << row.source << ": " << m;
  }
}

TEST(ScenarioStream, WholeBlockIsRefusedForAmazonMq) {
  for (const char* id : {"mq-activemq", "mq-rabbitmq"}) {
    for (const char* text : {R"({"stream": {"RetentionPeriodHours": 24}})", R"({"stream": {"ShardCount": 2}})"}) {
      const std::string m = error_of(resolve(text, id));
      EXPECT_TRUE(contains(m, std::string("t.json: stream does not apply to ") + id +
                                  ": it reads a broker queue, which has no shards, partitions or retention to set"))
          << m;
    }
  }
}

TEST(ScenarioStream, RefusedForSourcesWithoutAStreamAndOutsidePollMode) {
  const std::string q = error_of(resolve(R"({"stream": {"ShardCount": 2}})", "sqs"));
  EXPECT_TRUE(contains(q, "t.json: stream is only used in poll mode with a poll-stream or poll-broker source (this run is poll with sqs)"))
      << q;
  const std::string s = error_of(resolve(R"({"stream": {"ShardCount": 2}})", "kinesis", Mode::kSync));
  EXPECT_TRUE(contains(s, "stream is only used in poll mode with a poll-stream or poll-broker source (this run is sync with kinesis)"))
      << s;
  const std::string a = error_of(resolve(R"({"stream": {"ShardCount": 2}})", "sns", Mode::kAsync));
  EXPECT_TRUE(contains(a, "(this run is async with sns)")) << a;
}

TEST(ScenarioStream, RetentionIsCheckedAgainstEachSourcesRange) {
  struct Row {
    const char* source;
    int hours;
    const char* message;  // "" = accepted
  };
  const Row rows[] = {
      {"kinesis", 23, "t.json: stream.RetentionPeriodHours 23 is out of range for kinesis: 24–8760"},
      {"kinesis", 8761, "stream.RetentionPeriodHours 8761 is out of range for kinesis: 24–8760"},
      {"kinesis", 24, ""},
      {"kinesis", 8760, ""},
      {"kafka-msk", 0, "stream.RetentionPeriodHours 0 is out of range for kafka-msk: 1–87600"},
      {"kafka-self-managed", 87601, "stream.RetentionPeriodHours 87601 is out of range for kafka-self-managed: 1–87600"},
      {"kafka-msk", 1, ""},
      {"documentdb", 169, "stream.RetentionPeriodHours 169 is out of range for documentdb: 1–168"},
      {"documentdb", 0, "stream.RetentionPeriodHours 0 is out of range for documentdb: 1–168"},
      {"documentdb", 168, ""},
      {"dynamodb-streams", 24, ""},
  };
  for (const auto& row : rows) {
    const std::string text = R"({"stream": {"RetentionPeriodHours": )" + std::to_string(row.hours) + "}}";
    auto r = resolve(text, row.source);
    const std::string m = error_of(r);
    if (*row.message == '\0') {
      ASSERT_EQ(m, "") << row.source << " " << row.hours;
      EXPECT_EQ(r->stream["RetentionPeriodHours"], row.hours);
    } else {
      EXPECT_TRUE(contains(m, row.message)) << row.source << " " << row.hours << ": " << m;
    }
  }
}

TEST(ScenarioStream, DynamoDbRetentionCannotBeChanged) {
  for (int hours : {1, 48, 168}) {
    const std::string m =
        error_of(resolve(R"({"stream": {"RetentionPeriodHours": )" + std::to_string(hours) + "}}", "dynamodb-streams"));
    EXPECT_TRUE(contains(m, "t.json: stream.RetentionPeriodHours " + std::to_string(hours) + ": ")) << m;
    EXPECT_TRUE(contains(m, "DynamoDB Streams keep records 24 hours; RetentionPeriodHours cannot be changed")) << m;
  }
}

TEST(ScenarioStream, UnknownAndMistypedKeysAreRefused) {
  const std::string typo = error_of(parse(R"({"stream": {"shardcount": 2}})"));
  EXPECT_TRUE(contains(typo, "t.json: unknown key \"shardcount\" at /stream/shardcount (did you mean \"ShardCount\"?)")) << typo;
  const std::string misplaced = error_of(parse(R"({"stream": {"records": 2}})"));
  EXPECT_TRUE(contains(misplaced, "unknown key \"records\" at /stream/records (it belongs in \"workload\")")) << misplaced;
  const std::string in_mapping = error_of(parse(R"({"eventSourceMapping": {"ShardCount": 2}})"));
  EXPECT_TRUE(contains(in_mapping, "(it belongs in \"stream\")")) << in_mapping;
  const std::string type = error_of(parse(R"({"stream": {"ShardCount": "4"}})"));
  EXPECT_TRUE(contains(type, "t.json: stream.ShardCount must be an integer, got string \"4\"")) << type;
  const std::string block = error_of(parse(R"({"stream": 4})"));
  EXPECT_TRUE(contains(block, "t.json: stream must be an object")) << block;
}

// ---- workload ----------------------------------------------------------------------------

TEST(ScenarioWorkload, AbsentOrEmptyBlockStaysEmpty) {
  for (const char* text : {"{}", R"({"workload": {}})"}) {
    auto r = resolve(text, "kinesis");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->workload.empty()) << text;
    EXPECT_TRUE(defaulted_in(*r, "workload").empty()) << text;
    EXPECT_FALSE(r->to_json().contains("workload")) << text;
  }
}

TEST(ScenarioWorkload, ArrivalDefaultsToBurstWhenTheBlockIsGiven) {
  auto r = resolve(R"({"workload": {"records": 500}})", "sqs");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->workload, (Json{{"records", 500}, {"arrival", "burst"}}));
  EXPECT_EQ(defaulted_in(*r, "workload"), (std::vector<std::string>{"workload.arrival"}));
}

TEST(ScenarioWorkload, RateDefaultsPerArrival) {
  struct Row {
    const char* text;
    double rate;
  };
  const Row rows[] = {
      {R"({"workload": {"arrival": "steady"}})", 100.0},
      {R"({"workload": {"arrival": "trickle"}})", 0.5},
  };
  for (const auto& row : rows) {
    auto r = resolve(row.text, "kinesis");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_DOUBLE_EQ(r->workload["ratePerSecond"].get<double>(), row.rate) << row.text;
    EXPECT_EQ(defaulted_in(*r, "workload"), (std::vector<std::string>{"workload.ratePerSecond"})) << row.text;
  }
}

TEST(ScenarioWorkload, GivenValuesAreKeptAndEchoed) {
  auto r = resolve(R"({"workload": {"records": 1000, "keys": 8, "arrival": "steady", "ratePerSecond": 250,
                                    "duplicates": 0.1, "poison": {"rate": 0.01, "payload": {"bad": true}}}})",
                   "sqs-fifo");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(defaulted_in(*r, "workload").empty());
  const Json j = r->to_json();
  EXPECT_EQ(j["workload"]["records"], 1000);
  EXPECT_EQ(j["workload"]["keys"], 8);
  EXPECT_EQ(j["workload"]["arrival"], "steady");
  EXPECT_EQ(j["workload"]["ratePerSecond"], 250);
  EXPECT_DOUBLE_EQ(j["workload"]["duplicates"].get<double>(), 0.1);
  EXPECT_EQ(j["workload"]["poison"]["payload"], (Json{{"bad", true}}));
}

TEST(ScenarioWorkload, RefusedOutsidePollMode) {
  const std::string s = error_of(resolve(R"({"workload": {"records": 5}})", "sqs", Mode::kSync));
  EXPECT_TRUE(contains(s, "t.json: workload is only used in poll mode: it shapes what a polled source's producer sends (this run is sync)"))
      << s;
  const std::string a = error_of(resolve(R"({"workload": {"arrival": "burst"}})", "s3", Mode::kAsync));
  EXPECT_TRUE(contains(a, "(this run is async)")) << a;
}

TEST(ScenarioWorkload, KeysRefusedForStandardSqs) {
  const std::string m = error_of(resolve(R"({"workload": {"keys": 4}})", "sqs"));
  EXPECT_TRUE(contains(m, "t.json: workload.keys does not apply to sqs: its records carry no ordering key")) << m;
}

TEST(ScenarioWorkload, KeysRefusedWhereRecordsHaveNoOrderingKey) {
  for (const char* id : {"sqs", "mq-activemq", "mq-rabbitmq", "documentdb"}) {
    const std::string m = error_of(resolve(R"({"workload": {"keys": 4}})", id));
    EXPECT_TRUE(contains(m, std::string("workload.keys does not apply to ") + id + ": its records carry no ordering key")) << m;
  }
}

TEST(ScenarioWorkload, KeysAcceptedWhereRecordsHaveAnOrderingOrKafkaKey) {
  for (const char* id : {"sqs-fifo", "kinesis", "dynamodb-streams", "kafka-msk", "kafka-self-managed"}) {
    auto r = resolve(R"({"workload": {"keys": 4}})", id);
    ASSERT_TRUE(r.ok()) << id << ": " << r.error().message;
    EXPECT_EQ(r->workload["keys"], 4) << id;
  }
}

TEST(ScenarioWorkload, ValuesOutsideTheirRangesAreRefused) {
  struct Row {
    const char* workload;
    const char* message;  // "" = accepted
  };
  const Row rows[] = {
      {R"({"records": 0})", "t.json: workload.records 0 is out of range: 1–10000000"},
      {R"({"records": 10000001})", "workload.records 10000001 is out of range: 1–10000000"},
      {R"({"records": -3})", "workload.records -3 is out of range: 1–10000000"},
      {R"({"records": 1})", ""},
      {R"({"records": 10000000})", ""},
      {R"({"keys": 0})", "workload.keys 0 is out of range: 1–100000"},
      {R"({"keys": 100001})", "workload.keys 100001 is out of range: 1–100000"},
      {R"({"keys": 100000})", ""},
      {R"({"arrival": "sideways"})", "workload.arrival \"sideways\" must be burst, steady or trickle"},
      {R"({"arrival": "steady", "ratePerSecond": 0})", "workload.ratePerSecond 0 is out of range: above 0, at most 1000000"},
      {R"({"arrival": "steady", "ratePerSecond": -1})", "workload.ratePerSecond -1 is out of range: above 0, at most 1000000"},
      {R"({"arrival": "trickle", "ratePerSecond": 1000001})", "workload.ratePerSecond 1000001 is out of range"},
      {R"({"arrival": "steady", "ratePerSecond": 1000000})", ""},
      {R"({"arrival": "trickle", "ratePerSecond": 0.01})", ""},
      {R"({"duplicates": -0.1})", "workload.duplicates -0.1 is out of range: 0–1"},
      {R"({"duplicates": 1.5})", "workload.duplicates 1.5 is out of range: 0–1"},
      {R"({"duplicates": 0})", ""},
      {R"({"duplicates": 1})", ""},
      {R"({"poison": {"rate": 2, "payload": "x"}})", "workload.poison.rate 2 is out of range: 0–1"},
      {R"({"poison": {"rate": 0.5, "payload": null}})", ""},
      {R"({"poison": {"rate": 0, "payload": [1, 2]}})", ""},
  };
  for (const auto& row : rows) {
    const std::string text = std::string(R"({"workload": )") + row.workload + "}";
    const std::string m = error_of(resolve(text, "kinesis"));
    if (*row.message == '\0')
      EXPECT_EQ(m, "") << row.workload;
    else
      EXPECT_TRUE(contains(m, row.message)) << row.workload << ": " << m;
  }
}

TEST(ScenarioWorkload, RangesAreCheckedWhenTheFileIsRead) {
  const std::string m = error_of(parse(R"({"workload": {"records": 0}})"));
  EXPECT_TRUE(contains(m, "t.json: workload.records 0 is out of range: 1–10000000")) << m;
}

TEST(ScenarioWorkload, RateRefusedWithBurst) {
  const std::string given = error_of(resolve(R"({"workload": {"arrival": "burst", "ratePerSecond": 5}})", "kinesis"));
  EXPECT_TRUE(contains(given, "t.json: workload.ratePerSecond applies to arrival steady or trickle only, and workload.arrival is burst"))
      << given;
  const std::string by_default = error_of(resolve(R"({"workload": {"ratePerSecond": 5}})", "kinesis"));
  EXPECT_TRUE(contains(by_default, "workload.ratePerSecond applies to arrival steady or trickle only, and arrival is burst (the default)"))
      << by_default;
}

TEST(ScenarioWorkload, PoisonNeedsARateAndAPayload) {
  const std::string no_payload = error_of(parse(R"({"workload": {"poison": {"rate": 0.1}}})"));
  EXPECT_TRUE(contains(no_payload, "t.json: workload.poison.payload is missing")) << no_payload;
  const std::string no_rate = error_of(parse(R"({"workload": {"poison": {"payload": "x"}}})"));
  EXPECT_TRUE(contains(no_rate, "t.json: workload.poison.rate is missing")) << no_rate;
}

TEST(ScenarioWorkload, UnknownAndMistypedKeysAreRefused) {
  const std::string typo = error_of(parse(R"({"workload": {"ratePerSec": 5}})"));
  EXPECT_TRUE(contains(typo, "unknown key \"ratePerSec\" at /workload/ratePerSec (did you mean \"ratePerSecond\"?)")) << typo;
  const std::string deep = error_of(parse(R"({"workload": {"poison": {"rate": 0.1, "payloads": 1}}})"));
  EXPECT_TRUE(contains(deep, "unknown key \"payloads\" at /workload/poison/payloads (did you mean \"payload\"?)")) << deep;
  const std::string misplaced = error_of(parse(R"({"workload": {"ShardCount": 2}})"));
  EXPECT_TRUE(contains(misplaced, "(it belongs in \"stream\")")) << misplaced;
  const std::string top = error_of(parse(R"({"records": 2})"));
  EXPECT_TRUE(contains(top, "unknown key \"records\" at /records (it belongs in \"workload\")")) << top;
  const std::string type = error_of(parse(R"({"workload": {"records": 2.5}})"));
  EXPECT_TRUE(contains(type, "t.json: workload.records must be an integer, got a fractional number 2.5")) << type;
  const std::string rate = error_of(parse(R"({"workload": {"duplicates": "0.1"}})"));
  EXPECT_TRUE(contains(rate, "workload.duplicates must be a number")) << rate;
}

// ---- values set by command-line flags -----------------------------------------------------

TEST(ScenarioFlags, FlagOverridesTheFile) {
  auto sc = parse(R"({"workload": {"records": 5, "arrival": "steady"}, "stream": {"ShardCount": 2}})");
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  set_from_flag(*sc, "workload", "records", 50, "--records");
  set_from_flag(*sc, "workload", "arrival", "trickle", "--arrival");
  set_from_flag(*sc, "stream", "ShardCount", 6, "--shards");
  auto r = resolve_parsed(std::move(*sc), "kinesis", Mode::kPoll);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->workload["records"], 50);
  EXPECT_EQ(r->workload["arrival"], "trickle");
  EXPECT_DOUBLE_EQ(r->workload["ratePerSecond"].get<double>(), 0.5);
  EXPECT_EQ(r->stream["ShardCount"], 6);
}

TEST(ScenarioFlags, FlagsAloneMakeAWorkload) {
  Scenario sc;
  set_from_flag(sc, "workload", "keys", 3, "--keys");
  set_from_flag(sc, "stream", "NumPartitions", 4, "--partitions");
  auto r = resolve_parsed(sc, "kafka-msk", Mode::kPoll);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->workload, (Json{{"keys", 3}, {"arrival", "burst"}}));
  EXPECT_EQ(r->stream["NumPartitions"], 4);
  EXPECT_TRUE(defaulted(*r, "workload.arrival"));
  EXPECT_FALSE(defaulted(*r, "stream.NumPartitions"));
}

TEST(ScenarioFlags, ErrorsNameTheFlagNotTheFile) {
  struct Row {
    const char* block;
    const char* key;
    Json value;
    const char* flag;
    const char* source;
    const char* message;  // the whole line
  };
  const Row rows[] = {
      {"workload", "records", 0, "--records", "kinesis", "--records 0 is out of range: 1–10000000 (evh's limit, docs/scenario.md)"},
      {"workload", "arrival", "fast", "--arrival", "kinesis", "--arrival \"fast\" must be burst, steady or trickle"},
      {"workload", "duplicates", 2.0, "--producer-duplicates", "kinesis",
       "--producer-duplicates 2.0 is out of range: 0–1 (a fraction of the records)"},
      {"stream", "ShardCount", 501, "--shards", "kinesis", "--shards 501 is out of range for kinesis: 1–500 (Kinesis shard quota, docs/scenario.md)"},
      {"stream", "NumPartitions", 0, "--partitions", "kafka-msk",
       "--partitions 0 is out of range for kafka-msk: 1–1000 (evh's limit, docs/scenario.md)"},
  };
  for (const auto& row : rows) {
    auto sc = parse(R"({"workload": {"records": 5}})");
    ASSERT_TRUE(sc.ok()) << sc.error().message;
    set_from_flag(*sc, row.block, row.key, row.value, row.flag);
    const std::string m = error_of(resolve_parsed(std::move(*sc), row.source, Mode::kPoll));
    EXPECT_EQ(m, row.message) << row.flag;
  }
}

TEST(ScenarioFlags, KeysFlagIsRefusedForStandardSqs) {
  Scenario sc;
  set_from_flag(sc, "workload", "keys", 4, "--keys");
  const std::string m = error_of(resolve_parsed(sc, "sqs", Mode::kPoll));
  EXPECT_EQ(m.rfind("--keys does not apply to sqs: its records carry no ordering key", 0), 0u) << m;
}

TEST(ScenarioFlags, RateFlagWithoutSteadyArrivalIsRefused) {
  Scenario sc;
  set_from_flag(sc, "workload", "ratePerSecond", 5.0, "--rate");
  const std::string m = error_of(resolve_parsed(sc, "kinesis", Mode::kPoll));
  EXPECT_TRUE(contains(m, "--rate applies to arrival steady or trickle only, and arrival is burst (the default)")) << m;
  set_from_flag(sc, "workload", "arrival", "burst", "--arrival");
  const std::string both = error_of(resolve_parsed(sc, "kinesis", Mode::kPoll));
  EXPECT_TRUE(contains(both, "--rate applies to arrival steady or trickle only, and --arrival is burst")) << both;
}

TEST(ScenarioFlags, BlockOutsideItsModeNamesTheFlags) {
  Scenario sc;
  sc.origin = "t.json";
  set_from_flag(sc, "workload", "records", 5, "--records");
  const std::string m = error_of(resolve_parsed(sc, "apigw-rest", Mode::kSync));
  // Only flags set the block: the file is not named.
  EXPECT_EQ(m, "workload (set by --records) is only used in poll mode: it shapes what a polled source's producer sends (this run is sync)");
  Scenario st;
  set_from_flag(st, "stream", "ShardCount", 2, "--shards");
  const std::string s = error_of(resolve_parsed(st, "sqs", Mode::kPoll));
  EXPECT_EQ(s.rfind("stream (set by --shards) is only used in poll mode with a poll-stream or poll-broker source", 0), 0u) << s;
  const std::string mq = error_of(resolve_parsed(st, "mq-activemq", Mode::kPoll));
  EXPECT_EQ(mq.rfind("stream (set by --shards) does not apply to mq-activemq: it reads a broker queue", 0), 0u) << mq;
}

TEST(ScenarioFlags, ShardsFlagForKafkaIsRefusedWithAHint) {
  Scenario sc;
  set_from_flag(sc, "stream", "ShardCount", 3, "--shards");
  const std::string m = error_of(resolve_parsed(sc, "kafka-self-managed", Mode::kPoll));
  EXPECT_EQ(m, "--shards does not apply to kafka-self-managed: it reads Kafka topic partitions (use stream.NumPartitions)");
}

}  // namespace
}  // namespace evh::harness
