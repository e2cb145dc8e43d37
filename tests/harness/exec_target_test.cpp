// The subprocess targets (exec:CMD, exec-persistent:CMD; docs/exec-protocol.md) and the
// Subprocess utility under them. Shell-only cases pin the logic without node; the node cases run
// examples/node/exec.js and compare with the C++ builtins. Every wait is bounded.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "examples/builtin.h"
#include "harness/clock.h"
#include "harness/effects_server.h"
#include "harness/internal/subprocess.h"
#include "harness/internal/targets.h"

namespace evh::harness {
namespace {

using internal::Subprocess;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

// Generous bounds: they separate "returned at its deadline" from "waited for sleep 100".
constexpr auto kBound = seconds(5);
constexpr auto kShortTimeout = milliseconds(300);
constexpr auto kNodeTimeout = seconds(5);

Subprocess spawn(const std::string& command, std::map<std::string, std::string> env = {}) {
  Subprocess::Options o;
  o.command = command;
  o.env = std::move(env);
  auto p = Subprocess::spawn(o);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return std::move(*p);
}

steady_clock::time_point in(steady_clock::duration d) { return steady_clock::now() + d; }

Invocation invocation(std::string payload, milliseconds timeout = seconds(5), std::string request_id = "req-1") {
  Invocation inv;
  inv.request_id = std::move(request_id);
  inv.payload = std::move(payload);
  inv.now_ms = kDefaultEpochMs;
  inv.timeout = timeout;
  inv.deadline_ms = inv.now_ms + timeout.count();
  inv.function_name = "evh-function";
  inv.function_arn = "arn:aws:lambda:us-east-1:123456789012:function:evh-function";
  return inv;
}

std::unique_ptr<Target> exec_target(const std::string& command, TargetOptions options = {}) {
  auto t = internal::make_exec_target(command, options);
  EXPECT_TRUE(t.ok());
  EXPECT_TRUE((*t)->start().ok());
  return std::move(*t);
}

std::unique_ptr<Target> persistent_target(const std::string& command, TargetOptions options = {}) {
  auto t = internal::make_exec_persistent_target(command, options);
  EXPECT_TRUE(t.ok());
  auto st = (*t)->start();
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  return std::move(*t);
}

nlohmann::json parsed(const std::string& payload) { return nlohmann::json::parse(payload, nullptr, false); }

double wall_ms() {
  return static_cast<double>(
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

bool node_available() { return std::system("command -v node >/dev/null 2>&1") == 0; }

std::string exec_js(const std::string& args) {
  return "node '" + std::string(EVH_SOURCE_DIR) + "/examples/node/exec.js' " + args;
}

#define EVH_REQUIRE_NODE() \
  if (!node_available()) GTEST_SKIP() << "node is not on PATH: the examples/node/exec.js cases need it"

// What the C++ builtin answers for `event` (the reference the node handlers must match).
nlohmann::json builtin_answer(const std::string& name, const Json& event) {
  const Handler* h = examples::find_builtin(name);
  EXPECT_NE(h, nullptr) << name;
  Context ctx("req-1", "evh-function", "arn", kDefaultEpochMs, kDefaultEpochMs + 3000, nullptr);
  return parsed((*h)(event, ctx).dump());
}

const Json kApigwEvent = Json::parse(
    R"({"resource":"/items","path":"/items","httpMethod":"POST","headers":{"content-type":"application/json"},
        "requestContext":{"requestId":"c6af9ac6","stage":"prod"},"body":"{\"a\":1}","isBase64Encoded":false})");
const Json kMalformedApigwEvent = Json::parse(R"({"httpMethod":"GET","body":{"not":"a string"}})");

// A persistent adapter in plain sh: the event decides what it does (so one process can crash,
// hang or misbehave and the next invocation can still succeed).
const std::string kShellAdapter = R"(sh -c '
while IFS= read -r line; do
  id=$(printf "%s" "$line" | sed "s/^{\"requestId\":\"\([^\"]*\)\".*/\1/")
  case "$line" in
    *\"crash\"*) exit 3 ;;
    *\"hang\"*) sleep 100 ;;
    *\"garbage\"*) echo "<html>502 Bad Gateway</html>" ;;
    *\"wrong-id\"*) printf "{\"requestId\":\"someone-else\",\"result\":null}\n" ;;
    *\"echo\"*) printf "{\"requestId\":\"%s\",\"result\":%s}\n" "$id" "$line" ;;
    *\"fail\"*) printf "{\"requestId\":\"%s\",\"error\":{\"errorType\":\"ValidationError\",\"errorMessage\":\"bad\"}}\n" "$id" ;;
    *) printf "{\"requestId\":\"%s\",\"result\":{\"ok\":true}}\n" "$id" ;;
  esac
done')";

// --- Subprocess -----------------------------------------------------------------------------------

TEST(Subprocess, EchoRoundTrip) {
  Subprocess p = spawn("cat");
  ASSERT_TRUE(p.write_stdin("hello\nworld\n", in(kBound)));
  p.close_stdin();
  std::string out, err;
  ASSERT_TRUE(p.read_all(out, err, in(kBound)));
  EXPECT_EQ(out, "hello\nworld\n");
  EXPECT_EQ(err, "");
  auto e = p.wait(in(kBound));
  EXPECT_TRUE(e.exited);
  EXPECT_EQ(e.code, 0);
}

TEST(Subprocess, LargeEchoDoesNotDeadlockOnFullPipes) {
  // cat answers while evh is still writing: 4 MiB fill both pipes many times over.
  const std::string data(4 * 1024 * 1024, 'x');
  Subprocess p = spawn("cat");
  ASSERT_TRUE(p.write_stdin(data, in(kBound)));
  p.close_stdin();
  std::string out, err;
  ASSERT_TRUE(p.read_all(out, err, in(kBound)));
  EXPECT_EQ(out.size(), data.size());
}

TEST(Subprocess, ReadLineReturnsCompleteLinesOnly) {
  Subprocess p = spawn("printf 'one\\ntwo\\nthree'");
  bool timed_out = true;
  EXPECT_EQ(p.read_line(in(kBound), &timed_out), "one");
  EXPECT_EQ(p.read_line(in(kBound), &timed_out), "two");
  EXPECT_EQ(p.read_line(in(kBound), &timed_out), std::nullopt);
  EXPECT_FALSE(timed_out);  // EOF, not the deadline
  std::string out, err;
  EXPECT_TRUE(p.read_all(out, err, in(kBound)));
  EXPECT_EQ(out, "three");  // the unterminated tail stayed buffered
}

TEST(Subprocess, ReadLineStopsAtTheDeadline) {
  Subprocess p = spawn("sleep 100");
  auto start = steady_clock::now();
  bool timed_out = false;
  EXPECT_EQ(p.read_line(in(milliseconds(200)), &timed_out), std::nullopt);
  EXPECT_TRUE(timed_out);
  EXPECT_LT(steady_clock::now() - start, kBound);
  auto e = p.wait(in(milliseconds(100)));
  EXPECT_FALSE(e.exited);
  EXPECT_EQ(e.describe(), "running");
}

TEST(Subprocess, KillTakesTheWholeGroupDown) {
  // The grandchild prints its pid, then both hold stdout open for 100 s.
  Subprocess p = spawn("sleep 100 & echo $!; sleep 100");
  auto line = p.read_line(in(kBound));
  ASSERT_TRUE(line.has_value());
  const std::string grandchild = *line;
  auto e = p.kill();
  EXPECT_TRUE(e.exited);
  EXPECT_EQ(e.signal, SIGKILL);
  // EOF only comes when every process holding the pipe is gone.
  std::string out, err;
  EXPECT_TRUE(p.read_all(out, err, in(kBound)));
  // Dead: no /proc entry, or a zombie waiting for init. A process that got SIGKILL closes its
  // files before it turns into a zombie, so its state is polled (bounded) past the EOF.
  auto state = [&] {
    std::ifstream stat("/proc/" + grandchild + "/stat");
    std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto close_paren = content.rfind(')');
    return close_paren == std::string::npos ? std::string("gone") : content.substr(close_paren + 2, 1);
  };
  const auto until = in(kBound);
  std::string s = state();
  while ((s != "gone" && s != "Z" && s != "X") && steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(5));
    s = state();
  }
  EXPECT_TRUE(s == "gone" || s == "Z" || s == "X") << "grandchild " << grandchild << " is in state " << s;
  EXPECT_EQ(p.kill().signal, SIGKILL);  // idempotent
}

TEST(Subprocess, ReportsExitStatus) {
  Subprocess p = spawn("exit 3");
  auto e = p.wait(in(kBound));
  ASSERT_TRUE(e.exited);
  EXPECT_EQ(e.code, 3);
  EXPECT_EQ(e.signal, 0);
  EXPECT_EQ(e.describe(), "exit status 3");
}

TEST(Subprocess, MissingCommandExits127) {
  Subprocess p = spawn("evh-no-such-command-here");
  auto e = p.wait(in(kBound));
  ASSERT_TRUE(e.exited);
  EXPECT_EQ(e.code, 127);
  std::string out, err;
  EXPECT_TRUE(p.read_all(out, err, in(kBound)));
  EXPECT_NE(err.find("evh-no-such-command-here"), std::string::npos) << err;
}

TEST(Subprocess, ReportsTheSignalThatEndedIt) {
  Subprocess p = spawn("kill -SEGV $$");
  auto e = p.wait(in(kBound));
  ASSERT_TRUE(e.exited);
  EXPECT_EQ(e.signal, SIGSEGV);
  EXPECT_EQ(e.describe(), "signal 11 (Segmentation fault)");
}

TEST(Subprocess, WriteToAClosedStdinFailsWithoutKillingEvh) {
  Subprocess p = spawn("exec 0<&-; sleep 100");
  // The child closed its stdin: the write sees EPIPE (SIGPIPE would have killed this test).
  EXPECT_FALSE(p.write_stdin(std::string(1 << 20, 'x'), in(kBound)));
  EXPECT_FALSE(p.write_stdin("more", in(kBound)));
}

TEST(Subprocess, EnvironmentIsAddedToEvhs) {
  Subprocess p = spawn("printf '%s|%s' \"$EVH_TEST_VAR\" \"${PATH:+has-path}\"", {{"EVH_TEST_VAR", "value 1"}});
  std::string out, err;
  ASSERT_TRUE(p.read_all(out, err, in(kBound)));
  EXPECT_EQ(out, "value 1|has-path");
}

TEST(Subprocess, ChildGetsTheDefaultSigpipeEvenWhenEvhIgnoresIt) {
  // Ignored dispositions survive execve: were SIGPIPE inherited as ignored, `yes` would complain
  // "Broken pipe" on stderr instead of dying quietly.
  struct sigaction ignore {}, old {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old);
  Subprocess p = spawn("yes | head -n 1 >/dev/null");
  sigaction(SIGPIPE, &old, nullptr);
  std::string out, err;
  ASSERT_TRUE(p.read_all(out, err, in(kBound)));
  EXPECT_EQ(err, "");
  EXPECT_EQ(p.wait(in(kBound)).code, 0);
}

TEST(Subprocess, InheritedStderrIsNotCaptured) {
  Subprocess::Options o;
  o.command = "echo to-evh-stderr >&2; echo out";
  o.pipe_stderr = false;
  auto p = Subprocess::spawn(o);
  ASSERT_TRUE(p.ok());
  std::string out, err;
  ASSERT_TRUE(p->read_all(out, err, in(kBound)));
  EXPECT_EQ(out, "out\n");
  EXPECT_EQ(err, "");
}

// --- exec: (shell) --------------------------------------------------------------------------------

TEST(ExecTarget, CatEchoesTheEventAsTheResult) {
  auto t = exec_target("cat");
  Outcome o = t->invoke(invocation(R"({"a":[1,2,{"b":"c"}]})"));
  EXPECT_EQ(o.kind, OutcomeKind::kSuccess);
  EXPECT_EQ(o.payload, R"({"a":[1,2,{"b":"c"}]})");
  EXPECT_EQ(t->describe(), "exec:cat");
}

TEST(ExecTarget, EmptyStdoutIsTheNullResult) {
  auto t = exec_target("cat >/dev/null");
  Outcome o = t->invoke(invocation("{}"));
  EXPECT_EQ(o.kind, OutcomeKind::kSuccess);
  EXPECT_EQ(o.payload, "null");
}

TEST(ExecTarget, SilentNonZeroExitIsRuntimeExitError) {
  auto t = exec_target("exit 3");
  Outcome o = t->invoke(invocation("{}"));
  EXPECT_EQ(o.kind, OutcomeKind::kCrash);
  EXPECT_EQ(o.error_type, "Runtime.ExitError");
  EXPECT_EQ(o.error_message, "RequestId: req-1 Error: Runtime exited with error: exit status 3");
  EXPECT_EQ(parsed(o.payload)["errorType"], "Runtime.ExitError");
  EXPECT_EQ(o.function_error, "Unhandled");
}

TEST(ExecTarget, ErrorDocumentWithNonZeroExitIsFunctionError) {
  auto t = exec_target(R"(cat >/dev/null; printf '{"errorType":"ValidationError","errorMessage":"bad input"}\n'; exit 1)");
  Outcome o = t->invoke(invocation("{}"));
  EXPECT_EQ(o.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(o.error_type, "ValidationError");
  EXPECT_EQ(o.error_message, "bad input");
  EXPECT_EQ(parsed(o.payload)["errorMessage"], "bad input");
  EXPECT_EQ(o.detail, "exit status 1");
}

TEST(ExecTarget, TextOnStderrWithNonZeroExitIsFunctionError) {
  auto t = exec_target("echo 'Traceback (most recent call last):' >&2; echo 'ValueError: boom' >&2; exit 2");
  Outcome o = t->invoke(invocation("{}"));
  EXPECT_EQ(o.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(o.error_type, "Error");
  EXPECT_EQ(o.error_message, "ValueError: boom");
  EXPECT_EQ(o.detail, "exit status 2; stderr: ValueError: boom");
}

TEST(ExecTarget, StderrOnlyWithExitZeroIsFunctionError) {
  auto t = exec_target("echo 'something went wrong' >&2");
  Outcome o = t->invoke(invocation("{}"));
  EXPECT_EQ(o.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(o.error_message, "something went wrong");
  EXPECT_NE(o.detail.find("stderr-only"), std::string::npos);
}

TEST(ExecTarget, KilledBySignalIsCrash) {
  auto t = exec_target("kill -SEGV $$");
  Outcome o = t->invoke(invocation("{}"));
  EXPECT_EQ(o.kind, OutcomeKind::kCrash);
  EXPECT_EQ(o.error_type, "Runtime.ExitError");
  EXPECT_EQ(o.error_message, "RequestId: req-1 Error: Runtime exited with error: signal 11 (Segmentation fault)");
}

TEST(ExecTarget, NoExitWithinTheTimeoutIsTimeout) {
  auto t = exec_target("sleep 100");
  auto start = steady_clock::now();
  Outcome o = t->invoke(invocation("{}", kShortTimeout));
  EXPECT_LT(steady_clock::now() - start, kBound);
  EXPECT_EQ(o.kind, OutcomeKind::kTimeout);
  EXPECT_EQ(o.error_type, "Sandbox.Timedout");
  EXPECT_EQ(o.error_message, "RequestId: req-1 Error: Task timed out after 0.30 seconds");
  // The next invocation is a fresh process and succeeds.
  auto t2 = exec_target("cat");
  EXPECT_EQ(t2->invoke(invocation("[1]")).kind, OutcomeKind::kSuccess);
}

TEST(ExecTarget, BackgroundChildDoesNotHoldTheInvocation) {
  auto t = exec_target(R"(sleep 100 & echo '{"ok":true}')");
  auto start = steady_clock::now();
  Outcome o = t->invoke(invocation("{}", seconds(30)));
  EXPECT_LT(steady_clock::now() - start, kBound);
  EXPECT_EQ(o.kind, OutcomeKind::kSuccess);
  EXPECT_EQ(o.payload, R"({"ok":true})");
}

TEST(ExecTarget, ContextReachesTheEnvironment) {
  TargetOptions options;
  options.function.name = "orders";
  options.function.memory_mb = 512;
  options.function.region = "eu-west-1";
  options.effects_url = "http://127.0.0.1:1/effects";
  options.env["EXTRA"] = "x";
  auto t = exec_target(
      R"(printf '{"id":"%s","deadline":%s,"arn":"%s","name":"%s","mem":"%s","ver":"%s","region":"%s","effects":"%s","extra":"%s"}' )"
      R"("$EVH_REQUEST_ID" "$EVH_DEADLINE_MS" "$EVH_FUNCTION_ARN" "$AWS_LAMBDA_FUNCTION_NAME" )"
      R"("$AWS_LAMBDA_FUNCTION_MEMORY_SIZE" "$AWS_LAMBDA_FUNCTION_VERSION" "$AWS_REGION" "$EVH_EFFECTS_URL" "$EXTRA")",
      options);
  Invocation inv = invocation("{}", seconds(3), "4f5e-req");
  inv.function_name = "";  // the target falls back on its function config
  inv.function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders";
  Outcome o = t->invoke(inv);
  ASSERT_EQ(o.kind, OutcomeKind::kSuccess) << o.payload;
  auto j = parsed(o.payload);
  EXPECT_EQ(j["id"], "4f5e-req");
  EXPECT_NEAR(j["deadline"].get<double>(), wall_ms() + 3000, 2000);  // wall clock, as Lambda's
  EXPECT_EQ(j["arn"], "arn:aws:lambda:eu-west-1:123456789012:function:orders");
  EXPECT_EQ(j["name"], "orders");
  EXPECT_EQ(j["mem"], "512");
  EXPECT_EQ(j["ver"], "$LATEST");
  EXPECT_EQ(j["region"], "eu-west-1");
  EXPECT_EQ(j["effects"], "http://127.0.0.1:1/effects");
  EXPECT_EQ(j["extra"], "x");
}

TEST(ExecTarget, OversizedResultIsResponseSizeTooLarge) {
  auto t = exec_target("head -c 7000000 /dev/zero | tr '\\0' a");
  Outcome o = t->invoke(invocation("{}"));
  EXPECT_EQ(o.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(o.error_type, "Function.ResponseSizeTooLarge");
}

TEST(ExecTarget, DryRunAndNonJsonBodiesNeverStartTheProcess) {
  auto t = exec_target("exit 3");
  Invocation dry = invocation("{}");
  dry.type = InvokeType::kDryRun;
  Outcome o = t->invoke(dry);
  EXPECT_EQ(o.kind, OutcomeKind::kDryRun);
  EXPECT_EQ(o.status, 204);
  Outcome bad = t->invoke(invocation("{not json"));
  EXPECT_EQ(bad.kind, OutcomeKind::kInvokeError);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error_type, "InvalidRequestContentException");
}

TEST(ExecTarget, BlankCommandIsUsageError) {
  auto t = internal::make_exec_target("  ", {});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kUsage);
  auto p = internal::make_exec_persistent_target("", {});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kUsage);
}

// --- exec: (node examples/node/exec.js) ------------------------------------------------------------

TEST(ExecTarget, NodeApigwEchoAnswersLikeTheBuiltin) {
  EVH_REQUIRE_NODE();
  auto t = exec_target(exec_js("apigw-echo"));
  for (const Json* event : {&kApigwEvent, &kMalformedApigwEvent}) {
    Outcome o = t->invoke(invocation(event->dump(), kNodeTimeout));
    ASSERT_EQ(o.kind, OutcomeKind::kSuccess) << o.detail;
    EXPECT_EQ(parsed(o.payload), builtin_answer("apigw-echo", *event)) << o.payload;
  }
}

TEST(ExecTarget, NodeApigwFragileThrowsTypeErrorOnMalformedEvent) {
  EVH_REQUIRE_NODE();
  auto t = exec_target(exec_js("apigw-fragile"));
  Outcome o = t->invoke(invocation(kMalformedApigwEvent.dump(), kNodeTimeout));
  EXPECT_EQ(o.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(o.error_type, "TypeError");
  EXPECT_EQ(o.error_message, "Cannot read properties of undefined (reading 'body')");
}

TEST(ExecTarget, NodeCrashIsRuntimeExitError) {
  EVH_REQUIRE_NODE();
  auto t = exec_target(exec_js("crash"));
  Outcome o = t->invoke(invocation("{}", kNodeTimeout));
  EXPECT_EQ(o.kind, OutcomeKind::kCrash);
  EXPECT_EQ(o.error_message, "RequestId: req-1 Error: Runtime exited with error: exit status 3");
}

TEST(ExecTarget, NodeHangTimesOut) {
  EVH_REQUIRE_NODE();
  auto t = exec_target(exec_js("hang"));
  auto start = steady_clock::now();
  Outcome o = t->invoke(invocation("{}", kShortTimeout));
  EXPECT_LT(steady_clock::now() - start, kBound);
  EXPECT_EQ(o.kind, OutcomeKind::kTimeout);
}

TEST(ExecTarget, NodeGarbageIsSuccessWithTheRawPayload) {
  EVH_REQUIRE_NODE();
  auto t = exec_target(exec_js("garbage"));
  Outcome o = t->invoke(invocation("{}", kNodeTimeout));
  EXPECT_EQ(o.kind, OutcomeKind::kSuccess);
  EXPECT_EQ(o.payload, "<html>502 Bad Gateway</html>");
}

// --- exec-persistent: (shell adapter) -------------------------------------------------------------

TEST(ExecPersistentTarget, RequestLineCarriesTheEnvelopeAndTheEvent) {
  auto t = persistent_target(kShellAdapter);
  // Pretty-printed bytes with no parsed event: still one request line.
  Invocation inv = invocation("{\n  \"mode\": \"echo\",\n  \"n\": [1, 2]\n}", seconds(5), "id-7");
  inv.trace_id = "Root=1-abc;Parent=def;Sampled=0";
  Outcome o = t->invoke(inv);
  ASSERT_EQ(o.kind, OutcomeKind::kSuccess) << o.detail;
  auto req = parsed(o.payload);
  EXPECT_EQ(req["requestId"], "id-7");
  EXPECT_NEAR(req["deadlineMs"].get<double>(), wall_ms() + 5000, 2000);
  EXPECT_EQ(req["functionArn"], inv.function_arn);
  EXPECT_EQ(req["functionName"], "evh-function");
  EXPECT_EQ(req["traceId"], inv.trace_id);
  EXPECT_EQ(req["event"], parsed(R"({"mode":"echo","n":[1,2]})"));
  EXPECT_FALSE(o.restarted);
  EXPECT_EQ(t->describe().rfind("exec-persistent:", 0), 0U);
}

TEST(ExecPersistentTarget, ErrorAnswerIsFunctionError) {
  auto t = persistent_target(kShellAdapter);
  Outcome o = t->invoke(invocation(R"({"mode":"fail"})"));
  EXPECT_EQ(o.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(o.error_type, "ValidationError");
  EXPECT_EQ(o.error_message, "bad");
  EXPECT_FALSE(o.restarted);
}

TEST(ExecPersistentTarget, CrashRestartsAndTheNextInvocationSucceeds) {
  auto t = persistent_target(kShellAdapter);
  Outcome crash = t->invoke(invocation(R"({"mode":"crash"})"));
  EXPECT_EQ(crash.kind, OutcomeKind::kCrash);
  EXPECT_EQ(crash.error_type, "Runtime.ExitError");
  EXPECT_EQ(crash.error_message, "RequestId: req-1 Error: Runtime exited with error: exit status 3");
  EXPECT_TRUE(crash.restarted);
  Outcome next = t->invoke(invocation(R"({"mode":"ok"})", seconds(5), "req-2"));
  EXPECT_EQ(next.kind, OutcomeKind::kSuccess) << next.detail;
  EXPECT_EQ(next.payload, R"({"ok":true})");
}

TEST(ExecPersistentTarget, HangTimesOutRestartsAndTheNextInvocationSucceeds) {
  auto t = persistent_target(kShellAdapter);
  auto start = steady_clock::now();
  Outcome hang = t->invoke(invocation(R"({"mode":"hang"})", kShortTimeout));
  EXPECT_LT(steady_clock::now() - start, kBound);
  EXPECT_EQ(hang.kind, OutcomeKind::kTimeout);
  EXPECT_EQ(hang.error_message, "RequestId: req-1 Error: Task timed out after 0.30 seconds");
  EXPECT_TRUE(hang.restarted);
  Outcome next = t->invoke(invocation(R"({"mode":"ok"})", seconds(5), "req-2"));
  EXPECT_EQ(next.kind, OutcomeKind::kSuccess) << next.detail;
}

TEST(ExecPersistentTarget, NonJsonLineIsTheRawResult) {
  auto t = persistent_target(kShellAdapter);
  Outcome o = t->invoke(invocation(R"({"mode":"garbage"})"));
  EXPECT_EQ(o.kind, OutcomeKind::kSuccess);
  EXPECT_EQ(o.payload, "<html>502 Bad Gateway</html>");
  EXPECT_TRUE(o.restarted);
  EXPECT_EQ(t->invoke(invocation(R"({"mode":"ok"})", seconds(5), "req-2")).kind, OutcomeKind::kSuccess);
}

TEST(ExecPersistentTarget, AnswerForAnotherRequestIsProtocolViolation) {
  auto t = persistent_target(kShellAdapter);
  Outcome o = t->invoke(invocation(R"({"mode":"wrong-id"})"));
  EXPECT_EQ(o.kind, OutcomeKind::kCrash);
  EXPECT_EQ(o.error_type, "Runtime.InvalidResponse");
  EXPECT_NE(o.error_message.find("someone-else"), std::string::npos) << o.error_message;
  EXPECT_TRUE(o.restarted);
  EXPECT_EQ(t->invoke(invocation(R"({"mode":"ok"})", seconds(5), "req-2")).kind, OutcomeKind::kSuccess);
}

TEST(ExecPersistentTarget, EnvelopeWithoutResultOrErrorIsProtocolViolation) {
  // cat sends the request back: the right requestId, but neither "result" nor "error".
  auto t = persistent_target("cat");
  Outcome o = t->invoke(invocation(R"({"a":1})"));
  EXPECT_EQ(o.kind, OutcomeKind::kCrash);
  EXPECT_EQ(o.error_type, "Runtime.InvalidResponse");
}

TEST(ExecPersistentTarget, CommandThatExitsAtStartIsUnreachable) {
  auto t = internal::make_exec_persistent_target("evh-no-such-command-here --flag", {});
  ASSERT_TRUE(t.ok());
  auto st = (*t)->start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnreachable);
  EXPECT_NE(st.error().message.find("evh-no-such-command-here --flag"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("exit status 127"), std::string::npos) << st.error().message;
  EXPECT_EQ(st.error().message.find('\n'), std::string::npos);
}

// A program the shell cannot find would make every invocation exit 127: the run would spend its
// budget on "function errors". It is a target that cannot run (exit 3), named in one line.
TEST(ExecTarget, ProgramTheShellCannotFindIsUnreachable) {
  auto t = internal::make_exec_target("./evh-no-such-program --flag", {});
  ASSERT_TRUE(t.ok());
  auto st = (*t)->start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnreachable);
  EXPECT_NE(st.error().message.find("'./evh-no-such-program'"), std::string::npos) << st.error().message;
  EXPECT_EQ(st.error().message.find('\n'), std::string::npos);
  // What the shell resolves starts; what only the shell can judge (cd, variables) is left to it.
  for (const char* ok : {"cat", "sh -c 'cat'", "cd /tmp && evh-no-such-program", "X=1 evh-no-such-program"}) {
    auto found = internal::make_exec_target(ok, {});
    ASSERT_TRUE(found.ok());
    EXPECT_TRUE((*found)->start().ok()) << ok;
  }
}

TEST(ExecPersistentTarget, ProcessThatEndedBetweenInvocationsIsRestarted) {
  // Answers one request, then exits 0: the next invocation gets a fresh process.
  auto t = persistent_target(
      R"(sh -c 'sleep 0.3; IFS= read -r line; id=$(printf "%s" "$line" | sed "s/^{\"requestId\":\"\([^\"]*\)\".*/\1/"); printf "{\"requestId\":\"%s\",\"result\":1}\n" "$id"')");
  EXPECT_EQ(t->invoke(invocation("{}")).payload, "1");
  // A bounded real wait for the process to finish exiting (it has answered already).
  std::this_thread::sleep_for(milliseconds(300));
  Outcome o = t->invoke(invocation("{}", seconds(5), "req-2"));
  EXPECT_EQ(o.kind, OutcomeKind::kSuccess) << o.detail;
  EXPECT_EQ(o.payload, "1");
  EXPECT_NE(o.detail.find("cold start"), std::string::npos) << o.detail;
}

// --- exec-persistent: (node examples/node/exec.js --persistent) -------------------------------------

TEST(ExecPersistentTarget, NodeApigwEchoAnswersLikeTheBuiltin) {
  EVH_REQUIRE_NODE();
  auto t = persistent_target(exec_js("--persistent apigw-echo"));
  int n = 0;
  for (const Json* event : {&kApigwEvent, &kMalformedApigwEvent, &kApigwEvent}) {
    Outcome o = t->invoke(invocation(event->dump(), kNodeTimeout, "req-" + std::to_string(++n)));
    ASSERT_EQ(o.kind, OutcomeKind::kSuccess) << o.detail;
    EXPECT_EQ(parsed(o.payload), builtin_answer("apigw-echo", *event)) << o.payload;
    EXPECT_FALSE(o.restarted);
  }
}

TEST(ExecPersistentTarget, NodeApigwFragileThrowsTypeErrorOnMalformedEvent) {
  EVH_REQUIRE_NODE();
  auto t = persistent_target(exec_js("--persistent apigw-fragile"));
  Outcome o = t->invoke(invocation(kMalformedApigwEvent.dump(), kNodeTimeout));
  EXPECT_EQ(o.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(o.error_type, "TypeError");
  Outcome ok = t->invoke(invocation(kApigwEvent.dump(), kNodeTimeout, "req-2"));
  EXPECT_EQ(ok.kind, OutcomeKind::kSuccess);
  EXPECT_FALSE(ok.restarted);
}

// Found by fuzz/invoke_response_fuzzer (corpus/invoke_response_fuzzer/crash-body-not-utf8): an
// answer of bytes that are not UTF-8 made Outcome::to_json() hold them as responseText, and the
// report writers threw ("evh: internal error", exit 3). The payload keeps the bytes; the JSON view
// is text.
TEST(ExecTarget, AnswerThatIsNotUtf8IsKeptAsBytesAndShownAsText) {
  auto target = exec_target("printf 'ok\\377\\376'");
  Outcome o = target->invoke(invocation("{}"));
  EXPECT_EQ(o.kind, OutcomeKind::kSuccess);
  EXPECT_EQ(o.payload, "ok\xff\xfe");
  Json j = o.to_json();
  EXPECT_EQ(j["responseText"], "ok\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_NO_THROW((void)j.dump(2));
}

TEST(ExecTarget, OutcomeTextIsCutAndMadeUtf8) {
  Outcome o;
  o.payload = std::string(4095, 'a') + "\xc3\xa9";  // the cut splits the last character
  o.error_message = "\xc0\x80 overlong, \xed\xa0\x80 surrogate, \xf4\x90\x80\x80 past U+10FFFF";
  Json j = o.to_json();
  EXPECT_EQ(j["responseText"], std::string(4095, 'a') + "\xEF\xBF\xBD...");
  EXPECT_NO_THROW((void)j.dump());
  EXPECT_EQ(utf8_text("caf\xc3\xa9 \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xf0\x9f\x98\x80");  // well-formed: unchanged
  EXPECT_EQ(utf8_text("\xc0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(ExecPersistentTarget, NodeCrashIsRuntimeExitErrorEveryTime) {
  EVH_REQUIRE_NODE();
  auto t = persistent_target(exec_js("--persistent crash"));
  for (const char* id : {"req-1", "req-2"}) {  // the second runs on the restarted process
    Outcome o = t->invoke(invocation("{}", kNodeTimeout, id));
    EXPECT_EQ(o.kind, OutcomeKind::kCrash) << o.detail;
    EXPECT_EQ(o.error_message, std::string("RequestId: ") + id + " Error: Runtime exited with error: exit status 3");
    EXPECT_TRUE(o.restarted);
  }
}

TEST(ExecPersistentTarget, NodeHangTimesOutInBoundedTime) {
  EVH_REQUIRE_NODE();
  auto t = persistent_target(exec_js("--persistent hang"));
  auto start = steady_clock::now();
  Outcome o = t->invoke(invocation("{}", kShortTimeout));
  EXPECT_LT(steady_clock::now() - start, kBound);
  EXPECT_EQ(o.kind, OutcomeKind::kTimeout);
  EXPECT_TRUE(o.restarted);
}

TEST(ExecPersistentTarget, NodeGarbageIsTheRawResult) {
  EVH_REQUIRE_NODE();
  auto t = persistent_target(exec_js("--persistent garbage"));
  Outcome o = t->invoke(invocation("{}", kNodeTimeout));
  EXPECT_EQ(o.kind, OutcomeKind::kSuccess);
  EXPECT_EQ(o.payload, "<html>502 Bad Gateway</html>");
}

TEST(ExecPersistentTarget, NodeUnknownHandlerIsUnreachable) {
  EVH_REQUIRE_NODE();
  // node takes longer than the start probe to fail here; the first invocation then reports the
  // exit as a crash rather than hanging.
  auto made = internal::make_exec_persistent_target(exec_js("--persistent no-such-handler"), {});
  ASSERT_TRUE(made.ok());
  auto st = (*made)->start();
  if (!st.ok()) {
    EXPECT_EQ(st.error().code, ErrorCode::kUnreachable);
    EXPECT_NE(st.error().message.find("exit status 2"), std::string::npos) << st.error().message;
  } else {
    Outcome o = (*made)->invoke(invocation("{}", kNodeTimeout));
    EXPECT_EQ(o.kind, OutcomeKind::kCrash);
    EXPECT_NE(o.detail.find("exit status 2"), std::string::npos) << o.detail;
    EXPECT_NE(o.detail.find("unknown handler"), std::string::npos) << o.detail;
  }
}

// handlers.js posts effects to EVH_EFFECTS_URL before it answers: both subprocess kinds deliver
// them into the sink with the invocation's request id.
TEST(ExecPersistentTarget, NodeSqsPartialReportsEffectsThroughTheEffectsUrl) {
  EVH_REQUIRE_NODE();
  EffectsSink sink;
  EffectsServer server(sink);
  ASSERT_TRUE(server.start().ok());
  TargetOptions options;
  options.effects_url = server.url();
  const Json event = Json::parse(R"({"Records":[{"messageId":"m1","body":"x"},{"messageId":"m2","body":""}]})");
  const nlohmann::json expected = builtin_answer("sqs-partial", event);
  auto exec = exec_target(exec_js("sqs-partial"), options);
  auto persistent = persistent_target(exec_js("--persistent sqs-partial"), options);
  for (Target* t : {exec.get(), persistent.get()}) {
    sink.set_current("req-fx");
    Outcome o = t->invoke(invocation(event.dump(), kNodeTimeout, "req-fx"));
    ASSERT_EQ(o.kind, OutcomeKind::kSuccess) << t->describe() << ": " << o.detail;
    EXPECT_EQ(parsed(o.payload), expected);
    auto effects = sink.take();
    ASSERT_EQ(effects.size(), 2U) << t->describe();
    EXPECT_EQ(effects[0]["kind"], "processed");
    EXPECT_EQ(effects[0]["id"], "m1");
    EXPECT_EQ(effects[1]["kind"], "failed");
    EXPECT_EQ(effects[1]["requestId"], "req-fx");
  }
  server.stop();
}

}  // namespace
}  // namespace evh::harness
