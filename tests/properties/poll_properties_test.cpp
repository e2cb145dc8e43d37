// Delivery properties of the simulator (SEMANTICS.md §2, §3, §4, §8b), for random workloads,
// mapping settings, handler styles and fault plans: (a) no record is lost, (b) per-lane and
// per-group order of first deliveries holds, (c) attempts stay within the configured bounds,
// (d) the same seed gives the same trace. Every check reads only the run's trace and RunResult.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "generators/catalog.h"
#include "generators/event_generator.h"
#include "generators/payload.h"
#include "generators/rng.h"
#include "harness/run.h"
#include "tests/harness/poll_test_support.h"

namespace evh::harness {
namespace {

constexpr const char* kQueueDlq = "arn:aws:sqs:us-east-1:123456789012:evh-dlq";
constexpr const char* kOnFailure = "arn:aws:sqs:us-east-1:123456789012:evh-failures";
constexpr const char* kOnSuccess = "arn:aws:sqs:us-east-1:123456789012:evh-done";
constexpr const char* kAsyncOnFailure = "arn:aws:sns:us-east-1:123456789012:evh-failed";
constexpr const char* kFunctionDlq = "arn:aws:sqs:us-east-1:123456789012:evh-function-dlq";
// Records per run. A setting that retries a poison record forever (no RedrivePolicy, no
// MaximumRetryAttempts) spends the whole invocation budget (200 per record): those runs stay
// small so that the binary stays well under a minute.
constexpr int kMaxRecords = 200;
constexpr int kMaxRecordsUnbounded = 20;
constexpr int kVisibilityTimeoutS = 30;

// How the function treats a record whose payload is {"poison": true}.
enum class Style { kThrowOnPoison, kReportPoison, kSucceed };
const char* to_string(Style s) {
  return s == Style::kThrowOnPoison ? "throw-on-poison" : s == Style::kReportPoison ? "report-poison" : "succeed";
}

// One drawn run: poll or async mode, with everything that shapes delivery.
struct RunSetup {
  std::string source;
  Mode mode = Mode::kPoll;
  uint64_t seed = 0;
  int records = 1;
  // workload (poll mode; async: poison only)
  int keys = 0;  // 0 = no "keys"
  std::string arrival = "burst";
  double poison = 0;
  double duplicates = 0;
  // event source mapping
  int batch_size = 1;
  std::optional<int> max_retries;  // MaximumRetryAttempts (async: eventInvokeConfig)
  bool bisect = false;
  bool rbif = false;
  bool destination = false;  // streams: OnFailure; async: OnSuccess + OnFailure
  std::optional<int> max_receives;  // SQS RedrivePolicy.maxReceiveCount
  int shards = 1;
  // async
  int64_t max_age_s = 21600;
  bool function_dlq = false;
  Style style = Style::kSucceed;
  double dup_rate = 0, lost_rate = 0, throttle_rate = 0;

  const Source& src() const { return **find_source(source); }
  bool queue() const { return src().model == InvocationModel::kPollQueue; }
  bool fifo() const { return !src().identity.ordering_key.empty(); }
  std::string faults() const {
    std::string f;
    auto add = [&](const char* id, double rate) {
      if (rate > 0) f += (f.empty() ? "" : ",") + std::string(id) + "=" + std::to_string(rate);
    };
    add("duplicate-delivery", dup_rate);
    add("lost-response", lost_rate);
    add("throttle", throttle_rate);
    return f;
  }
  // Faults that make a healthy record fail (SQS throttles count toward maxReceiveCount).
  bool clean() const { return lost_rate == 0 && (mode != Mode::kPoll || !queue() || throttle_rate == 0) && (mode != Mode::kAsync || throttle_rate == 0); }

