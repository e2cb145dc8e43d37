// The http:// target against small servers on 127.0.0.1: an Invoke API server that wraps an
// example handler in the Lambda dialect or the RIE's (SEMANTICS.md §1, §8), and raw sockets that
// misbehave below HTTP (close, garbage, trickle). Every wait is bounded; TearDown releases any
// blocked handler before stopping the servers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "examples/builtin.h"
#include "generators/codec.h"
#include "harness/internal/targets.h"
#include "harness/target.h"

namespace evh::harness {
namespace {

using std::chrono::milliseconds;

constexpr const char* kInvokePath = "/2015-03-31/functions/function/invocations";
constexpr const char* kJson = "application/json";
constexpr auto kServerWaitBound = std::chrono::seconds(8);  // any blocked test handler gives up by then

enum class Dialect { kLambda, kRie };

// --- An Invoke API server on 127.0.0.1 -------------------------------------------------------------

class InvokeServer {
 public:
  using Route = std::function<void(const httplib::Request&, httplib::Response&, InvokeServer&)>;

  explicit InvokeServer(Route route, const std::string& path = kInvokePath) {
    server_.set_keep_alive_max_count(1000);  // the keep-alive test needs 100 requests on one connection
    server_.set_keep_alive_timeout(2);
    server_.set_tcp_nodelay(true);  // as Go servers (the RIE) do; avoids Nagle + delayed-ACK stalls
    server_.Post(path, [this, route](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mu_);
        ports_.insert(req.remote_port);
        last_headers_ = req.headers;
        ++requests_;
      }
      route(req, res, *this);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~InvokeServer() { stop(); }

  void stop() {
    release();
    if (!thread_.joinable()) return;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!server_.is_running() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(milliseconds(1));
    server_.stop();
    thread_.join();
  }

  std::string url(const std::string& suffix = "") const { return "http://127.0.0.1:" + std::to_string(port_) + suffix; }
  int port() const { return port_; }

  /// Blocks a handler until release() or the bound.
  void hold() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kServerWaitBound, [this] { return released_; });
  }
  void release() {
    {
      std::lock_guard lock(mu_);
      released_ = true;
    }
    cv_.notify_all();
  }

