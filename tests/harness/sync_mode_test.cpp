// Sync mode end to end with in-process targets: invariants, faults, determinism.
#include <gtest/gtest.h>

#include "tests/util/run_command.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "examples/builtin.h"
#include "generators/catalog.h"
#include "harness/run.h"

namespace evh::harness {
namespace {

struct Fixture {
  EffectsSink sink;
  TargetOptions options;
  std::unique_ptr<Target> target;
  RunConfig config;

  Fixture(const std::string& source, const std::string& handler, uint64_t cases, MutateFilter mutate,
          const std::string& faults = "") {
    options.effects = &sink;
    target = make_in_process_target(*examples::find_builtin(handler), "builtin:" + handler, options);
    config.source = &**find_source(source);
    config.seed = 20261123;
    config.cases = cases;
    config.mutate = mutate;
    config.faults = *FaultPlan::parse(faults);
  }
  RunResult run() {
    auto r = harness::run(config, *target, sink);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return std::move(*r);
  }
};

std::size_t count(const RunResult& r, const std::string& invariant) {
  std::size_t n = 0;
  for (const auto& f : r.findings) n += f.finding.invariant == invariant;
  return n;
}

const InvariantVerdict& verdict(const RunResult& r, const std::string& id) {
  for (const auto& v : r.verdicts)
    if (v.id == id) return v;
  ADD_FAILURE() << "no verdict " << id;
  return r.verdicts.front();
}

TEST(SyncMode, CorrectHttpHandlerHoldsEveryInvariant) {
  for (const char* source : {"apigw-rest", "apigw-http", "alb", "function-url"}) {
    Fixture fx(source, "apigw-echo", 60, MutateFilter::kAny);
    RunResult r = fx.run();
    EXPECT_TRUE(r.findings.empty()) << source << ": " << r.findings.front().finding.message;
    EXPECT_EQ(r.cases_run, 60u);
    EXPECT_EQ(verdict(r, "contract.response").status(), "held") << source;
    EXPECT_EQ(verdict(r, "robust.no-crash").status(), "held") << source;
    EXPECT_EQ(r.exit_code(), 0);
  }
}

TEST(SyncMode, StringStatusCodeIsAContractFindingWith502) {
  Fixture fx("apigw-rest", "apigw-string-status", 5, MutateFilter::kNone);
  RunResult r = fx.run();
  ASSERT_EQ(count(r, "contract.response"), 5u);
  const Finding& f = r.findings.front().finding;
  EXPECT_EQ(f.pointer, "/statusCode");
  EXPECT_EQ(f.http_status, 502);
  EXPECT_EQ(r.exit_code(), 1);
}

TEST(SyncMode, BodyThatIsNotAStringIsAContractFinding) {
  Fixture fx("apigw-rest", "apigw-object-body", 3, MutateFilter::kNone);
  RunResult r = fx.run();
  ASSERT_EQ(count(r, "contract.response"), 3u);
  EXPECT_EQ(r.findings.front().finding.pointer, "/body");
  EXPECT_EQ(r.findings.front().finding.http_status, 502);
}

TEST(SyncMode, Base64EncodedTypoIsAContractFinding) {
  Fixture fx("apigw-rest", "apigw-base64-typo", 3, MutateFilter::kNone);
  RunResult r = fx.run();
  ASSERT_EQ(count(r, "contract.response"), 3u);
  EXPECT_EQ(r.findings.front().finding.pointer, "/base64Encoded");
  EXPECT_EQ(r.findings.front().finding.http_status, 502);
}

TEST(SyncMode, HandlerThatThrowsOnMalformedInputIsACrashWith502) {
  Fixture valid("apigw-rest", "apigw-fragile", 40, MutateFilter::kNone);
  EXPECT_EQ(count(valid.run(), "robust.no-crash"), 0u);
  Fixture illegal("apigw-rest", "apigw-fragile", 40, MutateFilter::kIllegal);
  RunResult r = illegal.run();
  ASSERT_GT(count(r, "robust.no-crash"), 0u);
  for (const auto& f : r.findings) {
    if (f.finding.invariant != "robust.no-crash") continue;
    EXPECT_EQ(f.finding.http_status, 502);
    EXPECT_EQ(f.kase.expect, Expect::kIllegal);
    EXPECT_NE(f.finding.message.find("TypeError"), std::string::npos);
  }
  // The correct handler answers the same illegal cases with 4xx and no finding.
  Fixture echo("apigw-rest", "apigw-echo", 40, MutateFilter::kIllegal);
  EXPECT_EQ(count(echo.run(), "robust.no-crash"), 0u);
}

TEST(SyncMode, HangIsANoHangFindingOnTheVirtualClock) {
  Fixture fx("sqs", "hang", 4, MutateFilter::kNone);
  fx.config.scenario.function.timeout = std::chrono::seconds(900);
  RunResult r = fx.run();
  EXPECT_EQ(count(r, "robust.no-hang"), 4u);
  EXPECT_GE(r.virtual_ms, 4 * 900000);  // an hour of platform time, no real waiting
}

TEST(SyncMode, InjectedTimeoutIsNotBlamedOnTheHandler) {
  Fixture fx("apigw-http", "apigw-echo", 20, MutateFilter::kNone, "timeout=1");
  RunResult r = fx.run();
  EXPECT_EQ(count(r, "robust.no-hang"), 0u);
  EXPECT_TRUE(r.findings.empty());
  // Every delivery was cut, so the caller retried up to the bound.
  EXPECT_EQ(r.invocations, 20u * 4u);
}

TEST(SyncMode, LostResponseDeliversTheSameEventAgain) {
  Fixture fx("sqs", "sqs-partial", 10, MutateFilter::kNone, "lost-response=1");
  RunResult r = fx.run();
  std::map<std::size_t, std::set<std::string>> request_ids;
  std::map<std::size_t, int> invokes;
  for (const auto& e : r.trace.entries()) {
    if (e["action"] != "invoke") continue;
    std::size_t c = e["case"].get<std::size_t>();
    ++invokes[c];
    request_ids[c].insert(e["requestId"].get<std::string>());
    EXPECT_TRUE(e.value("responseDiscarded", false));
  }
  ASSERT_EQ(invokes.size(), 10u);
  for (auto& [c, n] : invokes) {
    EXPECT_EQ(n, 4);                       // bounded redeliveries
    EXPECT_EQ(request_ids[c].size(), 4u);  // each delivery is a new request
  }
}

TEST(SyncMode, ThrottledDeliveriesNeverRunTheFunction) {
  Fixture fx("apigw-http", "apigw-echo", 5, MutateFilter::kNone, "throttle=1");
  RunResult r = fx.run();
  EXPECT_EQ(r.invocations, 0u);
  std::size_t throttles = 0;
  for (const auto& e : r.trace.entries()) throttles += e["action"] == "throttle";
  EXPECT_EQ(throttles, 20u);
  EXPECT_EQ(verdict(r, "robust.no-crash").status(), "not-exercised");
}

TEST(SyncMode, DuplicateDeliveryInvokesTwice) {
  Fixture fx("sqs", "sqs-partial", 30, MutateFilter::kNone, "duplicate-delivery=0.5");
  RunResult r = fx.run();
  EXPECT_GT(r.invocations, 30u);
  EXPECT_LE(r.invocations, 120u);
  std::size_t dup = 0;
  for (const auto& e : r.trace.entries()) dup += e["action"] == "fault" && e["fault"] == "duplicate-delivery";
  EXPECT_EQ(r.invocations, 30u + dup);
}

TEST(SyncMode, SameSeedGivesTheSameTrace) {
  auto trace_of = [] {
    Fixture fx("apigw-rest", "apigw-fragile", 40, MutateFilter::kAny,
               "duplicate-delivery=0.2,lost-response=0.2,throttle=0.2,delay=0.2,cold-start=0.2,timeout=0.1");
    RunResult r = fx.run();
    std::ostringstream out;
    r.trace.write_jsonl(out);
    return out.str();
  };
  std::string a = trace_of();
  EXPECT_EQ(a, trace_of());
  EXPECT_NE(a.find("\"fault\":\"delay\""), std::string::npos);
}

TEST(SyncMode, DryRunDoesNotRunTheFunction) {
  Fixture fx("sqs", "hang", 3, MutateFilter::kNone);
  fx.config.invoke_type = InvokeType::kDryRun;
  RunResult r = fx.run();
  EXPECT_TRUE(r.findings.empty());
  for (const auto& e : r.trace.entries()) {
    if (e["action"] == "invoke") {
      EXPECT_EQ(e["outcome"]["status"], 204);
    }
  }
}

TEST(SyncMode, RequestOver6MiBIsRefusedBeforeInvoking) {
  Fixture fx("apigw-http", "hang", 0, MutateFilter::kNone);
  Case big = EventGenerator(*fx.config.source, PayloadContract::builtin()).generate(1);
  big.event["body"] = std::string(6291457, 'x');
  fx.config.input = {big};
  RunResult r = fx.run();
  EXPECT_EQ(r.invocations, 0u);
  EXPECT_TRUE(r.findings.empty());
  bool rejected = false;
  for (const auto& e : r.trace.entries()) rejected = rejected || (e["action"] == "reject" && e["status"] == 413);
  EXPECT_TRUE(rejected);
}

TEST(SyncMode, InProcessEffectsCarryTheRequestId) {
  Fixture fx("sqs", "sqs-partial", 5, MutateFilter::kNone);
  RunResult r = fx.run();
  std::size_t effects = 0;
  for (const auto& e : r.trace.entries()) {
    if (e["action"] != "invoke") continue;
    ASSERT_TRUE(e.contains("effects"));
    for (const auto& eff : e["effects"]) {
      EXPECT_EQ(eff["requestId"], e["requestId"]);
      ++effects;
    }
    EXPECT_EQ(e["effects"].size(), e["records"].size());  // one effect per record
  }
  EXPECT_GT(effects, 0u);
}

TEST(Invariants, SelectionRefusesUnknownIdsAndExcludes) {
  auto bad = select_invariants("robust.no-crash,robust.typo", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("robust.typo"), std::string::npos);
  auto some = select_invariants("", "robust.no-hang");
  ASSERT_TRUE(some.ok());
  for (const auto* i : *some) EXPECT_STRNE(i->id, "robust.no-hang");
  EXPECT_EQ(some->size(), invariants().size() - 1);
}

std::string read_doc(const std::string& name) {
  return evh::testing::read_text(std::string(EVH_SOURCE_DIR) + "/docs/reference/" + name);
}

TEST(Invariants, IdsAreUniqueDottedAndDocumented) {
  std::set<std::string> ids;
  std::string doc = read_doc("invariants.md");
  ASSERT_FALSE(doc.empty());
  for (const auto& i : invariants()) {
    EXPECT_TRUE(ids.insert(i.id).second) << i.id;
    EXPECT_NE(std::string(i.id).find('.'), std::string::npos) << i.id;
    EXPECT_NE(doc.find(std::string("\n## ") + i.id + "\n"), std::string::npos) << "docs/reference/invariants.md has no section for " << i.id;
  }
}

TEST(FaultPlan, EveryFaultIsDocumented) {
  std::string doc = read_doc("faults.md");
  ASSERT_FALSE(doc.empty());
  for (const auto& f : fault_kinds())
    EXPECT_NE(doc.find(std::string("\n## ") + f.name + "\n"), std::string::npos) << "docs/reference/faults.md has no section for " << f.name;
}

}  // namespace
}  // namespace evh::harness