  Json to_json() const {
    Json j{{"source", source}, {"mode", harness::to_string(mode)}, {"seed", seed}, {"records", records}, {"style", to_string(style)},
           {"poison", poison}, {"faults", faults()}};
    if (mode == Mode::kAsync) {
      j["eventInvokeConfig"] = {{"MaximumRetryAttempts", max_retries.value_or(2)}, {"MaximumEventAgeInSeconds", max_age_s},
                                {"destinations", destination}, {"functionDlq", function_dlq}};
      return j;
    }
    j["workload"] = {{"keys", keys}, {"arrival", arrival}, {"duplicates", duplicates}};
    j["mapping"] = {{"BatchSize", batch_size}, {"MaximumRetryAttempts", max_retries ? Json(*max_retries) : Json("unset")},
                    {"BisectBatchOnFunctionError", bisect}, {"ReportBatchItemFailures", rbif}, {"OnFailure", destination}};
    if (queue()) j["maxReceiveCount"] = max_receives ? Json(*max_receives) : Json("no RedrivePolicy");
    else j["shards"] = shards;
    return j;
  }
};

void showValue(const RunSetup& s, std::ostream& os) { os << s.to_json().dump(); }

double rate(int max_percent) { return *rc::gen::inRange(0, max_percent + 1) / 100.0; }

rc::Gen<RunSetup> poll_setup() {
  return rc::gen::exec([] {
    RunSetup s;
    s.source = *rc::gen::element<std::string>("sqs", "sqs-fifo", "kinesis", "dynamodb-streams", "kafka-msk");
    s.mode = Mode::kPoll;
    s.seed = *rc::gen::inRange<uint64_t>(0, 1u << 30);
    s.style = *rc::gen::element(Style::kThrowOnPoison, Style::kReportPoison, Style::kSucceed);
    s.rbif = *rc::gen::arbitrary<bool>();
    s.poison = rate(30);
    s.duplicates = rate(20);
    s.arrival = *rc::gen::element<std::string>("burst", "steady");
    s.dup_rate = *rc::gen::element(0.0, 0.05, 0.1);
    s.lost_rate = *rc::gen::element(0.0, 0.0, 0.05);
    s.throttle_rate = *rc::gen::element(0.0, 0.0, 0.05);
    bool unbounded;
    if (s.queue()) {
      // SEMANTICS.md §3.1: BatchSize > 10 needs a batching window; FIFO caps it at 10.
      s.batch_size = *rc::gen::inRange(1, 11);
      if (*rc::gen::inRange(0, 4) != 0) s.max_receives = *rc::gen::inRange(1, 6);
      if (s.fifo()) s.keys = *rc::gen::inRange(1, 9);
      unbounded = !s.max_receives;
    } else {
      s.batch_size = *rc::gen::inRange(1, 101);
      s.keys = *rc::gen::inRange(1, 9);
      s.shards = *rc::gen::inRange(1, 5);
      if (*rc::gen::inRange(0, 6) != 0) s.max_retries = *rc::gen::inRange(0, 4);
      s.bisect = *rc::gen::arbitrary<bool>();
      s.destination = *rc::gen::arbitrary<bool>();
      // Kafka caps unset retries at 10 when a destination is set (SEMANTICS.md §3).
      unbounded = !s.max_retries && !(s.source == "kafka-msk" && s.destination);
    }
    s.records = *rc::gen::inRange(1, (unbounded ? kMaxRecordsUnbounded : kMaxRecords) + 1);
    return s;
  });
}

rc::Gen<RunSetup> async_setup() {
  return rc::gen::exec([] {
    RunSetup s;
    s.source = *rc::gen::element<std::string>("sns", "s3", "eventbridge");
    s.mode = Mode::kAsync;
    s.seed = *rc::gen::inRange<uint64_t>(0, 1u << 30);
    s.records = *rc::gen::inRange(1, kMaxRecords + 1);
    s.style = *rc::gen::element(Style::kThrowOnPoison, Style::kSucceed);
    s.poison = rate(30);
    s.max_retries = *rc::gen::inRange(0, 3);  // SEMANTICS.md §2: 0–2
    s.max_age_s = *rc::gen::element<int64_t>(60, 120, 600, 3600, 21600);
    s.destination = *rc::gen::arbitrary<bool>();
    s.function_dlq = *rc::gen::arbitrary<bool>();
    s.dup_rate = *rc::gen::element(0.0, 0.05, 0.1);
    s.lost_rate = *rc::gen::element(0.0, 0.0, 0.05);
    s.throttle_rate = *rc::gen::element(0.0, 0.0, 0.05);
    return s;
  });
}

// --- The function ------------------------------------------------------------------------------

struct Item {
  Json id;  // as itemIdentifier carries it
  bool poison = false;
};

// The poison record says {"poison": true}; an S3 record, which carries no payload, has a key
// starting "poison".
std::vector<Item> items(const Source& source, const Json& event) {
  std::vector<Item> out;
  for (const auto& r : testing::batch_records(source, event)) {
    Item it{r.id, r.payload.is_object() && r.payload.value("poison", false)};
    if (const Json* key = find_at(event, r.pointer + "/s3/object/key"); key != nullptr && key->is_string())
      it.poison = it.poison || key->get<std::string>().rfind("poison", 0) == 0;
    out.push_back(std::move(it));
  }
  return out;
}

Handler make_handler(const Source& source, Style style) {
  return [&source, style](const Json& event, Context&) -> Json {
    Json failures = Json::array();
    for (const auto& it : items(source, event)) {
      if (!it.poison || style == Style::kSucceed) continue;
      if (style == Style::kThrowOnPoison) throw FunctionError("PoisonError", "poison record");
      failures.push_back({{"itemIdentifier", it.id}});
    }
    return style == Style::kReportPoison ? Json{{"batchItemFailures", failures}} : Json(nullptr);
  };
}

// Async events of one record each; a drawn share of them carries the poison payload.
std::vector<Case> async_cases(const RunSetup& s) {
  const Source& source = s.src();
  EventGenerator gen(source, PayloadContract::builtin());
  gen.set_batch_size(1);
  Rng rng(mix64(s.seed ^ 0x706f69736f6eULL));
  std::vector<Case> cases;
  for (int i = 0; i < s.records; ++i) {
    Case c = gen.generate(derive_seed(s.seed, static_cast<uint64_t>(i)));
    if (rng.chance(s.poison)) {
      for (const auto& p : record_pointers(source, c.event)) {
        Json* rec = find_at(c.event, p);
        if (rec == nullptr) continue;
        if (!source.identity.payload.empty()) set_record_payload(source, *rec, Payload{Json{{"poison", true}}, false});
        if (Json* key = find_at(*rec, "/s3/object/key")) *key = "poison/" + std::to_string(i);
      }
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

RunResult run_setup(const RunSetup& s) {
  const Source& source = s.src();
  EffectsSink sink;
  TargetOptions options;
  options.effects = &sink;
  auto target = make_in_process_target(make_handler(source, s.style), "property", options);
  RunConfig config;
  config.source = &source;
  config.mode = s.mode;
  config.seed = s.seed;
  config.mutate = MutateFilter::kNone;
  config.faults = *FaultPlan::parse(s.faults());
  config.invariants = {&invariants().front()};  // the properties judge the trace, not the invariants
  config.shrink = false;
  if (s.mode == Mode::kAsync) {
    config.input = async_cases(s);
    Json& eic = config.scenario.event_invoke_config;
    eic = {{"MaximumRetryAttempts", s.max_retries.value_or(2)}, {"MaximumEventAgeInSeconds", s.max_age_s}};
    if (s.destination)
      eic["DestinationConfig"] = {{"OnSuccess", {{"Destination", kOnSuccess}}}, {"OnFailure", {{"Destination", kAsyncOnFailure}}}};
    if (s.function_dlq) config.scenario.dead_letter_config = {{"TargetArn", kFunctionDlq}};
  } else {
    config.cases = static_cast<uint64_t>(s.records);  // one record per case
    config.batch_size = 1;
    Json& w = config.scenario.workload;
    w = {{"arrival", s.arrival}, {"duplicates", s.duplicates}};
    if (s.keys > 0) w["keys"] = s.keys;
    if (s.poison > 0) w["poison"] = {{"rate", s.poison}, {"payload", {{"poison", true}}}};
    Json& esm = config.scenario.event_source_mapping;
    esm = {{"BatchSize", s.batch_size}, {"MaximumBatchingWindowInSeconds", 0}};
    if (s.rbif) esm["FunctionResponseTypes"] = {"ReportBatchItemFailures"};
    if (s.queue()) {
      config.scenario.queue = {{"VisibilityTimeout", kVisibilityTimeoutS}};
      if (s.max_receives) config.scenario.queue["RedrivePolicy"] = {{"deadLetterTargetArn", kQueueDlq}, {"maxReceiveCount", *s.max_receives}};
    } else {
      if (s.max_retries) esm["MaximumRetryAttempts"] = *s.max_retries;
      if (s.bisect) esm["BisectBatchOnFunctionError"] = true;
      if (s.destination) esm["DestinationConfig"] = {{"OnFailure", {{"Destination", kOnFailure}}}};
      config.scenario.stream = {{s.source == "kafka-msk" ? "NumPartitions" : "ShardCount", s.shards}};
    }
  }
  auto r = harness::run(config, *target, sink);
  if (!r) throw std::runtime_error("run failed: " + r.error().message);
  return std::move(*r);
}

// --- Reading the trace -------------------------------------------------------------------------

std::string str(const Json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

// Every problem found, one line each; empty when the property holds.
struct Problems {
  std::vector<std::string> lines;
  void add(const std::string& line) {
    if (lines.size() < 10) lines.push_back(line);
  }
  std::string text() const {
    std::string t;
    for (const auto& l : lines) t += l + "\n";
    return t;
  }
};

void require(const Problems& p, const RunResult& r) {
  if (p.lines.empty()) return;
  RC_LOG() << "gave_up=" << r.gave_up << " (" << r.gave_up_reason << ") invocations=" << r.invocations << "\n";
  RC_FAIL(p.text());
}

// SQS: what the trace says happened to each message id (a duplicate-delivery fault copies a
// message under the same id, so everything is counted per id).
struct QueueView {
  struct Msg {
    std::string group;
    bool poison = false;
    int sends = 0, copies = 0, receives = 0, deletes = 0, redrives = 0, other = 0;  // other: expire, filter-drop
    bool ok_invoke = false;  // some invocation returned without listing it as failed
  };
  std::map<std::string, Msg> msgs;
  std::vector<std::string> send_order;
  std::vector<std::string> first_receive, first_invoke;
  std::vector<const Json*> redrives;
  struct Batch {
    int64_t at = 0, end = 0;  // received at; returned at (a throttled receive returns at once)
    std::set<std::string> groups;
  };
  std::vector<Batch> batches;
  std::map<std::string, std::vector<int64_t>> receive_times;
};

QueueView read_queue(const RunResult& r, Problems& p) {
  QueueView v;
  std::set<std::string> received, invoked;
  for (const auto& e : r.trace.entries()) {
    const std::string action = e["action"];
    if (action == "send") {
      auto& m = v.msgs[e["id"]];
      if (m.sends++ == 0) v.send_order.push_back(e["id"]);
      m.group = e["group"];
      m.poison = m.poison || e["poison"].get<bool>();
    } else if (action == "receive") {
      QueueView::Batch b;
      b.at = b.end = e["t"].get<int64_t>();
      for (const auto& id : e["records"]) {
        ++v.msgs[str(id)].receives;
        v.receive_times[str(id)].push_back(b.at);
        b.groups.insert(v.msgs[str(id)].group);
        if (received.insert(str(id)).second) v.first_receive.push_back(str(id));
      }
      v.batches.push_back(std::move(b));
    } else if (action == "invoke") {
      if (!v.batches.empty()) v.batches.back().end = e["t"].get<int64_t>() + e["outcome"]["durationMs"].get<int64_t>();
      for (const auto& id : e["records"]) {
        if (invoked.insert(str(id)).second) v.first_invoke.push_back(str(id));
        if (std::find(e["failed"].begin(), e["failed"].end(), id) == e["failed"].end()) v.msgs[str(id)].ok_invoke = true;
      }
    } else if (action == "delete") {
      for (const auto& id : e["records"]) {
        auto& m = v.msgs[str(id)];
        ++m.deletes;
        if (!m.ok_invoke) p.add("deleted " + str(id) + " that no invocation returned as processed");
      }
    } else if (action == "redrive") {
      ++v.msgs[e["id"]].redrives;
      v.redrives.push_back(&e);
    } else if (action == "expire" || action == "filter-drop") {
      ++v.msgs[e["id"]].other;
    } else if (action == "fault" && e["fault"] == "duplicate-delivery" && e.contains("id")) {
      ++v.msgs[e["id"]].copies;
    }
  }
  return v;
}

// Ordered logs: each record by lane and sequence number (Kafka offsets repeat across partitions).
struct LogView {
  enum class Fate { kOpen, kAcked, kDiscarded, kExpired, kFiltered };
  struct Rec {
    std::string lane;
    bool poison = false;
    Fate fate = Fate::kOpen;
    bool delivered = false;
    bool last_ok = false;  // the last invocation that carried it did not fail it
  };
  std::map<std::string, Rec> recs;                       // "lane/seq"
  std::map<std::string, std::vector<std::string>> lanes;  // lane → keys in send order
  std::map<std::string, std::vector<std::string>> first_invoke;
  std::vector<const Json*> discards;
  std::vector<const Json*> invokes;
};

std::string key(const Json& lane, const Json& seq) { return str(lane) + "/" + str(seq); }

LogView read_log(const RunResult& r, Problems& p) {
  LogView v;
  std::set<std::string> invoked;
  std::optional<std::string> filtered;  // a filter-drop names only the seq and comes just before its send
  for (const auto& e : r.trace.entries()) {
    const std::string action = e["action"];
    if (action == "send") {
      const std::string k = key(e["lane"], e["seq"]);
      auto& rec = v.recs[k];
      rec.lane = e["lane"];
      rec.poison = e["poison"].get<bool>();
      if (filtered == str(e["seq"])) rec.fate = LogView::Fate::kFiltered;
      filtered.reset();
      v.lanes[rec.lane].push_back(k);
    } else if (action == "filter-drop") {
      filtered = str(e["seq"]);
    } else if (action == "invoke") {
      v.invokes.push_back(&e);
      const Json& seqs = e["records"];
      std::size_t failed_from = seqs.size();
      if (e.contains("failedFrom"))
        for (std::size_t i = 0; i < seqs.size(); ++i)
          if (seqs[i] == e["failedFrom"]) failed_from = i;
      for (std::size_t i = 0; i < seqs.size(); ++i) {
        const std::string k = key(e["lane"], seqs[i]);
        v.recs[k].delivered = true;
        v.recs[k].last_ok = i < failed_from;
        if (invoked.insert(k).second) v.first_invoke[e["lane"]].push_back(k);
      }
    } else if (action == "checkpoint") {
      // Covers every record of the lane up to and including `seq`.
      const std::string until = key(e["lane"], e["seq"]);
      const auto& order = v.lanes[e["lane"]];
      auto end = std::find(order.begin(), order.end(), until);
      if (end == order.end()) {
        p.add("checkpoint at " + until + " that was never sent");
        continue;
      }
      for (auto it = order.begin(); it != end + 1; ++it) {
        auto& rec = v.recs[*it];
        if (rec.fate != LogView::Fate::kOpen) continue;
        if (!rec.delivered) p.add("checkpoint " + until + " passes " + *it + ", never delivered");
        else if (!rec.last_ok) p.add("checkpoint " + until + " passes " + *it + " whose last invocation failed it (SEMANTICS.md §8b)");
        rec.fate = LogView::Fate::kAcked;
      }
    } else if (action == "discard") {
      v.discards.push_back(&e);
      for (const auto& seq : e["records"]) {
        auto& rec = v.recs[key(e["lane"], seq)];
        if (rec.fate == LogView::Fate::kOpen) rec.fate = LogView::Fate::kDiscarded;
      }
    } else if (action == "expire") {
      auto& rec = v.recs[key(e["lane"], e["seq"])];
      if (rec.fate == LogView::Fate::kOpen) rec.fate = LogView::Fate::kExpired;
    }
  }
  return v;
}

// The retry bound a log mapping applies, or -1 for "until the record leaves the log".
int effective_retries(const RunSetup& s) {
  if (s.max_retries) return *s.max_retries;
  const Json delivery = s.src().meta.value("delivery", Json::object());
  if (s.destination && delivery.contains("retryCapWithDestination")) return delivery["retryCapWithDestination"].get<int>();
  return -1;
}

std::size_t received(const RunResult& r, const char* arn) {
  auto it = r.destinations.find(arn);
  return it == r.destinations.end() ? 0 : it->size();
}

// --- (a) no record is lost ---------------------------------------------------------------------

Problems no_loss_queue(const RunSetup& s, const RunResult& r) {
  Problems p;
  QueueView v = read_queue(r, p);
  std::size_t open = 0;
  bool any_poison = false;
  for (const auto& [id, m] : v.msgs) any_poison = any_poison || m.poison;
  for (const auto& [id, m] : v.msgs) {
    const int instances = m.sends + m.copies, settled = m.deletes + m.redrives + m.other;
    if (m.sends == 0) p.add("message " + id + " delivered but never sent");
    if (settled > instances) p.add("message " + id + " settled " + std::to_string(settled) + " times for " + std::to_string(instances) + " copies");
    if (settled < instances) ++open;
    if (!r.gave_up && settled < instances) p.add("message " + id + " is neither deleted, redriven, expired nor filtered, and the run did not give up");
    // A poison message the function fails is never acknowledged.
    if (m.poison && m.deletes > 0 && (s.style == Style::kThrowOnPoison || (s.style == Style::kReportPoison && s.rbif)))
      p.add("poison message " + id + " was deleted although every invocation failed it");
    // A healthy message is acknowledged when nothing makes it fail.
    const bool fails_neighbours = any_poison && s.style == Style::kThrowOnPoison;
    if (!m.poison && s.clean() && !fails_neighbours && !r.gave_up && m.deletes == 0)
      p.add("healthy message " + id + " was never deleted");
  }
  if (r.gave_up && open == 0) p.add("gave up with every message settled: " + r.gave_up_reason);
  if (r.gave_up && r.gave_up_reason.empty()) p.add("gave up without a reason");
  // Redrive exactly as configured: to the queue's DLQ, on the receive past maxReceiveCount.
  for (const Json* e : v.redrives) {
    if (!s.max_receives) p.add("redrive without a RedrivePolicy: " + e->dump());
    else if ((*e)["to"] != kQueueDlq || (*e)["receives"] != *s.max_receives) p.add("redrive not as configured: " + e->dump());
  }
  if (received(r, kQueueDlq) != v.redrives.size())
    p.add("queue DLQ got " + std::to_string(received(r, kQueueDlq)) + " messages for " + std::to_string(v.redrives.size()) + " redrives");
  for (const auto& [to, msgs] : r.destinations.items())
    if (to != kQueueDlq) p.add("unexpected destination " + to);
  return p;
}

Problems no_loss_log(const RunSetup& s, const RunResult& r) {
  Problems p;
  LogView v = read_log(r, p);
  const int retries = effective_retries(s);
  std::size_t open = 0;
  bool any_poison = false;
  for (const auto& [k, rec] : v.recs) any_poison = any_poison || rec.poison;
  for (const auto& [k, rec] : v.recs) {
    if (rec.lane.empty()) p.add("record " + k + " delivered but never sent");
    if (rec.fate == LogView::Fate::kOpen) {
      ++open;
      if (!r.gave_up) p.add("record " + k + " is neither checkpointed, discarded, expired nor filtered, and the run did not give up");
    }
    if (rec.poison && rec.fate == LogView::Fate::kAcked && (s.style == Style::kThrowOnPoison || (s.style == Style::kReportPoison && s.rbif)))
      p.add("poison record " + k + " was checkpointed although every invocation failed it");
    if (!rec.poison && rec.fate == LogView::Fate::kDiscarded && s.clean()) {
      // Bisect isolates a thrown poison record (SEMANTICS.md §3.2); a function that fails
      // nothing never has anything discarded.
      const bool nothing_fails = !any_poison || s.style == Style::kSucceed || (s.style == Style::kReportPoison && !s.rbif);
      if (nothing_fails || (s.style == Style::kThrowOnPoison && s.bisect))
        p.add("healthy record " + k + " was discarded (bisect " + (s.bisect ? "on" : "off") + ")");
    }
  }
  if (r.gave_up && open == 0) p.add("gave up with every record settled: " + r.gave_up_reason);
  if (r.gave_up && r.gave_up_reason.empty()) p.add("gave up without a reason");
  // Discards exactly as configured: only when retries are bounded, after 1 + MaximumRetryAttempts
  // invocations, one failure record each at the on-failure destination.
  std::size_t with_records = 0;
  for (const Json* e : v.discards) {
    with_records += !(*e)["records"].empty();
    if ((*e)["condition"] != "RetryAttemptsExhausted") p.add("discard with an unconfigured condition: " + e->dump());
    else if (retries < 0) p.add("discard although retries are unbounded: " + e->dump());
    else if ((*e)["approximateInvokeCount"] != retries + 1) p.add("discard after " + (*e)["approximateInvokeCount"].dump() + " invocations, not " + std::to_string(retries + 1));
  }
  if (received(r, kOnFailure) != (s.destination ? with_records : 0))
    p.add("on-failure destination got " + std::to_string(received(r, kOnFailure)) + " records for " + std::to_string(with_records) + " discarded batches");
  for (const auto& [to, msgs] : r.destinations.items())
    if (to != kOnFailure) p.add("unexpected destination " + to);
  return p;
}

// Async: which cases were poisoned, from the events the run was given.
std::vector<bool> poisoned(const RunSetup& s) {
  std::vector<bool> out;
  for (const auto& c : async_cases(s)) {
    bool any = false;
    for (const auto& it : items(s.src(), c.event)) any = any || it.poison;
    out.push_back(any);
  }
  return out;
}

struct AsyncView {
  struct Ev {
    int requests = 0, completes = 0, attempts = 0, duplicates = 0, throttles = 0;
    int64_t queued = 0;
    std::string condition;
    int64_t invoke_count = -1;
    int64_t last_attempt_age = 0;
  };
  std::map<std::size_t, Ev> events;
  std::map<std::string, std::size_t> conditions;
};

AsyncView read_async(const RunResult& r) {
  AsyncView v;
  for (const auto& e : r.trace.entries()) {
    const std::string action = e["action"];
    if (!e.contains("case")) continue;
    auto& ev = v.events[e["case"].get<std::size_t>()];
    if (action == "request" && e["status"] == 202) {
      ++ev.requests;
      ev.queued = e["t"].get<int64_t>();
    } else if (action == "invoke") {
      if (e.value("duplicate", false)) {
        ++ev.duplicates;
      } else {
        ++ev.attempts;
        ev.last_attempt_age = std::max(ev.last_attempt_age, e["t"].get<int64_t>() - ev.queued);
      }
    } else if (action == "throttle") {
      ++ev.throttles;
    } else if (action == "complete") {
      ++ev.completes;
      ev.condition = e["condition"];
      ev.invoke_count = e["approximateInvokeCount"].get<int64_t>();
      ++v.conditions[ev.condition];
    }
  }
  return v;
}

Problems no_loss_async(const RunSetup& s, const RunResult& r) {
  Problems p;
  AsyncView v = read_async(r);
  const std::vector<bool> poison = poisoned(s);
  if (r.gave_up) p.add("async run gave up: " + r.gave_up_reason);
  for (std::size_t i = 0; i < poison.size(); ++i) {
    const auto& ev = v.events[i];
    const std::string c = "event " + std::to_string(i);
    if (ev.requests != 1) {
      p.add(c + " was not accepted (202) exactly once");
      continue;
    }
    if (ev.completes != 1) {
      p.add(c + " completed " + std::to_string(ev.completes) + " times");
      continue;
    }
    static const std::set<std::string> kConditions = {"Success", "RetriesExhausted", "EventAgeExceeded"};
    if (!kConditions.count(ev.condition)) p.add(c + " ended with " + ev.condition);
    if (poison[i] && s.style == Style::kThrowOnPoison && ev.condition == "Success") p.add(c + " is poison and still succeeded");
    if ((!poison[i] || s.style == Style::kSucceed) && s.clean() && ev.condition != "Success")
      p.add(c + " is healthy, nothing failed it, and it ended with " + ev.condition);
  }
  // Destinations and the DLQ exactly as configured (SEMANTICS.md §2, §8.1).
  const std::size_t success = v.conditions["Success"], failure = poison.size() - success;
  if (received(r, kOnSuccess) != (s.destination ? success : 0)) p.add("OnSuccess got " + std::to_string(received(r, kOnSuccess)) + " for " + std::to_string(success) + " successes");
  if (received(r, kAsyncOnFailure) != (s.destination ? failure : 0)) p.add("OnFailure got " + std::to_string(received(r, kAsyncOnFailure)) + " for " + std::to_string(failure) + " failures");
  if (received(r, kFunctionDlq) != (s.function_dlq ? failure : 0)) p.add("the DLQ got " + std::to_string(received(r, kFunctionDlq)) + " for " + std::to_string(failure) + " failures");
  for (const auto& [to, msgs] : r.destinations.items())
    if (to != kOnSuccess && to != kAsyncOnFailure && to != kFunctionDlq) p.add("unexpected destination " + to);
  return p;
}

// --- (b) order of first deliveries -------------------------------------------------------------

// `firsts` (ids in first-delivery order) restricted to one group must follow `sent` order.
void in_send_order(const std::vector<std::string>& sent, const std::vector<std::string>& firsts, const std::string& what, Problems& p) {
  std::map<std::string, std::size_t> pos;
  for (std::size_t i = 0; i < sent.size(); ++i) pos.emplace(sent[i], i);
  std::size_t last = 0;
  bool first = true;
  for (const auto& id : firsts) {
    auto it = pos.find(id);
    if (it == pos.end()) continue;
    if (!first && it->second < last) p.add(what + ": " + id + " was first delivered after a record sent later");
    last = it->second;
    first = false;
  }
}

Problems order(const RunSetup& s, const RunResult& r) {
  Problems p;
  if (s.queue()) {
    QueueView v = read_queue(r, p);
    std::map<std::string, std::vector<std::string>> sent, received, invoked;
    for (const auto& id : v.send_order) sent[v.msgs[id].group].push_back(id);
    for (const auto& id : v.first_receive) received[v.msgs[id].group].push_back(id);
    for (const auto& id : v.first_invoke) invoked[v.msgs[id].group].push_back(id);
    for (const auto& [group, ids] : sent) {
      in_send_order(ids, received[group], "group " + group + " receives", p);
      in_send_order(ids, invoked[group], "group " + group + " invocations", p);
    }
    // SEMANTICS.md §3.1, §8b: one in-flight batch per MessageGroupId.
    std::map<std::string, int64_t> busy_until;
    for (const auto& b : v.batches)
      for (const auto& g : b.groups) {
        if (g.empty()) continue;  // a standard queue has no groups
        if (b.at < busy_until[g]) p.add("group " + g + " received at t=" + std::to_string(b.at) + " while a batch of it is in flight");
        busy_until[g] = std::max(busy_until[g], b.end);
      }
  } else {
    LogView v = read_log(r, p);
    for (const auto& [lane, keys] : v.lanes) in_send_order(keys, v.first_invoke[lane], "lane " + lane, p);
    // SEMANTICS.md §3.2: one batch per shard (partition) at a time.
    std::map<std::string, int64_t> busy_until;
    for (const Json* e : v.invokes) {
      const int64_t at = (*e)["t"].get<int64_t>();
      int64_t& until = busy_until[(*e)["lane"]];
      if (at < until) p.add("lane " + str((*e)["lane"]) + " invoked at t=" + std::to_string(at) + " while its previous batch is in flight");
      until = at + (*e)["outcome"]["durationMs"].get<int64_t>();
    }
  }
  return p;
}

// --- (c) attempts within bounds ----------------------------------------------------------------

Problems bounds(const RunSetup& s, const RunResult& r) {
  Problems p;
  if (s.mode == Mode::kAsync) {
    AsyncView v = read_async(r);
    const int max_attempts = 1 + s.max_retries.value_or(2);
    for (const auto& [i, ev] : v.events) {
      const std::string c = "event " + std::to_string(i);
      if (ev.attempts > max_attempts) p.add(c + ": " + std::to_string(ev.attempts) + " attempts, bound " + std::to_string(max_attempts));
      if (ev.completes == 1 && ev.invoke_count != ev.attempts)
        p.add(c + ": approximateInvokeCount " + std::to_string(ev.invoke_count) + " for " + std::to_string(ev.attempts) + " attempts");
      if (ev.last_attempt_age > s.max_age_s * 1000) p.add(c + ": an attempt started after MaximumEventAgeInSeconds");
      if (ev.duplicates > 1) p.add(c + ": " + std::to_string(ev.duplicates) + " duplicate deliveries");
    }
    return p;
  }
  if (s.queue()) {
    QueueView v = read_queue(r, p);
    for (const auto& [id, m] : v.msgs)
      if (s.max_receives && m.receives > *s.max_receives * (1 + m.copies))
        p.add("message " + id + " received " + std::to_string(m.receives) + " times, maxReceiveCount " + std::to_string(*s.max_receives));
    // SEMANTICS.md §8b: a message that was not deleted reappears no earlier than the visibility
    // timeout (a duplicate-delivery copy is a second message under the same id: skipped).
    for (const auto& [id, times] : v.receive_times)
      for (std::size_t i = 1; i < times.size() && v.msgs[id].copies == 0; ++i)
        if (times[i] - times[i - 1] < kVisibilityTimeoutS * 1000)
          p.add("message " + id + " received again " + std::to_string(times[i] - times[i - 1]) + " ms after the previous receive");
    return p;
  }
  LogView v = read_log(r, p);
  const int retries = effective_retries(s);
  // A retry is the same batch invoked again on its lane; a duplicate-delivery fault (the
  // checkpoint was lost) starts the count afresh.
  std::map<std::string, std::pair<Json, int>> run;  // lane → (records, consecutive invocations)
  for (const auto& e : r.trace.entries()) {
    const std::string action = e["action"];
    if (action == "fault" && e["fault"] == "duplicate-delivery") run.erase(e["lane"]);
    if (action != "invoke") continue;
    if (e["records"].size() > static_cast<std::size_t>(s.batch_size)) p.add("batch of " + std::to_string(e["records"].size()) + " over BatchSize");
    auto& [records, n] = run[e["lane"]];
    n = records == e["records"] ? n + 1 : 1;
    records = e["records"];
    if (retries >= 0 && n > 1 + retries)
      p.add("lane " + str(e["lane"]) + ": batch from " + str(records.front()) + " invoked " + std::to_string(n) + " times in a row, bound " + std::to_string(1 + retries));
    if (retries >= 0 && e["attempt"].get<int>() > 1 + retries) p.add("invoke with attempt " + e["attempt"].dump() + " over " + std::to_string(1 + retries));
  }
  return p;
}

// --- (d) determinism ---------------------------------------------------------------------------

std::string fingerprint(const RunResult& r) {
  std::ostringstream out;
  r.trace.write_jsonl(out);
  out << r.destinations.dump() << r.gave_up << r.gave_up_reason << r.invocations << r.virtual_ms;
  return out.str();
}

// --- The properties ----------------------------------------------------------------------------

RC_GTEST_PROP(PollModeProperty, NoRecordIsLost, ()) {
  const RunSetup s = *poll_setup();
  RunResult r = run_setup(s);
  RC_TAG(s.source, r.gave_up ? "gave-up" : "settled");
  require(s.queue() ? no_loss_queue(s, r) : no_loss_log(s, r), r);
}

RC_GTEST_PROP(PollModeProperty, FirstDeliveriesKeepPerGroupOrder, ()) {
  RunSetup s = *poll_setup();
  RC_PRE(s.source != "sqs");  // a standard queue promises no order
  RunResult r = run_setup(s);
  require(order(s, r), r);
}

RC_GTEST_PROP(PollModeProperty, AttemptsStayWithinConfiguredBounds, ()) {
  const RunSetup s = *poll_setup();
  RunResult r = run_setup(s);
  require(bounds(s, r), r);
}

RC_GTEST_PROP(PollModeProperty, SameSeedGivesTheSameTrace, ()) {
  const RunSetup s = *poll_setup();
  RC_ASSERT(fingerprint(run_setup(s)) == fingerprint(run_setup(s)));
}

RC_GTEST_PROP(AsyncModeProperty, NoEventIsLost, ()) {
  const RunSetup s = *async_setup();
  RunResult r = run_setup(s);
  require(no_loss_async(s, r), r);
}

RC_GTEST_PROP(AsyncModeProperty, AttemptsStayWithinConfiguredBounds, ()) {
  const RunSetup s = *async_setup();
  RunResult r = run_setup(s);
  require(bounds(s, r), r);
}

RC_GTEST_PROP(AsyncModeProperty, SameSeedGivesTheSameTrace, ()) {
  const RunSetup s = *async_setup();
  RC_ASSERT(fingerprint(run_setup(s)) == fingerprint(run_setup(s)));
}

// --- The oracle has teeth: each check flags a trace edited to break it ----------------------

RunSetup fixed_fifo() {
  RunSetup s;
  s.source = "sqs-fifo";
  s.seed = 7;
  s.records = 60;
  s.keys = 3;
  s.poison = 0.2;
  s.style = Style::kThrowOnPoison;
  s.batch_size = 5;
  s.max_receives = 2;
  return s;
}

RunSetup fixed_kinesis() {
  RunSetup s;
  s.source = "kinesis";
  s.seed = 7;
  s.records = 80;
  s.keys = 4;
  s.shards = 2;
  s.poison = 0.1;
  s.style = Style::kThrowOnPoison;
  s.batch_size = 10;
  s.max_retries = 1;
  s.bisect = true;
  s.destination = true;
  return s;
}

RunSetup fixed_async() {
  RunSetup s;
  s.source = "sns";
  s.mode = Mode::kAsync;
  s.seed = 7;
  s.records = 30;
  s.poison = 0.3;
  s.style = Style::kThrowOnPoison;
  s.max_retries = 1;
  s.destination = true;
  s.function_dlq = true;
  return s;
}

std::vector<Json>::iterator first(RunResult& r, const char* action) {
  auto& e = r.trace.entries();
  return std::find_if(e.begin(), e.end(), [&](const Json& j) { return j["action"] == action; });
}

std::vector<Json>::iterator last(RunResult& r, const char* action) {
  auto& e = r.trace.entries();
  auto it = std::find_if(e.rbegin(), e.rend(), [&](const Json& j) { return j["action"] == action; });
  return it == e.rend() ? e.end() : std::prev(it.base());
}

Problems no_loss(const RunSetup& s, const RunResult& r) {
  return s.mode == Mode::kAsync ? no_loss_async(s, r) : s.queue() ? no_loss_queue(s, r) : no_loss_log(s, r);
}

TEST(PropertyOracle, HoldsOnUntouchedRunsThatExerciseIt) {
  for (const RunSetup& s : {fixed_fifo(), fixed_kinesis(), fixed_async()}) {
    RunResult r = run_setup(s);
    EXPECT_EQ(no_loss(s, r).text(), "") << s.source;
    EXPECT_EQ(bounds(s, r).text(), "") << s.source;
    if (s.mode == Mode::kPoll) {
      EXPECT_EQ(order(s, r).text(), "") << s.source;
    }
  }
  RunResult fifo = run_setup(fixed_fifo());
  for (const char* a : {"delete", "redrive"}) EXPECT_NE(first(fifo, a), fifo.trace.entries().end()) << a;
  RunResult kinesis = run_setup(fixed_kinesis());
  for (const char* a : {"checkpoint", "discard", "bisect"}) EXPECT_NE(first(kinesis, a), kinesis.trace.entries().end()) << a;
}

TEST(PropertyOracle, FlagsARecordThatIsNeverSettled) {
  struct Edit {
    RunSetup setup;
    const char* erase;
  };
  // Checkpoints are cumulative: only the last one of a lane is the sole acknowledgement of its batch.
  for (const auto& [s, action] : {Edit{fixed_fifo(), "delete"}, Edit{fixed_fifo(), "redrive"}, Edit{fixed_kinesis(), "discard"},
                                  Edit{fixed_kinesis(), "checkpoint"}, Edit{fixed_async(), "complete"}}) {
    RunResult r = run_setup(s);
    auto it = std::string(action) == "checkpoint" ? last(r, action) : first(r, action);
    ASSERT_NE(it, r.trace.entries().end()) << action;
    r.trace.entries().erase(it);
    EXPECT_NE(no_loss(s, r).text(), "") << s.source << " without its first " << action;
  }
}

TEST(PropertyOracle, FlagsAGaveUpWithNothingLeft) {
  for (const RunSetup& s : {fixed_fifo(), fixed_kinesis()}) {
    RunResult r = run_setup(s);
    ASSERT_FALSE(r.gave_up);
    r.gave_up = true;
    r.gave_up_reason = "budget";
    EXPECT_NE(no_loss(s, r).text(), "") << s.source;
  }
}

TEST(PropertyOracle, FlagsFirstDeliveriesOutOfSendOrder) {
  for (const RunSetup& s : {fixed_fifo(), fixed_kinesis()}) {
    RunResult r = run_setup(s);
    // Swap the first two sends of one group (lane): their deliveries are now out of send order.
    auto& e = r.trace.entries();
    const char* by = s.queue() ? "group" : "lane";
    auto a = first(r, "send");
    auto b = std::find_if(a + 1, e.end(), [&](const Json& j) { return j["action"] == "send" && j[by] == (*a)[by]; });
    ASSERT_NE(b, e.end());
    std::swap(*a, *b);
    EXPECT_NE(order(s, r).text(), "") << s.source;
  }
}

TEST(PropertyOracle, FlagsAttemptsOverTheBound) {
  for (const RunSetup& s : {fixed_fifo(), fixed_kinesis(), fixed_async()}) {
    RunResult r = run_setup(s);
    // The first delivery, repeated at once up to the bound: one attempt too many.
    auto it = first(r, s.queue() ? "receive" : "invoke");
    ASSERT_NE(it, r.trace.entries().end());
    const int repeats = s.queue() ? *s.max_receives : 1 + *s.max_retries;
    const Json copy = *it;
    r.trace.entries().insert(it + 1, static_cast<std::size_t>(repeats), copy);
    EXPECT_NE(bounds(s, r).text(), "") << s.source;
  }
}

}  // namespace
}  // namespace evh::harness