  std::set<int> remote_ports() {
    std::lock_guard lock(mu_);
    return ports_;
  }
  std::string last_header(const std::string& name) {
    std::lock_guard lock(mu_);
    auto it = last_headers_.find(name);
    return it == last_headers_.end() ? "" : it->second;
  }
  int requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  std::set<int> ports_;
  httplib::Headers last_headers_;
  int requests_ = 0;
};

/// Serves an example handler the way Lambda (or the RIE) would.
InvokeServer::Route handler_route(const std::string& name, Dialect dialect) {
  const Handler* handler = examples::find_builtin(name);
  EXPECT_NE(handler, nullptr) << name;
  return [handler, dialect](const httplib::Request& req, httplib::Response& res, InvokeServer&) {
    const std::string type = req.get_header_value("X-Amz-Invocation-Type");
    // SEMANTICS.md §1 / §8: the RIE ignores the invocation type; Lambda answers 204 and 202.
    if (dialect == Dialect::kLambda && type == "DryRun") {
      res.status = 204;
      return;
    }
    Json event = Json::parse(req.body, nullptr, false);
    if (event.is_discarded()) {
      res.status = 400;
      res.set_content(R"({"Type":"User","message":"Could not parse request body into json"})", kJson);
      return;
    }
    EffectsSink sink;
    Context ctx("server-request-id", "function", "arn:aws:lambda:us-east-1:012345678912:function:function", 0, 3000, &sink);
    try {
      Json result = (*handler)(event, ctx);
      if (dialect == Dialect::kLambda && type == "Event") {
        res.status = 202;
        return;
      }
      if (dialect == Dialect::kLambda) res.set_header("X-Amz-Executed-Version", "$LATEST");
      res.status = 200;
      res.set_content(dump(result), kJson);
    } catch (const FunctionError& e) {
      // Node's error shape (SEMANTICS.md §1): errorType, errorMessage, trace.
      Json doc{{"errorType", e.type()}, {"errorMessage", e.what()}, {"trace", Json::array({"at handler (index.js:1:1)"})}};
      if (dialect == Dialect::kLambda) {
        res.set_header("X-Amz-Function-Error", "Unhandled");
        res.set_header("X-Amz-Executed-Version", "$LATEST");
      }
      res.status = 200;
      res.set_content(dump(doc), kJson);
    }
  };
}

/// Always answers `status` with `body` (and optional headers).
InvokeServer::Route fixed_route(int status, std::string body, std::string content_type = kJson,
                                std::vector<std::pair<std::string, std::string>> headers = {}) {
  return [=](const httplib::Request&, httplib::Response& res, InvokeServer&) {
    res.status = status;
    for (const auto& [k, v] : headers) res.set_header(k, v);
    if (!body.empty()) res.set_content(body, content_type);
  };
}

// --- Raw TCP listeners that do not speak HTTP properly ------------------------------------------------

enum class RawBehaviour { kCloseAfterRequest, kGarbage, kTrickle };

class RawServer {
 public:
  explicit RawServer(RawBehaviour behaviour) : behaviour_(behaviour) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~RawServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void loop() {
    const auto until = std::chrono::steady_clock::now() + kServerWaitBound;
    while (!stop_ && std::chrono::steady_clock::now() < until) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0) continue;
      serve(conn, until);
      ::close(conn);
    }
  }

  void serve(int conn, std::chrono::steady_clock::time_point until) {
    // Read the whole request (head and Content-Length body) first: the client has then finished
    // sending, so what it sees next is only the answer (or its absence), never a failed write.
    std::string got;
    char buf[4096];
    std::size_t need = std::string::npos;
    while (got.size() < need && !stop_ && std::chrono::steady_clock::now() < until) {
      pollfd p{conn, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      ssize_t n = ::recv(conn, buf, sizeof buf, 0);
      if (n <= 0) return;
      got.append(buf, static_cast<std::size_t>(n));
      if (auto head_end = got.find("\r\n\r\n"); need == std::string::npos && head_end != std::string::npos)
        need = head_end + 4 + content_length(got.substr(0, head_end));
    }
    switch (behaviour_) {
      case RawBehaviour::kCloseAfterRequest:
        return;
      case RawBehaviour::kGarbage: {
        static const char kGarbage[] = "\x16\x03\x01 this is not HTTP at all\r\n\r\n";
        ::send(conn, kGarbage, sizeof kGarbage - 1, MSG_NOSIGNAL);
        return;
      }
      case RawBehaviour::kTrickle: {
        // A status line, then one header byte every 100 ms: every single read succeeds in
        // time, only the total is unbounded.
        static const char kHead[] = "HTTP/1.1 200 OK\r\nX-Slow: ";
        if (::send(conn, kHead, sizeof kHead - 1, MSG_NOSIGNAL) < 0) return;
        while (!stop_ && std::chrono::steady_clock::now() < until) {
          if (::send(conn, "a", 1, MSG_NOSIGNAL) < 0) return;
          std::this_thread::sleep_for(milliseconds(100));
        }
        return;
      }
    }
  }

  static std::size_t content_length(std::string head) {
    for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto at = head.find("\r\ncontent-length:");
    return at == std::string::npos ? 0 : std::stoul(head.substr(at + 17));
  }

  RawBehaviour behaviour_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// A port with nothing listening: bound, then closed.
int refused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// --- Fixture ------------------------------------------------------------------------------------------

Json apigw_event() {
  return Json{{"resource", "/"}, {"path", "/"}, {"httpMethod", "GET"}, {"body", nullptr},
              {"requestContext", {{"requestId", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}}}};
}

Invocation invocation(const Json& event, milliseconds timeout = milliseconds(3000)) {
  Invocation inv;
  inv.request_id = "8f507cfc-9b0c-4f3a-a3b5-6c1e2c1d0001";
  inv.payload = dump(event);
  inv.timeout = timeout;
  inv.function_name = "function";
  inv.trace_id = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0";
  return inv;
}

class HttpTarget : public ::testing::Test {
 protected:
  void TearDown() override {
    if (target_) target_->stop();
    if (server_) server_->stop();
  }

  void serve(InvokeServer::Route route, const std::string& path = kInvokePath) {
    server_ = std::make_unique<InvokeServer>(std::move(route), path);
  }

  /// Builds and starts a target for `url` (the server's own by default).
  Target& connect(std::string url = "", int concurrency = 1) {
    if (url.empty()) url = server_->url();
    TargetOptions options;
    options.concurrency = concurrency;
    auto t = internal::make_http_target(url, options);
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
    target_ = std::move(*t);
    auto st = target_->start();
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
    return *target_;
  }

  std::unique_ptr<InvokeServer> server_;
  std::unique_ptr<Target> target_;
};

// --- Lambda dialect -----------------------------------------------------------------------------------

TEST_F(HttpTarget, SuccessPayloadEqualsTheInProcessResult) {
  serve(handler_route("sqs-partial", Dialect::kLambda));
  Target& t = connect();
  Json event{{"Records", Json::array({{{"messageId", "m1"}, {"body", "hello"}}, {{"messageId", "m2"}, {"body", ""}}})}};
  Invocation inv = invocation(event);
  inv.client_context = R"({"custom":{"k":"v"}})";
  Outcome o = t.invoke(inv);

  EffectsSink sink;
  Context ctx(inv.request_id, "function", "arn", 0, 3000, &sink);
  Json expected = (*examples::find_builtin("sqs-partial"))(event, ctx);
  EXPECT_EQ(o.kind, OutcomeKind::kSuccess) << o.to_json().dump();
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.payload, dump(expected));
  EXPECT_EQ(o.content_type, kJson);
  // The request as the Invoke API expects it (SEMANTICS.md §1).
  EXPECT_EQ(server_->last_header("X-Amz-Invocation-Type"), "RequestResponse");
  EXPECT_EQ(server_->last_header("Content-Type"), kJson);
  EXPECT_EQ(server_->last_header("X-Amz-Log-Type"), "None");
  EXPECT_EQ(server_->last_header("X-Amzn-Trace-Id"), inv.trace_id);
  EXPECT_EQ(codec::base64_decode(server_->last_header("X-Amz-Client-Context")).value_or("?"), inv.client_context);
  EXPECT_EQ(t.describe(), server_->url());
}

