// The producer (harness/workload.h): workload shaping and exact --input workloads (DESIGN.md
// The command line), read through the source's generator and delivered at the given times.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "generators/catalog.h"
#include "harness/run.h"

namespace evh::harness {
namespace {

// ctest runs these tests in parallel processes: each test writes under its own directory.
std::string write_lines(const std::string& name, const std::string& text) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::temp_directory_path() /
             ("evh-workload-test-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

Result<WorkloadInput> read(const std::string& source, const std::string& text) {
  return read_workload_input(**find_source(source), write_lines(source + ".jsonl", text), PayloadContract::builtin(), 7);
}

TEST(WorkloadInput, EachLineBecomesOneRecordWithItsValuesInPlace) {
  auto w = read("sqs-fifo", "{\"payload\": {\"n\": 1}, \"group\": \"g1\", \"at\": 1500}\n"
                            "# a comment\n\n"
                            "{\"payload\": \"plain text\", \"group\": \"g2\", \"deduplicationId\": \"d2\", \"at\": -200}\n");
  ASSERT_TRUE(w.ok()) << w.error().message;
  ASSERT_EQ(w->cases.size(), 2u);
  const Json& r0 = w->cases[0].event["Records"][0];
  EXPECT_EQ(r0["body"], "{\"n\":1}");
  EXPECT_EQ(r0["attributes"]["MessageGroupId"], "g1");
  EXPECT_EQ(w->timing[0].at_ms, 1500);
  const Json& r1 = w->cases[1].event["Records"][0];
  EXPECT_EQ(r1["body"], "plain text");
  EXPECT_EQ(r1["attributes"]["MessageDeduplicationId"], "d2");
  EXPECT_EQ(w->timing[1].at_ms, -200);  // a backlog: queued before the mapping started
}

TEST(WorkloadInput, KafkaKeyIsBase64AndPartitionIsKept) {
  auto w = read("kafka-msk", "{\"payload\": {\"a\": 1}, \"key\": \"user-1\", \"partition\": 2, \"topic\": \"orders\"}\n");
  ASSERT_TRUE(w.ok()) << w.error().message;
  const Json& event = w->cases[0].event;
  const Json* rec = find_at(event, record_pointers(**find_source("kafka-msk"), event).front());
  ASSERT_NE(rec, nullptr);
  EXPECT_EQ((*rec)["key"], "dXNlci0x");
  EXPECT_EQ((*rec)["topic"], "orders");
  ASSERT_TRUE(w->timing[0].partition.has_value());
  EXPECT_EQ(*w->timing[0].partition, 2);
}

TEST(WorkloadInput, BadLinesAreRefusedWithFileAndLine) {
  struct Row {
    const char* source;
    const char* text;
    const char* expect;
  };
  const Row rows[] = {
      {"sqs", "{\"payload\": 1}\nnot json\n", ".jsonl:2: each line must be one JSON object"},
      {"sqs", "{\"payloda\": 1}\n", "unknown key \"payloda\"; did you mean \"payload\"?"},
      {"sqs", "{\"group\": \"g\"}\n", "\"group\" does not apply to sqs"},
      {"kinesis", "{\"partitionKey\": 5}\n", "\"partitionKey\" must be a string, got integer"},
      {"sqs-fifo", "{\"at\": 1.5}\n", "\"at\" must be an integer"},
      {"sqs", "\n# nothing\n", "no producer actions"},
  };
  for (const auto& row : rows) {
    auto w = read(row.source, row.text);
    ASSERT_FALSE(w.ok()) << row.text;
    EXPECT_EQ(w.error().code, ErrorCode::kConfig);
    EXPECT_NE(w.error().message.find(row.expect), std::string::npos) << w.error().message;
    EXPECT_EQ(w.error().message.find('\n'), std::string::npos);
  }
  auto missing = read_workload_input(**find_source("sqs"), "/nonexistent/evh.jsonl", PayloadContract::builtin(), 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
}

TEST(WorkloadInput, RecordsArriveAtTheirTimesAndFifoGroupsKeepTheirOrder) {
  auto w = read("sqs-fifo", "{\"payload\": {\"n\": 1}, \"group\": \"a\", \"at\": 5000}\n"
                            "{\"payload\": {\"n\": 2}, \"group\": \"b\", \"at\": 0}\n"
                            "{\"payload\": {\"n\": 3}, \"group\": \"a\", \"at\": 6000}\n");
  ASSERT_TRUE(w.ok()) << w.error().message;
  EffectsSink sink;
  TargetOptions o;
  o.effects = &sink;
  auto target = make_in_process_target([](const Json&, Context&) -> Json { return nullptr; }, "ok", o);
  RunConfig config;
  config.source = &**find_source("sqs-fifo");
  config.mode = Mode::kPoll;
  config.input = w->cases;
  config.input_timing = w->timing;
  config.scenario.event_source_mapping = {{"BatchSize", 10}};
  auto r = run(config, *target, sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::vector<int64_t> receive_times;
  for (const auto& e : r->trace.entries())
    if (e["action"] == "receive") receive_times.push_back(e["t"]);
  EXPECT_EQ(receive_times, (std::vector<int64_t>{0, 5000, 6000}));
}

}  // namespace
}  // namespace evh::harness
