// Shrink (harness/shrink.h): a finding's case cut down by delta debugging against the target,
// keeping only reductions that still fail the same invariant: records of the batch, mutations,
// faults and payload members; bounded and deterministic.
#include <gtest/gtest.h>

#include <memory>

#include "generators/catalog.h"
#include "generators/event_generator.h"
#include "generators/payload.h"
#include "harness/run.h"
#include "harness/shrink.h"

namespace evh::harness {
namespace {

constexpr std::size_t kPoisonAt = 3;
constexpr const char* kDlq = "arn:aws:sqs:us-east-1:123456789012:dlq";

const Source& sqs() { return **find_source("sqs"); }

bool has_poison(const Json& event) { return dump(event).find("poison") != std::string::npos; }

// A 10-record SQS batch whose record 3 carries "poison" in its (JSON) body; md5OfBody follows.
Case poison_batch() {
  EventGenerator gen(sqs(), PayloadContract::builtin());
  gen.set_batch_size(10);
  Case c = gen.generate(42);
  const auto pointers = record_pointers(sqs(), c.event);
  EXPECT_EQ(pointers.size(), 10u);
  Json* rec = find_at(c.event, pointers[kPoisonAt]);
  auto payloads = record_payloads(sqs(), *rec);
  Json body = payloads && payloads->size() == 1 && payloads->front().value.is_object() ? payloads->front().value : Json::object();
  body["note"] = "poison";
  set_record_payload(sqs(), *rec, Payload{body, false});
  sqs().hooks.refresh(c.event);
  c.mutations.clear();
  c.expect = Expect::kValid;
  return c;
}

// Runs past its timeout when any record of the batch is poisoned (robust.no-hang).
Json hang_on_poison(const Json& event, Context& ctx) {
  if (has_poison(event)) ctx.spend_ms(ctx.remaining_ms() + 1000);
  return Json{{"batchItemFailures", Json::array()}};
}

// Answers a malformed partial batch response when any record is poisoned (the contract of the
// batch response is broken: contract.response or batch.identifiers, whichever judges it).
Json malformed_on_poison(const Json& event, Context&) {
  if (has_poison(event)) return Json{{"batchItemFailures", "all of them"}};
  return Json{{"batchItemFailures", Json::array()}};
}

struct ShrinkRun {
  EffectsSink sink;
  TargetOptions options;
  std::unique_ptr<Target> target;
  RunConfig config;