TEST_F(HttpTarget, FunctionErrorHeaderIsFunctionError) {
  serve(handler_route("apigw-fragile", Dialect::kLambda));
  Outcome o = connect().invoke(invocation(Json::object()));  // malformed: the fragile handler throws
  EXPECT_EQ(o.kind, OutcomeKind::kFunctionError) << o.to_json().dump();
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.function_error, "Unhandled");
  EXPECT_EQ(o.error_type, "TypeError");
  EXPECT_EQ(o.error_message, "Cannot read properties of undefined (reading 'body')");
}

TEST_F(HttpTarget, LegacyHandledHeaderIsFunctionError) {
  serve(fixed_route(200, R"({"errorType":"Error","errorMessage":"boom"})", kJson, {{"X-Amz-Function-Error", "Handled"}}));
  Outcome o = connect().invoke(invocation(Json::object()));
  EXPECT_EQ(o.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(o.function_error, "Handled");
  EXPECT_EQ(o.error_message, "boom");
}

TEST_F(HttpTarget, SandboxTimedoutErrorIsTimeout) {
  serve(fixed_route(200, R"({"errorType":"Sandbox.Timedout","errorMessage":"RequestId: x Error: Task timed out after 1.00 seconds"})",
                    kJson, {{"X-Amz-Function-Error", "Unhandled"}}));
  Outcome o = connect().invoke(invocation(Json::object()));
  EXPECT_EQ(o.kind, OutcomeKind::kTimeout);
  EXPECT_EQ(o.error_type, "Sandbox.Timedout");
}

TEST_F(HttpTarget, EventIsQueuedWith202) {
  serve(handler_route("noop", Dialect::kLambda));
  Invocation inv = invocation(Json::object());
  inv.type = InvokeType::kEvent;
  Outcome o = connect().invoke(inv);
  EXPECT_EQ(o.kind, OutcomeKind::kQueued);
  EXPECT_EQ(o.status, 202);
  EXPECT_EQ(o.payload, "");
  EXPECT_EQ(server_->last_header("X-Amz-Invocation-Type"), "Event");
}

TEST_F(HttpTarget, DryRunIs204) {
  serve(handler_route("noop", Dialect::kLambda));
  Invocation inv = invocation(Json::object());
  inv.type = InvokeType::kDryRun;
  Outcome o = connect().invoke(inv);
  EXPECT_EQ(o.kind, OutcomeKind::kDryRun);
  EXPECT_EQ(o.status, 204);
  EXPECT_EQ(server_->last_header("X-Amz-Invocation-Type"), "DryRun");
}

TEST_F(HttpTarget, ThrottleIsInvokeErrorTooManyRequests) {
  // The AWS-recorded throttle body (SEMANTICS.md §1).
  serve(fixed_route(429, R"({"Type":"User","message":"Rate Exceeded.","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"})",
                    kJson, {{"Retry-After", "1"}}));
  Outcome o = connect().invoke(invocation(Json::object()));
  EXPECT_EQ(o.kind, OutcomeKind::kInvokeError);
  EXPECT_EQ(o.status, 429);
  EXPECT_EQ(o.error_type, "TooManyRequestsException");
  EXPECT_EQ(o.error_message, "Rate Exceeded.");
  EXPECT_NE(o.detail.find("ReservedFunctionConcurrentInvocationLimitExceeded"), std::string::npos) << o.detail;
  EXPECT_NE(o.detail.find("Retry-After 1"), std::string::npos) << o.detail;
  EXPECT_FALSE(o.ran());
}

TEST_F(HttpTarget, ErrorTypeHeaderNamesTheInvokeError) {
  serve(fixed_route(413, R"({"message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"})", kJson,
                    {{"x-amzn-ErrorType", "RequestEntityTooLargeException:http://internal.amazon.com/coral/"}}));
  Outcome o = connect().invoke(invocation(Json::object()));
  EXPECT_EQ(o.kind, OutcomeKind::kInvokeError);
  EXPECT_EQ(o.status, 413);
  EXPECT_EQ(o.error_type, "RequestEntityTooLargeException");
  EXPECT_EQ(o.error_message, "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
}

TEST_F(HttpTarget, UnknownPathIsInvokeErrorNotFound) {
  serve(handler_route("noop", Dialect::kLambda), "/somewhere/else");
  Outcome o = connect().invoke(invocation(Json::object()));  // default path: httplib answers 404
  EXPECT_EQ(o.kind, OutcomeKind::kInvokeError);
  EXPECT_EQ(o.status, 404);
  EXPECT_EQ(o.error_type, "ResourceNotFoundException");
}

TEST_F(HttpTarget, GivenPathOverridesTheDefault) {
  serve(handler_route("apigw-echo", Dialect::kLambda), "/2015-03-31/functions/my-fn/invocations");
  Outcome o = connect(server_->url("/2015-03-31/functions/my-fn/invocations")).invoke(invocation(apigw_event()));
  EXPECT_EQ(o.kind, OutcomeKind::kSuccess) << o.to_json().dump();
  EXPECT_EQ(Json::parse(o.payload)["statusCode"], 200);
}

TEST_F(HttpTarget, ResponseOverTheCapIsResponseSizeTooLarge) {
  // SEMANTICS.md §1: 6,291,556 bytes pass, one more is Function.ResponseSizeTooLarge.
  std::atomic<std::size_t> size{6291556};
  serve([&size](const httplib::Request&, httplib::Response& res, InvokeServer&) {
    std::string body = "\"" + std::string(size.load() - 2, 'x') + "\"";
    res.set_content(body, kJson);
  });
  Target& t = connect();
  Outcome at_cap = t.invoke(invocation(Json::object()));
  EXPECT_EQ(at_cap.kind, OutcomeKind::kSuccess);
  EXPECT_EQ(at_cap.payload.size(), 6291556u);
  size = 6291557;
  Outcome over = t.invoke(invocation(Json::object()));
  EXPECT_EQ(over.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(over.error_type, "Function.ResponseSizeTooLarge");
  EXPECT_EQ(over.payload, dump(response_too_large_error()));
  // The target recovers on a fresh connection.
  size = 10;
  EXPECT_EQ(t.invoke(invocation(Json::object())).kind, OutcomeKind::kSuccess);
}

// --- RIE dialect --------------------------------------------------------------------------------------

TEST_F(HttpTarget, RieErrorDocumentIsFunctionError) {
  serve(handler_route("apigw-fragile", Dialect::kRie));
  Outcome o = connect().invoke(invocation(Json::object()));
  EXPECT_EQ(o.kind, OutcomeKind::kFunctionError) << o.to_json().dump();
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.function_error, "Unhandled");
  EXPECT_EQ(o.error_type, "TypeError");
  EXPECT_NE(o.detail.find("#dialect=lambda"), std::string::npos) << o.detail;
}

TEST_F(HttpTarget, RieSuccessIsSuccess) {
  serve(handler_route("apigw-echo", Dialect::kRie));
  Outcome o = connect().invoke(invocation(apigw_event()));
  EXPECT_EQ(o.kind, OutcomeKind::kSuccess);
  EXPECT_EQ(Json::parse(o.payload)["statusCode"], 200);
}

TEST_F(HttpTarget, ForcedLambdaDialectTakesAnErrorShapedResultAsSuccess) {
  serve(handler_route("apigw-fragile", Dialect::kRie));
  Outcome o = connect(server_->url("#dialect=lambda")).invoke(invocation(Json::object()));
  EXPECT_EQ(o.kind, OutcomeKind::kSuccess);
}

TEST_F(HttpTarget, AutoDialectTrustsLambdaHeadersOnceSeen) {
  // First answer carries X-Amz-Executed-Version (Lambda); the second is an error-shaped result
  // without X-Amz-Function-Error, which Lambda means as a success.
  std::atomic<int> n{0};
  serve([&n](const httplib::Request&, httplib::Response& res, InvokeServer&) {
    if (n++ == 0) res.set_header("X-Amz-Executed-Version", "$LATEST");
    res.set_content(R"({"errorType":"Error","errorMessage":"a value, not a failure"})", kJson);
  });
  Target& t = connect();
  EXPECT_EQ(t.invoke(invocation(Json::object())).kind, OutcomeKind::kSuccess);
  EXPECT_EQ(t.invoke(invocation(Json::object())).kind, OutcomeKind::kSuccess);
}

TEST_F(HttpTarget, ForcedRieDialectIgnoresLambdaHeaders) {
  serve(fixed_route(200, R"({"errorType":"Error","errorMessage":"m","stackTrace":[]})", kJson,
                    {{"X-Amz-Executed-Version", "$LATEST"}}));
  Outcome o = connect(server_->url("#dialect=rie")).invoke(invocation(Json::object()));
  EXPECT_EQ(o.kind, OutcomeKind::kFunctionError);
}

TEST_F(HttpTarget, RieObjectWithOtherKeysIsSuccess) {
  // Only errorType + errorMessage (+ trace/stackTrace/requestId/cause) make an error document.
  serve(fixed_route(200, R"({"errorType":"Error","errorMessage":"m","statusCode":200})"));
  EXPECT_EQ(connect().invoke(invocation(Json::object())).kind, OutcomeKind::kSuccess);
}

TEST_F(HttpTarget, RieTimeoutTextIsTimeout) {
  serve(fixed_route(200, "Task timed out after 1.00 seconds", "text/plain; charset=utf-8"));
  Invocation inv = invocation(Json::object());
  Outcome o = connect().invoke(inv);
  EXPECT_EQ(o.kind, OutcomeKind::kTimeout) << o.to_json().dump();
  EXPECT_EQ(o.error_type, "Sandbox.Timedout");
  EXPECT_EQ(o.payload, dump(timeout_error(inv.request_id, milliseconds(1000))));
}

TEST_F(HttpTarget, RieBadGatewayWithBodyIsFunctionError) {
  serve(fixed_route(502, R"({"errorType":"Runtime.ImportModuleError","errorMessage":"Cannot find module 'index'"})"));
  Outcome o = connect().invoke(invocation(Json::object()));
  EXPECT_EQ(o.kind, OutcomeKind::kFunctionError);
  EXPECT_EQ(o.status, 502);
  EXPECT_EQ(o.error_type, "Runtime.ImportModuleError");
}

TEST_F(HttpTarget, RieExitErrorIsCrash) {
  serve(fixed_route(502, R"({"errorType":"Runtime.ExitError","errorMessage":"RequestId: x Error: Runtime exited with error: exit status 1"})"));
  EXPECT_EQ(connect().invoke(invocation(Json::object())).kind, OutcomeKind::kCrash);
}

TEST_F(HttpTarget, RieAlreadyInvokingIsInvokeError) {
  serve(fixed_route(400, ""));
  Outcome o = connect().invoke(invocation(Json::object()));
  EXPECT_EQ(o.kind, OutcomeKind::kInvokeError);
  EXPECT_EQ(o.status, 400);
  EXPECT_NE(o.detail.find("already running"), std::string::npos) << o.detail;
}

// --- No answer, late answer -----------------------------------------------------------------------------

TEST_F(HttpTarget, SlowServerIsTimeout) {
  serve([](const httplib::Request&, httplib::Response& res, InvokeServer& s) {
    s.hold();  // until TearDown, at most kServerWaitBound
    res.set_content("null", kJson);
  });
  Invocation inv = invocation(Json::object(), milliseconds(300));
  Outcome o = connect().invoke(inv);
  EXPECT_EQ(o.kind, OutcomeKind::kTimeout) << o.to_json().dump();
  EXPECT_EQ(o.payload, dump(timeout_error(inv.request_id, milliseconds(300))));
  EXPECT_LT(o.duration_ms, std::chrono::duration_cast<milliseconds>(kServerWaitBound).count());  // did not wait for the server
}

TEST_F(HttpTarget, TricklingServerIsCutAtTheBound) {
  RawServer raw(RawBehaviour::kTrickle);
  Outcome o = connect(raw.url()).invoke(invocation(Json::object(), milliseconds(300)));
  EXPECT_EQ(o.kind, OutcomeKind::kTimeout) << o.to_json().dump();
  EXPECT_LT(o.duration_ms, std::chrono::duration_cast<milliseconds>(kServerWaitBound).count());
  target_->stop();
}

TEST_F(HttpTarget, ClosedWithoutAnswerIsNoAnswer) {
  RawServer raw(RawBehaviour::kCloseAfterRequest);
  Outcome o = connect(raw.url()).invoke(invocation(Json::object()));
  EXPECT_EQ(o.kind, OutcomeKind::kNoAnswer) << o.to_json().dump();
  EXPECT_NE(o.detail.find("httplib: Read"), std::string::npos) << o.detail;
  target_->stop();
}

TEST_F(HttpTarget, GarbageAnswerIsNoAnswer) {
  RawServer raw(RawBehaviour::kGarbage);
  Outcome o = connect(raw.url()).invoke(invocation(Json::object()));
  EXPECT_EQ(o.kind, OutcomeKind::kNoAnswer) << o.to_json().dump();
  EXPECT_FALSE(o.ran());
  target_->stop();
}

TEST_F(HttpTarget, RefusedPortIsUnreachableAtStart) {
  const std::string url = "http://127.0.0.1:" + std::to_string(refused_port());
  auto t = internal::make_http_target(url, TargetOptions{});
  ASSERT_TRUE(t.ok());
  Status st = (*t)->start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnreachable);
  EXPECT_EQ(st.error().message, "target " + url + " is unreachable: connection refused");
  // Invoking anyway is an outcome, not a hang or a throw.
  Outcome o = (*t)->invoke(invocation(Json::object()));
  EXPECT_EQ(o.kind, OutcomeKind::kNoAnswer);
  EXPECT_NE(o.detail.find("httplib: Connection"), std::string::npos) << o.detail;
}

// --- Connections ----------------------------------------------------------------------------------------

TEST_F(HttpTarget, KeepAliveReusesOneConnectionAcross100Invocations) {
  serve(handler_route("apigw-echo", Dialect::kLambda));
  Target& t = connect();
  int ok = 0;
  for (int i = 0; i < 100; ++i) ok += t.invoke(invocation(apigw_event())).kind == OutcomeKind::kSuccess;
  EXPECT_EQ(ok, 100);
  EXPECT_EQ(server_->requests(), 100);
  EXPECT_EQ(server_->remote_ports().size(), 1u);  // one client port = one TCP connection
}

TEST_F(HttpTarget, ConcurrentInvocationsAreSafe) {
  serve(handler_route("sqs-partial", Dialect::kLambda));
  Target& t = connect("", 4);
  EXPECT_EQ(t.slots(), 4);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&t, &ok, k] {
      for (int i = 0; i < 25; ++i) {
        const std::string id = "m" + std::to_string(k) + "-" + std::to_string(i);
        Outcome o = t.invoke(invocation(Json{{"Records", Json::array({{{"messageId", id}, {"body", ""}}})}}));
        Json expected{{"batchItemFailures", Json::array({{{"itemIdentifier", id}}})}};
        ok += o.kind == OutcomeKind::kSuccess && o.payload == dump(expected);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, 100);
  EXPECT_LE(server_->remote_ports().size(), 4u);  // at most one connection per slot
}

// --- The spec -------------------------------------------------------------------------------------------

TEST(HttpTargetSpec, MalformedUrlsAreOneLineUsageErrors) {
  for (const char* bad : {"http://127.0.0.1", "http://:9000", "http://127.0.0.1:abc", "http://127.0.0.1:70000",
                          "http://127.0.0.1:0", "http://127.0.0.1:9000#dialect=aws", "http://127.0.0.1:9000#mode=rie",
                          "http://user@127.0.0.1:9000", "http://127.0.0.1:9000/a b", "http://[::1/x"}) {
    auto t = internal::make_http_target(bad, TargetOptions{});
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.error().code, ErrorCode::kUsage) << bad;
    EXPECT_EQ(t.error().message.find('\n'), std::string::npos) << t.error().message;
    EXPECT_NE(t.error().message.find(bad), std::string::npos) << t.error().message;
  }
}

TEST(HttpTargetSpec, HttpsIsRefused) {
  auto t = internal::make_http_target("https://example.com:443", TargetOptions{});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kUsage);
  EXPECT_EQ(t.error().message.rfind("https targets are not supported: https://example.com:443", 0), 0u) << t.error().message;
}

TEST(HttpTargetSpec, DialectsAndIpv6Parse) {
  for (const char* good : {"http://127.0.0.1:9000", "http://localhost:9000/", "http://127.0.0.1:9000#dialect=rie",
                           "http://127.0.0.1:9000/x/y?Qualifier=1#dialect=lambda", "http://[::1]:9000#dialect=auto"}) {
    auto t = internal::make_http_target(good, TargetOptions{});
    EXPECT_TRUE(t.ok()) << good << ": " << (t.ok() ? "" : t.error().message);
    if (t.ok()) {
      EXPECT_EQ((*t)->describe(), good);
    }
  }
}

}  // namespace
}  // namespace evh::harness
