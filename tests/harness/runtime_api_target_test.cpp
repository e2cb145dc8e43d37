// Runtime API target (`runtime-api:'CMD'`): evh serves the Runtime API 2018-06-01 (SEMANTICS.md
// §8) and runs real runtime processes: examples/node/runtime_client.js, a test runtime driven by
// the event (written below), and, when EVH_NODE_RIC_DIR is set, the official Node runtime
// interface client. Every test skips with a message when node is not installed.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "examples/builtin.h"
#include "generators/json.h"
#include "harness/internal/runtime_api_protocol.h"
#include "harness/internal/targets.h"
#include "harness/target.h"
#include "tests/util/run_command.h"

namespace evh::harness {
namespace {

using namespace std::chrono_literals;

// A runtime for the tests whose behaviour is chosen by the event's "op", so one process can
// crash, hang or answer in turn. It speaks the Runtime API directly (no handler library).
constexpr const char* kTestRuntime = R"JS('use strict';
const http = require('http');
const fs = require('fs');
const api = process.env.AWS_LAMBDA_RUNTIME_API;
const agent = new http.Agent({ keepAlive: true });
function call(method, path, body, headers) {
  return new Promise((resolve, reject) => {
    const h = Object.assign({}, headers || {});
    if (body !== undefined) h['content-length'] = Buffer.byteLength(body);
    const [host, port] = api.split(':');
    const req = http.request({ host, port, method, path: '/2018-06-01' + path, agent, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const statuses = [];
(async () => {
  if (process.env.TEST_INIT_ERROR) {
    const doc = { errorType: 'Runtime.ImportModuleError', errorMessage: "Cannot find module 'missing'", trace: [] };
    await call('POST', '/runtime/init/error', JSON.stringify(doc),
               { 'content-type': 'application/json', 'Lambda-Runtime-Function-Error-Type': doc.errorType });
    process.exit(1);
  }
  for (;;) {
    const next = await call('GET', '/runtime/invocation/next');
    const id = next.headers['lambda-runtime-aws-request-id'];
    const ev = JSON.parse(next.body);
    const base = '/runtime/invocation/' + id;
    const respond = (body) => call('POST', base + '/response', body, { 'content-type': 'application/json' });
    switch (ev.op) {
      case 'echo': await respond(JSON.stringify({ pid: process.pid, event: ev })); break;
      case 'headers': {
        const env = {};
        for (const k of ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
                         'AWS_LAMBDA_FUNCTION_TIMEOUT', '_HANDLER', 'AWS_REGION', 'AWS_DEFAULT_REGION',
                         'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'LAMBDA_TASK_ROOT', 'TZ',
                         'AWS_ACCESS_KEY_ID', 'AWS_EXECUTION_ENV', 'EVH_EFFECTS_URL', 'EXTRA_VAR']) env[k] = process.env[k];
        await respond(JSON.stringify({ headers: next.headers, env, now: Date.now() }));
        break;
      }
      case 'exit': process.exit(ev.code);
      case 'hang': await new Promise(() => setInterval(() => {}, 1 << 30)); break;
      case 'big': statuses.push((await respond('x'.repeat(ev.n))).status); break;
      case 'statuses': await respond(JSON.stringify(statuses)); statuses.length = 0; break;
      case 'protocol':
        statuses.push((await call('POST', '/runtime/invocation/no-such-id/response', '{}')).status);
        statuses.push((await respond('"first"')).status);
        statuses.push((await respond('"second"')).status);
        statuses.push((await call('POST', base + '/error', '{}')).status);
        statuses.push((await call('POST', '/runtime/init/error', '{}')).status);
        statuses.push((await call('GET', '/runtime/no-such-route')).status);
        break;
      case 'error':
        await call('POST', base + '/error', ev.body, ev.type ? { 'Lambda-Runtime-Function-Error-Type': ev.type } : {});
        break;
      case 'exit-after-reply': await respond('"bye"'); process.exit(0);
      case 'rendezvous': {
        // Answers only once `count` invocations are inside a handler at the same time.
        fs.writeFileSync(ev.dir + '/' + process.pid, '');
        const until = Date.now() + 5000;
        while (fs.readdirSync(ev.dir).length < ev.count && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
        await respond(JSON.stringify({ pid: process.pid, met: fs.readdirSync(ev.dir).length >= ev.count }));
        break;
      }
    }
  }
})();
)JS";

bool have_node() {
  static const bool have = std::system("node --version >/dev/null 2>&1") == 0;
  return have;
}

#define SKIP_WITHOUT_NODE() \
  if (!have_node()) GTEST_SKIP() << "node is not installed: the runtime-api tests need a Node runtime"

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string client_command(const std::string& handler) {
  return "node " + quoted(std::string(EVH_SOURCE_DIR) + "/examples/node/runtime_client.js") + " " + handler;
}

std::string test_runtime_command() {
  static const std::string path = [] {
    std::string p = evh::testing::temp_dir() + "/test_runtime.js";
    evh::testing::write_file(p, kTestRuntime);
    return p;
  }();
  return "node " + quoted(path);
}

std::unique_ptr<Target> make(const std::string& command, const TargetOptions& options = {}) {
  auto t = internal::make_runtime_api_target(command, options);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
  return t.ok() ? std::move(t.value()) : nullptr;
}

Invocation invocation(const Json& event, std::chrono::milliseconds timeout = 3000ms) {
  static std::atomic<int> counter{0};  // invocations are built on two threads in the concurrency test
  Invocation inv;
  inv.request_id = "c0ffee00-0000-4000-8000-" + std::to_string(100000000000 + ++counter);
  inv.payload = dump(event);
  inv.timeout = timeout;
  inv.now_ms = 1700000000000;
  inv.deadline_ms = inv.now_ms + timeout.count();
  inv.function_name = "evh-function";
  inv.function_arn = "arn:aws:lambda:us-east-1:123456789012:function:evh-function";
  inv.trace_id = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0";
  return inv;
}

Json parsed(const Outcome& o) { return Json::parse(o.payload, nullptr, false); }

TEST(RuntimeApiTarget, NodeClientAnswersLikeTheBuiltinApigwEcho) {
  SKIP_WITHOUT_NODE();
  auto target = make(client_command("apigw-echo"));
  ASSERT_TRUE(target->start().ok());
  const Handler* builtin = examples::find_builtin("apigw-echo");
  ASSERT_NE(builtin, nullptr);
  const std::vector<Json> events = {
      Json::parse(R"({"resource":"/","path":"/","httpMethod":"GET","body":null,"requestContext":{"requestId":"r"}})"),
      Json::parse(R"({"body":{"not":"a string"},"requestContext":{}})"),
      Json::parse(R"([1,2,3])"),
  };
  for (const auto& event : events) {
    Outcome out = target->invoke(invocation(event));
    Context ctx("r", "evh-function", "arn", 0, 3000, nullptr);
    Json expected = (*builtin)(event, ctx);
    EXPECT_EQ(out.kind, OutcomeKind::kSuccess) << out.detail;
    EXPECT_EQ(out.status, 200);
    EXPECT_EQ(out.content_type, "application/json");
    EXPECT_EQ(nlohmann::json::parse(out.payload), nlohmann::json::parse(dump(expected))) << dump(event);
    EXPECT_FALSE(out.restarted);
  }
  target->stop();
}

// Shrinking and replay deliver a case again with the same request id: each delivery is an
// invocation of its own, answered on time, not refused as "already answered".
TEST(RuntimeApiTarget, SameRequestIdDeliveredAgainIsAnsweredAgain) {
  SKIP_WITHOUT_NODE();
  auto target = make(client_command("apigw-echo"));
  ASSERT_TRUE(target->start().ok());
  Invocation inv = invocation(Json::parse(R"({"body":"x","requestContext":{}})"), 2000ms);
  for (int i = 0; i < 3; ++i) {
    Outcome out = target->invoke(inv);
    EXPECT_EQ(out.kind, OutcomeKind::kSuccess) << "delivery " << i << ": " << out.detail;
    EXPECT_FALSE(out.restarted) << "delivery " << i;
  }
  target->stop();
}

TEST(RuntimeApiTarget, FragileHandlerOnMalformedEventIsFunctionErrorTypeError) {
  SKIP_WITHOUT_NODE();
  auto target = make(client_command("apigw-fragile"));
  ASSERT_TRUE(target->start().ok());
  Outcome out = target->invoke(invocation(Json::parse(R"({"body":"x"})")));
  EXPECT_EQ(out.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(out.function_error, "Unhandled");
  EXPECT_EQ(out.error_type, "TypeError");
  EXPECT_EQ(out.error_message, "Cannot read properties of undefined (reading 'body')");
  EXPECT_EQ(parsed(out).value("errorType", ""), "TypeError");
  // A function error does not cost the runtime: the next event runs on the same process.
  Outcome ok = target->invoke(invocation(Json::parse(R"({"body":"x","requestContext":{}})")));
  EXPECT_EQ(ok.kind, OutcomeKind::kSuccess);
  EXPECT_FALSE(ok.restarted);
}

TEST(RuntimeApiTarget, GarbageAnswerIsKeptAsPostedForTheContractChecks) {
  SKIP_WITHOUT_NODE();
  auto target = make(client_command("garbage"));
  ASSERT_TRUE(target->start().ok());
  Outcome out = target->invoke(invocation(Json::object()));
  EXPECT_EQ(out.kind, OutcomeKind::kSuccess);
  EXPECT_EQ(out.payload, "<html>502 Bad Gateway</html>");
}

TEST(RuntimeApiTarget, CrashingHandlerIsRuntimeExitErrorAndRestarts) {
  SKIP_WITHOUT_NODE();
  auto target = make(client_command("crash"));
  ASSERT_TRUE(target->start().ok());
  for (int i = 0; i < 2; ++i) {  // the second one runs on the restarted runtime
    Invocation inv = invocation(Json::object());
    Outcome out = target->invoke(inv);
    EXPECT_EQ(out.kind, OutcomeKind::kCrash);
    EXPECT_EQ(out.status, 200);
    EXPECT_EQ(out.function_error, "Unhandled");
    EXPECT_EQ(out.error_type, "Runtime.ExitError");
    EXPECT_EQ(out.error_message, "RequestId: " + inv.request_id + " Error: Runtime exited with error: exit status 3");
    EXPECT_TRUE(out.restarted);
  }
}

TEST(RuntimeApiTarget, InvocationAfterACrashRunsOnAFreshRuntime) {
  SKIP_WITHOUT_NODE();
  auto target = make(test_runtime_command());
  ASSERT_TRUE(target->start().ok());
  Outcome first = target->invoke(invocation(Json{{"op", "echo"}}));
  ASSERT_EQ(first.kind, OutcomeKind::kSuccess);
  Outcome crash = target->invoke(invocation(Json{{"op", "exit"}, {"code", 1}}));
  EXPECT_EQ(crash.kind, OutcomeKind::kCrash);
  EXPECT_EQ(crash.detail, "runtime exited during the invocation: exit status 1");
  EXPECT_TRUE(crash.restarted);
  Outcome after = target->invoke(invocation(Json{{"op", "echo"}}));
  ASSERT_EQ(after.kind, OutcomeKind::kSuccess);
  EXPECT_NE(parsed(after)["pid"], parsed(first)["pid"]);
}

TEST(RuntimeApiTarget, HangIsTimeoutThenTheRestartedRuntimeAnswers) {
  SKIP_WITHOUT_NODE();
  auto target = make(test_runtime_command());
  ASSERT_TRUE(target->start().ok());
  Invocation inv = invocation(Json{{"op", "hang"}}, 300ms);
  Outcome out = target->invoke(inv);
  EXPECT_EQ(out.kind, OutcomeKind::kTimeout);
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(out.error_type, "Sandbox.Timedout");
  EXPECT_EQ(out.error_message, "RequestId: " + inv.request_id + " Error: Task timed out after 0.30 seconds");
  EXPECT_TRUE(out.restarted);
  Outcome next = target->invoke(invocation(Json{{"op", "echo"}}, 300ms));
  EXPECT_EQ(next.kind, OutcomeKind::kSuccess);
  EXPECT_FALSE(next.restarted);
}

TEST(RuntimeApiTarget, NodeClientHangIsTimeout) {
  SKIP_WITHOUT_NODE();
  auto target = make(client_command("hang"));
  ASSERT_TRUE(target->start().ok());
  Outcome out = target->invoke(invocation(Json::object(), 300ms));
  EXPECT_EQ(out.kind, OutcomeKind::kTimeout);
  EXPECT_TRUE(out.restarted);
}

TEST(RuntimeApiTarget, ResponseOverTheCapIsFunctionResponseSizeTooLarge) {
  SKIP_WITHOUT_NODE();
  auto target = make(test_runtime_command());
  ASSERT_TRUE(target->start().ok());
  // SEMANTICS.md §1: 6 MiB + 100 bytes is the last size that passes.
  Outcome at_cap = target->invoke(invocation(Json{{"op", "big"}, {"n", 6291556}}));
  EXPECT_EQ(at_cap.kind, OutcomeKind::kSuccess);
  EXPECT_EQ(at_cap.payload.size(), 6291556u);
  Outcome over = target->invoke(invocation(Json{{"op", "big"}, {"n", 6291557}}));
  EXPECT_EQ(over.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(over.function_error, "Unhandled");
  EXPECT_EQ(over.error_type, "Function.ResponseSizeTooLarge");
  EXPECT_EQ(parsed(over), response_too_large_error());
  // The runtime saw 202 then 413, and keeps serving.
  Outcome statuses = target->invoke(invocation(Json{{"op", "statuses"}}));
  EXPECT_EQ(parsed(statuses), Json::parse("[202,413]"));
}

TEST(RuntimeApiTarget, OversizeResponseFromInlineNodeScript) {
  SKIP_WITHOUT_NODE();
  // The runtime as a one-liner: answers every event with 6,291,557 bytes.
  const std::string script =
      "const h=require(\"http\");const a=process.env.AWS_LAMBDA_RUNTIME_API;"
      "const loop=()=>h.get(\"http://\"+a+\"/2018-06-01/runtime/invocation/next\",(r)=>{r.resume();"
      "const id=r.headers[\"lambda-runtime-aws-request-id\"];"
      "const q=h.request(\"http://\"+a+\"/2018-06-01/runtime/invocation/\"+id+\"/response\",{method:\"POST\"},"
      "(s)=>{s.resume();s.on(\"end\",loop);});q.end(\"y\".repeat(6291557));});loop();";
  auto target = make("node -e '" + script + "'");
  ASSERT_TRUE(target->start().ok());
  Outcome out = target->invoke(invocation(Json::object()));
  EXPECT_EQ(out.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(out.error_type, "Function.ResponseSizeTooLarge");
  EXPECT_EQ(parsed(out).value("errorMessage", ""),
            "Response payload size exceeded maximum allowed payload size (6291556 bytes).");
}

TEST(RuntimeApiTarget, InitErrorFailsTheInvocationAndRestartsTheRuntime) {
  SKIP_WITHOUT_NODE();
  TargetOptions options;
  options.env["TEST_INIT_ERROR"] = "1";
  auto target = make(test_runtime_command(), options);
  // An init failure is the function's, not evh's: start() succeeds and the invocation reports it.
  ASSERT_TRUE(target->start().ok());
  for (int i = 0; i < 2; ++i) {
    Outcome out = target->invoke(invocation(Json::object()));
    EXPECT_EQ(out.kind, OutcomeKind::kFunctionError);
    EXPECT_EQ(out.function_error, "Unhandled");
    EXPECT_EQ(out.error_type, "Runtime.ImportModuleError");
    EXPECT_EQ(out.error_message, "Cannot find module 'missing'");
    EXPECT_EQ(parsed(out).value("errorType", ""), "Runtime.ImportModuleError");
    EXPECT_TRUE(out.restarted);
  }
}

TEST(RuntimeApiTarget, NodeClientWithUnknownHandlerReportsInitError) {
  SKIP_WITHOUT_NODE();
  auto target = make(client_command("no-such-handler"));
  ASSERT_TRUE(target->start().ok());
  Outcome out = target->invoke(invocation(Json::object()));
  EXPECT_EQ(out.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(out.error_type, "Runtime.HandlerNotFound");
  EXPECT_TRUE(out.restarted);
}

TEST(RuntimeApiTarget, NextDeliversEveryLambdaRuntimeHeader) {
  SKIP_WITHOUT_NODE();
  auto target = make(test_runtime_command());
  ASSERT_TRUE(target->start().ok());
  Invocation inv = invocation(Json{{"op", "headers"}}, 2000ms);
  inv.client_context = R"({"custom":{"k":"v"}})";
  inv.cognito_identity = R"({"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"})";
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  Outcome out = target->invoke(inv);
  ASSERT_EQ(out.kind, OutcomeKind::kSuccess) << out.payload;
  Json h = parsed(out)["headers"];
  EXPECT_EQ(h["lambda-runtime-aws-request-id"], inv.request_id);
  EXPECT_EQ(h["lambda-runtime-invoked-function-arn"], inv.function_arn);
  EXPECT_EQ(h["lambda-runtime-trace-id"], inv.trace_id);
  EXPECT_EQ(h["lambda-runtime-client-context"], inv.client_context);
  EXPECT_EQ(h["lambda-runtime-cognito-identity"], inv.cognito_identity);
  EXPECT_EQ(h["content-type"], "application/json");
  // The deadline is real wall-clock epoch ms: now + the function timeout.
  const int64_t deadline = std::stoll(h["lambda-runtime-deadline-ms"].get<std::string>());
  EXPECT_GE(deadline, before + 2000);
  EXPECT_LE(deadline, parsed(out)["now"].get<int64_t>() + 2000);

  Outcome plain = target->invoke(invocation(Json{{"op", "headers"}}));
  Json h2 = parsed(plain)["headers"];
  EXPECT_FALSE(h2.contains("lambda-runtime-client-context"));
  EXPECT_FALSE(h2.contains("lambda-runtime-cognito-identity"));
}

TEST(RuntimeApiTarget, RuntimeEnvironmentDescribesTheFunction) {
  SKIP_WITHOUT_NODE();
  TargetOptions options;
  options.function.name = "orders";
  options.function.region = "eu-west-1";
  options.function.timeout = 2500ms;
  options.function.memory_mb = 512;
  options.function.handler = "index.main";
  options.effects_url = "http://127.0.0.1:1/effects";
  options.env["EXTRA_VAR"] = "extra";
  auto target = make(test_runtime_command(), options);
  ASSERT_TRUE(target->start().ok());
  Outcome out = target->invoke(invocation(Json{{"op", "headers"}}));
  ASSERT_EQ(out.kind, OutcomeKind::kSuccess);
  Json env = parsed(out)["env"];
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_NAME"], "orders");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "512");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_TIMEOUT"], "3");  // whole seconds, rounded up
  EXPECT_EQ(env["_HANDLER"], "index.main");
  EXPECT_EQ(env["AWS_REGION"], "eu-west-1");
  EXPECT_EQ(env["AWS_DEFAULT_REGION"], "eu-west-1");
  EXPECT_EQ(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/orders");
  EXPECT_NE(env["AWS_LAMBDA_LOG_STREAM_NAME"].get<std::string>().find("[$LATEST]"), std::string::npos);
  EXPECT_EQ(env["LAMBDA_TASK_ROOT"], std::filesystem::current_path().string());
  EXPECT_EQ(env["TZ"], ":UTC");
  EXPECT_TRUE(env["AWS_ACCESS_KEY_ID"].is_string());
  EXPECT_FALSE(env.contains("AWS_EXECUTION_ENV"));
  EXPECT_EQ(env["EVH_EFFECTS_URL"], "http://127.0.0.1:1/effects");
  EXPECT_EQ(env["EXTRA_VAR"], "extra");
}

TEST(RuntimeApiTarget, ReplyProtocolErrorsGet400And403And404) {
  SKIP_WITHOUT_NODE();
  auto target = make(test_runtime_command());
  ASSERT_TRUE(target->start().ok());
  Outcome out = target->invoke(invocation(Json{{"op", "protocol"}}));
  EXPECT_EQ(out.kind, OutcomeKind::kSuccess);
  EXPECT_EQ(out.payload, "\"first\"");  // the first reply wins
  Outcome statuses = target->invoke(invocation(Json{{"op", "statuses"}}));
  // unknown id 400, reply 202, second reply 403, error after reply 403, init/error after init
  // 403, unknown route 404 (SEMANTICS.md §8 table).
  EXPECT_EQ(parsed(statuses), Json::parse("[400,202,403,403,403,404]"));
}

TEST(RuntimeApiTarget, ErrorTypeIsTheBodysThenTheHeaders) {
  SKIP_WITHOUT_NODE();
  auto target = make(test_runtime_command());
  ASSERT_TRUE(target->start().ok());

  Outcome body_only =
      target->invoke(invocation(Json{{"op", "error"}, {"body", R"({"errorType":"ValueError","errorMessage":"bad"})"}}));
  EXPECT_EQ(body_only.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(body_only.error_type, "ValueError");
  EXPECT_EQ(body_only.error_message, "bad");
  EXPECT_EQ(body_only.payload, R"({"errorType":"ValueError","errorMessage":"bad"})");

  // Both given and different: the caller sees the body, so the body's type wins.
  Outcome both = target->invoke(
      invocation(Json{{"op", "error"}, {"body", R"({"errorType":"KeyError","errorMessage":"k"})"}, {"type", "Runtime.X"}}));
  EXPECT_EQ(both.error_type, "KeyError");

  Outcome header_only = target->invoke(invocation(Json{{"op", "error"}, {"body", ""}, {"type", "Runtime.Custom"}}));
  EXPECT_EQ(header_only.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(header_only.error_type, "Runtime.Custom");
  EXPECT_EQ(parsed(header_only).value("errorType", ""), "Runtime.Custom");

  Outcome text_body = target->invoke(invocation(Json{{"op", "error"}, {"body", "it broke"}, {"type", "Oops"}}));
  EXPECT_EQ(text_body.error_type, "Oops");
  EXPECT_EQ(parsed(text_body), (Json{{"errorType", "Oops"}, {"errorMessage", "it broke"}}));

  Outcome nothing = target->invoke(invocation(Json{{"op", "error"}, {"body", ""}}));
  EXPECT_EQ(nothing.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(nothing.error_type, "Runtime.Unknown");
  EXPECT_FALSE(nothing.restarted);
}

TEST(RuntimeApiTarget, RuntimeThatDiedBetweenInvocationsIsRestartedBeforeDelivery) {
  SKIP_WITHOUT_NODE();
  auto target = make(test_runtime_command());
  ASSERT_TRUE(target->start().ok());
  Outcome bye = target->invoke(invocation(Json{{"op", "exit-after-reply"}}));
  EXPECT_EQ(bye.kind, OutcomeKind::kSuccess);
  EXPECT_FALSE(bye.restarted);
  // Bounded wait for the out-of-process exit to happen (it follows the reply).
  std::this_thread::sleep_for(300ms);
  Outcome next = target->invoke(invocation(Json{{"op", "echo"}}));
  EXPECT_EQ(next.kind, OutcomeKind::kSuccess);
  EXPECT_TRUE(next.restarted);
}

TEST(RuntimeApiTarget, CommandThatExitsAtOnceIsUnreachable) {
  auto target = make("evh-no-such-runtime-command 2>/dev/null");
  const auto t0 = std::chrono::steady_clock::now();
  Status st = target->start();
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnreachable);
  EXPECT_EQ(st.error().message,
            "runtime-api: 'evh-no-such-runtime-command 2>/dev/null' exited with exit status 127 before polling "
            "/runtime/invocation/next");
  EXPECT_LT(elapsed, 3s);  // well under the 5 s init wait: the exit is noticed, not waited out
  Outcome out = target->invoke(invocation(Json::object()));
  EXPECT_EQ(out.kind, OutcomeKind::kNoAnswer);
  target->stop();
  target->stop();  // idempotent
}

// Found by fuzz/runtime_api_request_fuzzer (corpus/runtime_api_request_fuzzer/crash-platform-error-type-not-string):
// Json::value("errorType", "") threw type_error when the key held a number.
TEST(RuntimeApiTarget, PlatformErrorReadsOnlyStringFieldsOfTheDocument) {
  Outcome o = internal::platform_error(OutcomeKind::kCrash, Json{{"errorType", 5}, {"errorMessage", Json::array({1})}}, "d");
  EXPECT_EQ(o.kind, OutcomeKind::kCrash);
  EXPECT_EQ(o.error_type, "");
  EXPECT_EQ(o.error_message, "");
  EXPECT_EQ(o.payload, R"({"errorType":5,"errorMessage":[1]})");
  Outcome t = internal::platform_error(OutcomeKind::kTimeout, timeout_error("r-1", std::chrono::milliseconds(3000)), "d");
  EXPECT_EQ(t.error_type, "Sandbox.Timedout");
}

// Found by fuzz/runtime_api_request_fuzzer (corpus/runtime_api_request_fuzzer/crash-error-type-header-not-utf8):
// a runtime's error-type header or non-JSON error body with bytes that are not UTF-8 made the
// report writers throw ("evh: internal error", exit 3) instead of reporting the function error.
TEST(RuntimeApiTarget, ErrorReportThatIsNotUtf8IsReportedAsText) {
  Outcome o = internal::reported_error({"Runtime.\xff", "text/plain", "boom \xfe"}, "runtime posted /error");
  EXPECT_EQ(o.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(o.error_type, "Runtime.\xff");  // the bytes as posted, until the run makes them text
  o.make_text_utf8();
  EXPECT_EQ(o.error_type, "Runtime.\xEF\xBF\xBD");
  EXPECT_EQ(o.error_message, "boom \xEF\xBF\xBD");
  EXPECT_NO_THROW((void)o.to_json().dump(2));
  EXPECT_FALSE(Json::parse(o.payload, nullptr, false).is_discarded()) << o.payload;  // the synthesized error document
}

TEST(RuntimeApiTarget, EmptyCommandIsUsageError) {
  auto t = internal::make_runtime_api_target("  ", TargetOptions{});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kUsage);
}

TEST(RuntimeApiTarget, ConcurrencyTwoRunsTwoInvocationsAtOnce) {
  SKIP_WITHOUT_NODE();
  TargetOptions options;
  options.concurrency = 2;
  auto target = make(test_runtime_command(), options);
  ASSERT_EQ(target->slots(), 2);
  ASSERT_TRUE(target->start().ok());
  const std::string dir = evh::testing::temp_dir();
  // Each handler answers only when both are running: a serialised target would time out.
  const Json event{{"op", "rendezvous"}, {"dir", dir}, {"count", 2}};
  Outcome a, b;
  std::thread ta([&] { a = target->invoke(invocation(event, 4000ms)); });
  std::thread tb([&] { b = target->invoke(invocation(event, 4000ms)); });
  ta.join();
  tb.join();
  ASSERT_EQ(a.kind, OutcomeKind::kSuccess) << a.detail;
  ASSERT_EQ(b.kind, OutcomeKind::kSuccess) << b.detail;
  EXPECT_TRUE(parsed(a)["met"].get<bool>());
  EXPECT_TRUE(parsed(b)["met"].get<bool>());
  EXPECT_NE(parsed(a)["pid"], parsed(b)["pid"]);
}

TEST(RuntimeApiTarget, DryRunDoesNotRunTheFunction) {
  SKIP_WITHOUT_NODE();
  auto target = make(client_command("crash"));
  ASSERT_TRUE(target->start().ok());
  Invocation inv = invocation(Json::object());
  inv.type = InvokeType::kDryRun;
  Outcome out = target->invoke(inv);
  EXPECT_EQ(out.kind, OutcomeKind::kDryRun);
  EXPECT_EQ(out.status, 204);
}

// The official Node runtime interface client (npm aws-lambda-ric) against evh. Runs only when
// EVH_NODE_RIC_DIR names a directory where `npm install aws-lambda-ric` was run.
TEST(RuntimeApiTarget, OfficialNodeRic) {
  SKIP_WITHOUT_NODE();
  const char* ric_dir = std::getenv("EVH_NODE_RIC_DIR");
  if (!ric_dir || !*ric_dir)
    GTEST_SKIP() << "set EVH_NODE_RIC_DIR to a directory with aws-lambda-ric installed (npm install aws-lambda-ric@3)";
  std::filesystem::path pkg = std::filesystem::path(ric_dir) / "node_modules" / "aws-lambda-ric";
  if (!std::filesystem::exists(pkg / "package.json")) pkg = ric_dir;
  const std::filesystem::path bin = pkg / "bin" / "index.mjs";
  ASSERT_TRUE(std::filesystem::exists(bin)) << bin << " not found: is aws-lambda-ric installed there?";

  const std::string task_root = evh::testing::temp_dir();
  evh::testing::write_file(task_root + "/index.js", R"JS('use strict';
exports.handler = async (event, context) => {
  if (event.fail) { const e = new Error('asked to fail'); e.name = 'ValueError'; throw e; }
  if (event.exit) process.exit(4);
  return { echo: event, requestId: context.awsRequestId, arn: context.invokedFunctionArn,
           remaining: context.getRemainingTimeInMillis(), trace: process.env._X_AMZN_TRACE_ID };
};
)JS");
  TargetOptions options;
  options.function.handler = "index.handler";
  options.env["LAMBDA_TASK_ROOT"] = task_root;
  auto target = make("cd " + quoted(task_root) + " && node " + quoted(bin.string()) + " index.handler", options);
  Status st = target->start();
  ASSERT_TRUE(st.ok()) << st.error().message;

  Invocation inv = invocation(Json{{"hello", "world"}});
  Outcome ok = target->invoke(inv);
  ASSERT_EQ(ok.kind, OutcomeKind::kSuccess) << ok.payload << " " << ok.detail;
  Json r = parsed(ok);
  EXPECT_EQ(r["echo"], (Json{{"hello", "world"}}));
  EXPECT_EQ(r["requestId"], inv.request_id);
  EXPECT_EQ(r["arn"], inv.function_arn);
  EXPECT_EQ(r["trace"], inv.trace_id);
  EXPECT_GT(r["remaining"].get<int64_t>(), 1000);
  EXPECT_LE(r["remaining"].get<int64_t>(), 3000);

  EXPECT_EQ(ok.content_type, "application/json");

  // The RIC posts /error without Lambda-Runtime-Function-Error-Type: the type is the body's.
  Outcome fail = target->invoke(invocation(Json{{"fail", true}}));
  EXPECT_EQ(fail.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(fail.error_type, "ValueError");
  EXPECT_EQ(parsed(fail).value("errorType", ""), "ValueError");
  EXPECT_EQ(parsed(fail).value("errorMessage", ""), "asked to fail");
  EXPECT_FALSE(fail.restarted);

  Outcome crash = target->invoke(invocation(Json{{"exit", true}}));
  EXPECT_EQ(crash.kind, OutcomeKind::kCrash);
  EXPECT_TRUE(crash.restarted);
  Outcome again = target->invoke(invocation(Json{{"again", 1}}));
  EXPECT_EQ(again.kind, OutcomeKind::kSuccess);
  target->stop();

  // A handler module that does not exist: the RIC reports it on /runtime/init/error.
  auto missing = make("cd " + quoted(task_root) + " && node " + quoted(bin.string()) + " missing.handler", options);
  ASSERT_TRUE(missing->start().ok());
  Outcome init = missing->invoke(invocation(Json::object()));
  EXPECT_EQ(init.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(init.error_type, "Runtime.ImportModuleError") << init.payload;
  EXPECT_TRUE(init.restarted);
}

}  // namespace
}  // namespace evh::harness