  ShrinkRun(Mode mode, Handler handler) {
    options.effects = &sink;
    target = make_in_process_target(std::move(handler), "test:poison", options);
    config.source = &sqs();
    config.mode = mode;
    config.seed = 5;
    config.input = {poison_batch()};
    if (mode == Mode::kPoll) {
      config.scenario.event_source_mapping = {{"BatchSize", 10}, {"MaximumBatchingWindowInSeconds", 0},
                                              {"FunctionResponseTypes", {"ReportBatchItemFailures"}}};
      config.scenario.queue = {{"VisibilityTimeout", 30}, {"RedrivePolicy", {{"deadLetterTargetArn", kDlq}, {"maxReceiveCount", 1}}}};
    }
  }
  RunResult run() {
    auto r = harness::run(config, *target, sink);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return std::move(*r);
  }
};

const FindingRecord* first(const RunResult& r, const std::string& invariant = "") {
  for (const auto& f : r.findings)
    if (invariant.empty() || f.finding.invariant == invariant) return &f;
  return nullptr;
}

void expect_only_the_poison_record(const FindingRecord& f) {
  EXPECT_TRUE(f.shrunk);
  EXPECT_EQ(f.original_records, 10u);
  ASSERT_TRUE(f.original.has_value());
  EXPECT_EQ(record_pointers(sqs(), f.original->event).size(), 10u);
  const auto pointers = record_pointers(sqs(), f.kase.event);
  ASSERT_EQ(pointers.size(), 1u) << f.kase.event.dump();
  EXPECT_TRUE(has_poison(f.kase.event));
  EXPECT_GT(f.shrink_steps, 1u);
  EXPECT_LE(f.shrink_steps, kShrinkMaxSteps);
  EXPECT_FALSE(f.shrink_capped);
  // Payload members: only the one that makes it fail is left, and the digest follows the body.
  auto payloads = record_payloads(sqs(), *find_at(f.kase.event, pointers[0]));
  ASSERT_TRUE(payloads && payloads->size() == 1);
  EXPECT_EQ(payloads->front().value, (Json{{"note", "poison"}}));
  std::vector<Problem> problems;
  sqs().hooks.check(f.kase.event, problems);
  EXPECT_TRUE(problems.empty()) << problems.front().message;
}

TEST(Shrink, TenRecordBatchWithOnePoisonRecordShrinksToThatRecord) {
  ShrinkRun fx(Mode::kSync, hang_on_poison);
  RunResult r = fx.run();
  const FindingRecord* f = first(r, "robust.no-hang");
  ASSERT_NE(f, nullptr);
  expect_only_the_poison_record(*f);
  EXPECT_EQ(f->finding.invariant, "robust.no-hang");
  Json j = r.to_json();
  EXPECT_EQ(j["findings"][0]["shrink"]["originalRecords"], 10);
  EXPECT_EQ(j["findings"][0]["shrink"]["records"], 1);
  EXPECT_EQ(j["findings"][0]["shrink"]["steps"], f->shrink_steps);
}

TEST(Shrink, PollModeBatchShrinksToThePoisonRecordAndReplaysAsOneBatch) {
  ShrinkRun fx(Mode::kPoll, hang_on_poison);
  RunResult r = fx.run();
  const FindingRecord* f = first(r, "robust.no-hang");
  ASSERT_NE(f, nullptr);
  expect_only_the_poison_record(*f);
  // The shrunk batch, delivered alone, is received as one batch and fails again.
  RunConfig again = single_case_config(fx.config, f->kase, f->finding.case_index);
  again.invariants = {find_invariant("robust.no-hang")};
  auto rerun = harness::run(again, *fx.target, fx.sink);
  ASSERT_TRUE(rerun.ok());
  ASSERT_NE(first(*rerun, "robust.no-hang"), nullptr);
  EXPECT_EQ(record_pointers(sqs(), first(*rerun)->kase.event).size(), 1u);
}

TEST(Shrink, MalformedBatchResponseOnThePoisonRecordShrinksToOneRecord) {
  ShrinkRun fx(Mode::kPoll, malformed_on_poison);  // with ReportBatchItemFailures on
  RunResult r = fx.run();
  const FindingRecord* f = first(r);
  ASSERT_NE(f, nullptr) << "no invariant judged a malformed batchItemFailures";
  expect_only_the_poison_record(*f);
}

TEST(Shrink, IsDeterministic) {
  ShrinkRun a(Mode::kSync, hang_on_poison), b(Mode::kSync, hang_on_poison);
  RunResult ra = a.run(), rb = b.run();
  ASSERT_EQ(ra.findings.size(), rb.findings.size());
  ASSERT_FALSE(ra.findings.empty());
  for (std::size_t i = 0; i < ra.findings.size(); ++i) {
    EXPECT_EQ(dump(ra.findings[i].kase.to_json()), dump(rb.findings[i].kase.to_json()));
    EXPECT_EQ(ra.findings[i].shrink_steps, rb.findings[i].shrink_steps);
    EXPECT_EQ(ra.findings[i].finding.message, rb.findings[i].finding.message);
  }
}

TEST(Shrink, DropsAFaultThatDoesNotMatter) {
  ShrinkRun fx(Mode::kSync, hang_on_poison);
  fx.config.shrink = false;
  fx.config.faults = *FaultPlan::parse("cold-start=0.5,delay=0.5");
  RunResult r = fx.run();
  const FindingRecord* f = first(r, "robust.no-hang");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->shrink_steps, 0u);  // shrink off: the case as found
  RunConfig base = fx.config;
  base.input.clear();
  ShrinkResult s = shrink(base, *fx.target, fx.sink, *f);
  EXPECT_TRUE(s.reproduced);
  EXPECT_FALSE(s.faults.has(FaultId::kColdStart));
  EXPECT_FALSE(s.faults.has(FaultId::kDelay));
  EXPECT_EQ(s.faults.to_string(), "none");  // dropped altogether: the draws no longer matter
  EXPECT_EQ(s.records, 1u);
  EXPECT_EQ(s.original_records, 10u);
  EXPECT_GT(s.steps, 0u);
  ASSERT_TRUE(s.witness.has_value());
  EXPECT_EQ(s.witness->finding.invariant, "robust.no-hang");
}

TEST(Shrink, StopsAtTheStepCapAndSaysSo) {
  ShrinkRun fx(Mode::kSync, hang_on_poison);
  fx.config.shrink = false;
  RunResult r = fx.run();
  ASSERT_NE(first(r, "robust.no-hang"), nullptr);
  RunConfig base = fx.config;
  base.input.clear();
  ShrinkResult s = shrink(base, *fx.target, fx.sink, *first(r, "robust.no-hang"), 3);
  EXPECT_TRUE(s.capped);
  EXPECT_EQ(s.steps, 3u);
  EXPECT_TRUE(s.reproduced);
  EXPECT_NE(s.note.find("stopped at 3 re-runs"), std::string::npos) << s.note;
  EXPECT_LT(s.records, 10u);  // ddmin's first halving already took
}

// The in-process target, posing as one whose timeouts cost real time (a runtime process).
class RealTimeoutTarget final : public Target {
 public:
  explicit RealTimeoutTarget(Target& inner) : inner_(inner) {}
  std::string describe() const override { return "runtime-api:pretend"; }
  Status start() override { return inner_.start(); }
  Outcome invoke(const Invocation& inv) override {
    ++invocations;
    return inner_.invoke(inv);
  }
  bool reads_payload_bytes() const override { return inner_.reads_payload_bytes(); }
  std::size_t invocations = 0;