namespace evh::harness {
namespace {

// A listener that accepts every connection and closes it without a byte: a target that drops
// the connection mid-invocation.
class ClosingListener {
 public:
  ClosingListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;  // bounded: re-checks stop_ every 50 ms
        int c = ::accept(fd_, nullptr, nullptr);
        if (c >= 0) ::close(c);
      }
    });
  }
  ~ClosingListener() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(SyncMode, TargetThatClosesTheConnectionIsACrashFindingAndTheRunGoesOn) {
  ClosingListener listener;
  EffectsSink sink;
  TargetOptions opts;
  opts.effects = &sink;
  auto target = make_target(listener.url(), opts);
  ASSERT_TRUE(target.ok()) << target.error().message;
  RunConfig config;
  config.source = &**find_source("apigw-http");
  config.seed = 5;
  config.cases = 3;
  config.mutate = MutateFilter::kNone;
  auto r = run(config, **target, sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->cases_run, 3u);
  ASSERT_EQ(r->findings.size(), 3u);
  for (const auto& f : r->findings) {
    EXPECT_EQ(f.finding.invariant, "robust.no-crash");
    EXPECT_NE(f.finding.message.find("no answer"), std::string::npos) << f.finding.message;
  }
}

TEST(SyncMode, ZeroReservedConcurrencyThrottlesEveryCallAndTheHandlerNeverRuns) {
  // SEMANTICS.md §7: 429 ReservedFunctionConcurrentInvocationLimitExceeded; the caller retries.
  Fixture fx("apigw-http", "apigw-echo", 3, MutateFilter::kNone);
  fx.config.scenario.reserved_concurrency = 0;
  RunResult r = fx.run();
  EXPECT_EQ(r.invocations, 0u);
  std::size_t throttles = 0;
  for (const auto& e : r.trace.entries())
    if (e["action"] == "throttle") {
      ++throttles;
      EXPECT_EQ(e["status"], 429);
    }
  EXPECT_EQ(throttles, 3u * 4u);  // every delivery the caller makes, for every case
}

}  // namespace
}  // namespace evh::harness
