// The same generated cases through every target kind give the same verdicts for the same seed:
// in-process C++, an HTTP Invoke endpoint, a Runtime API client in Node.js, and subprocesses.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <thread>
#include <tuple>

#include "examples/builtin.h"
#include "generators/catalog.h"
#include "harness/effects_server.h"
#include "harness/run.h"

namespace evh::harness {
namespace {

bool have_node() { return std::system("node --version >/dev/null 2>&1") == 0; }
std::string node(const std::string& script, const std::string& args) {
  return "node " + std::string(EVH_SOURCE_DIR) + "/examples/node/" + script + " " + args;
}

// A Lambda-dialect Invoke endpoint around a C++ builtin (SEMANTICS.md §1).
class InvokeServer {
 public:
  explicit InvokeServer(const std::string& handler) : handler_(*examples::find_builtin(handler)) {
    server_.Post("/2015-03-31/functions/function/invocations", [this](const httplib::Request& req, httplib::Response& res) {
      Json event = Json::parse(req.body, nullptr, false);
      Context ctx(req.get_header_value("X-Amzn-Trace-Id"), "f", "arn", 0, 3000, &sink_);
      try {
        res.set_content(handler_(event, ctx).dump(), "application/json");
      } catch (const FunctionError& e) {
        res.set_header("X-Amz-Function-Error", "Unhandled");
        res.set_content(Json{{"errorType", e.type()}, {"errorMessage", e.what()}}.dump(), "application/json");
      }
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~InvokeServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  Handler handler_;
  EffectsSink sink_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

using Verdict = std::tuple<std::size_t, std::string, std::string, int>;  // case, invariant, pointer, status

struct Observed {
  std::vector<Verdict> findings;
  std::vector<std::size_t> effects_per_case;
};

Observed run_through(const std::string& spec, const std::string& source, uint64_t cases, MutateFilter mutate) {
  EffectsSink sink;
  EffectsServer effects(sink);
  EXPECT_TRUE(effects.start().ok());
  TargetOptions opts;
  opts.effects = &sink;
  opts.effects_url = effects.url();
  opts.builtin = [](const std::string& n) { return examples::find_builtin(n); };
  auto target = make_target(spec, opts);
  EXPECT_TRUE(target.ok()) << spec << ": " << target.error().message;
  RunConfig config;
  config.source = &**find_source(source);
  config.seed = 4242;
  config.cases = cases;
  config.mutate = mutate;
  auto r = run(config, **target, sink);
  (*target)->stop();
  EXPECT_TRUE(r.ok()) << spec << ": " << r.error().message;
  Observed o;
  for (const auto& f : r->findings)
    o.findings.emplace_back(f.finding.case_index, f.finding.invariant, f.finding.pointer, f.finding.http_status);
  o.effects_per_case.assign(cases, 0);
  for (const auto& e : r->trace.entries())
    if (e["action"] == "invoke" && e.contains("effects")) o.effects_per_case[e["case"].get<std::size_t>()] += e["effects"].size();
  return o;
}

class CrossTarget : public ::testing::TestWithParam<std::tuple<std::string, std::string, MutateFilter>> {};

TEST_P(CrossTarget, SameSeedSameVerdictsOnEveryTargetKind) {
  if (!have_node()) GTEST_SKIP() << "node is not installed: the out-of-process handlers are in JavaScript";
  const auto& [source, handler, mutate] = GetParam();
  const uint64_t cases = 25;
  Observed in_process = run_through("builtin:" + handler, source, cases, mutate);
  InvokeServer server(handler);
  Observed http = run_through(server.url(), source, cases, mutate);
  Observed runtime = run_through("runtime-api:" + node("runtime_client.js", handler), source, cases, mutate);
  Observed exec = run_through("exec:" + node("exec.js", handler), source, cases, mutate);
  Observed persistent = run_through("exec-persistent:" + node("exec.js", "--persistent " + handler), source, cases, mutate);
  EXPECT_EQ(http.findings, in_process.findings) << "http";
  EXPECT_EQ(runtime.findings, in_process.findings) << "runtime-api";
  EXPECT_EQ(exec.findings, in_process.findings) << "exec";
  EXPECT_EQ(persistent.findings, in_process.findings) << "exec-persistent";
  // Effects reach evh from every out-of-process kind through EVH_EFFECTS_URL.
  EXPECT_EQ(runtime.effects_per_case, in_process.effects_per_case) << "runtime-api";
  EXPECT_EQ(exec.effects_per_case, in_process.effects_per_case) << "exec";
  EXPECT_EQ(persistent.effects_per_case, in_process.effects_per_case) << "exec-persistent";
}

INSTANTIATE_TEST_SUITE_P(Handlers, CrossTarget,
                         ::testing::Values(std::make_tuple("apigw-rest", "apigw-fragile", MutateFilter::kAny),
                                           std::make_tuple("apigw-rest", "apigw-string-status", MutateFilter::kNone),
                                           std::make_tuple("apigw-http", "apigw-echo", MutateFilter::kAny),
                                           std::make_tuple("sqs", "sqs-partial", MutateFilter::kAny)));

}  // namespace
}  // namespace evh::harness