 private:
  Target& inner_;
};

TEST(Shrink, TimedOutReRunsOnARealTimeTargetAreBoundedPerRun) {
  ShrinkRun fx(Mode::kSync, hang_on_poison);
  RealTimeoutTarget target(*fx.target);
  ASSERT_TRUE(target.timeouts_take_real_time());
  ASSERT_FALSE(fx.target->timeouts_take_real_time());
  // Three hanging cases: each would take several timed-out re-runs to shrink.
  fx.config.input = {poison_batch(), poison_batch(), poison_batch()};
  fx.config.input[1].seed = 43;  // distinct cases, shrunk separately
  fx.config.input[2].seed = 44;
  auto r = harness::run(fx.config, target, fx.sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->findings.size(), 3u);
  // Every timed-out invocation past the run's three is a shrinking re-run: at most the cap.
  std::size_t rerun_timeouts = 0;
  for (const auto& f : r->findings) rerun_timeouts += f.shrink_steps;
  EXPECT_LE(target.invocations, 3u + rerun_timeouts);
  std::size_t stopped = 0;
  for (const auto& f : r->findings)
    if (f.shrink_note.find("re-runs that timed out") != std::string::npos ||
        f.shrink_note.find("re-runs that may time out") != std::string::npos)
      ++stopped;
  EXPECT_GE(stopped, 1u) << "the cap of " << kShrinkMaxRealTimeoutsPerRun << " timed-out re-runs was never reached";
  // The first finding shrank before the cap: one record, as in-process.
  EXPECT_EQ(record_pointers(sqs(), r->findings[0].kase.event).size(), 1u);
}

TEST(Shrink, CaseThatDoesNotFailAloneIsKeptAsFound) {
  // Fails every second invocation: alone, the finding's case is invoked first and passes.
  auto calls = std::make_shared<int>(0);
  ShrinkRun fx(Mode::kSync, [calls](const Json&, Context& ctx) {
    if ((*calls)++ % 2 == 1) ctx.spend_ms(ctx.remaining_ms() + 1000);
    return Json{{"batchItemFailures", Json::array()}};
  });
  fx.config.input = {poison_batch(), poison_batch()};
  RunResult r = fx.run();
  const FindingRecord* f = first(r, "robust.no-hang");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->finding.case_index, 1u);
  EXPECT_FALSE(f->original.has_value());
  EXPECT_EQ(record_pointers(sqs(), f->kase.event).size(), 10u);
  EXPECT_NE(f->shrink_note.find("does not fail when delivered alone"), std::string::npos) << f->shrink_note;
}

TEST(Shrink, SingleCaseConfigKeepsAPollBatchTogether) {
  RunConfig c;
  c.source = &sqs();
  c.mode = Mode::kPoll;
  c.scenario.event_source_mapping = {{"BatchSize", 2}};
  c.scenario.workload = {{"keys", 3}};
  Case k = poison_batch();
  RunConfig one = single_case_config(c, k, 7);
  ASSERT_EQ(one.input.size(), 1u);
  EXPECT_EQ(one.input[0].seed, k.seed);
  EXPECT_EQ(one.scenario.event_source_mapping["BatchSize"], 10);
  EXPECT_TRUE(one.scenario.workload.empty());
  EXPECT_FALSE(one.shrink);
  // Sync mode: the seed that draws at index 0 what the case drew at index 7.
  c.mode = Mode::kSync;
  EXPECT_EQ(single_case_config(c, k, 7).input[0].seed, k.seed ^ (uint64_t{7} << 1));
}

}  // namespace
}  // namespace evh::harness
