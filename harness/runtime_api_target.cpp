// Runtime API target (`runtime-api:'CMD'`): evh serves the Lambda Runtime API 2018-06-01
// (SEMANTICS.md §8) on 127.0.0.1 and starts CMD as the runtime, so that any runtime client
// (evh's examples/node/runtime_client.js, or an official runtime interface client) runs the
// function exactly as it would on Lambda. One runtime process per concurrency slot. What a
// runtime's error report means is internal/runtime_api_protocol.cpp (also fuzzed there).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <httplib.h>

#include "generators/json.h"
#include "generators/limits.h"
#include "harness/internal/runtime_api_protocol.h"
#include "harness/internal/subprocess.h"
#include "harness/internal/targets.h"

namespace evh::harness::internal {
namespace {

// --- Protocol strings (SEMANTICS.md §8: endpoints, /next headers, error reporting) ----------
constexpr const char* kNextPath = "/2018-06-01/runtime/invocation/next";
constexpr const char* kResponsePattern = R"(/2018-06-01/runtime/invocation/([^/]+)/response)";
constexpr const char* kErrorPattern = R"(/2018-06-01/runtime/invocation/([^/]+)/error)";
constexpr const char* kInitErrorPath = "/2018-06-01/runtime/init/error";

constexpr const char* kHeaderRequestId = "Lambda-Runtime-Aws-Request-Id";
constexpr const char* kHeaderDeadlineMs = "Lambda-Runtime-Deadline-Ms";
constexpr const char* kHeaderFunctionArn = "Lambda-Runtime-Invoked-Function-Arn";
constexpr const char* kHeaderTraceId = "Lambda-Runtime-Trace-Id";
constexpr const char* kHeaderClientContext = "Lambda-Runtime-Client-Context";
constexpr const char* kHeaderCognitoIdentity = "Lambda-Runtime-Cognito-Identity";
constexpr const char* kHeaderErrorType = "Lambda-Runtime-Function-Error-Type";
constexpr const char* kHeaderContentType = "Content-Type";
constexpr const char* kJsonContentType = "application/json";

// Runtime API error types (SEMANTICS.md §8 table: 400 / 403 / 413 / 500).
constexpr const char* kErrInvalidRequestId = "InvalidRequestID";
constexpr const char* kErrInvalidStateTransition = "InvalidStateTransition";
constexpr const char* kErrRequestEntityTooLarge = "RequestEntityTooLarge";
constexpr const char* kErrTruncatedRequest = "TruncatedHTTPRequest";
constexpr const char* kErrInternal = "InternalServerError";

// --- Environment (SEMANTICS.md §8 "Runtime Interface Emulator": env knobs) ------------------
constexpr const char* kLoopback = "127.0.0.1";
constexpr const char* kFunctionVersion = "$LATEST";
constexpr const char* kLogGroupPrefix = "/aws/lambda/";
// Dummy credentials: a function under test must never reach AWS with the developer's own keys.
constexpr const char* kDummyAccessKeyId = "AKIAEVHDUMMYEXAMPLE0";
constexpr const char* kDummySecretAccessKey = "evh/dummy/secret/access/key/EXAMPLEKEY0000";
constexpr const char* kDummySessionToken = "evh-dummy-session-token";
// AWS_EXECUTION_ENV is unset because only AWS-managed runtimes have it (a custom runtime never
// sees it); Subprocess can only add variables, so the shell removes it when evh has it.
constexpr const char* kExecutionEnvVar = "AWS_EXECUTION_ENV";
constexpr const char* kUnsetExecutionEnv = "unset AWS_EXECUTION_ENV; ";

// --- Real-time bounds (out-of-process I/O only; the run itself is on the virtual clock) ------
/// How long a fresh runtime may take to make its first GET /next (its init phase).
constexpr std::chrono::milliseconds kFirstPollWait{5000};
/// Added to the function timeout before evh calls it a timeout: covers scheduling of the reply.
constexpr std::chrono::milliseconds kScheduleGrace{100};
/// How often an invocation checks whether the runtime process is still alive.
constexpr std::chrono::milliseconds kExitPollInterval{5};
/// How often a parked GET /next wakes to notice a shutdown (it is also notified directly).
constexpr std::chrono::milliseconds kNextWakeInterval{100};
/// How long the server thread may take to start listening.
constexpr std::chrono::milliseconds kListenWait{2000};
/// Worker threads per Runtime API server: a runtime holds one long poll and one reply at a time.
constexpr std::size_t kServerThreads = 8;
constexpr std::size_t kKeepAliveMaxCount = 1000;
/// Request ids remembered per runtime to tell a second reply (403) from an unknown id (400).
constexpr std::size_t kAnsweredIdsKept = 1024;

using Clock = std::chrono::steady_clock;

std::string json_error(const std::string& type, const std::string& message) {
  return dump(Json{{"errorMessage", message}, {"errorType", type}});
}

void reply_json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, kJsonContentType);
}

/// A request body read through the content reader: at most the response cap is kept, but every
/// byte is counted, so an oversize reply is measured without holding it (SEMANTICS.md §1).
struct Body {
  std::string bytes;
  std::size_t size = 0;
  bool complete = false;
};

Body read_body(const httplib::ContentReader& reader) {
  Body b;
  b.complete = reader([&b](const char* data, std::size_t len) {
    b.size += len;
    if (b.bytes.size() < limits::kSyncResponseBytes)
      b.bytes.append(data, std::min(len, limits::kSyncResponseBytes - b.bytes.size()));
    return true;
  });
  return b;
}

/// An /error or /init/error request as internal/runtime_api_protocol.h reads it.
ErrorReport error_report(const httplib::Request& req, std::string body) {
  return ErrorReport{req.get_header_value(kHeaderErrorType), req.get_header_value(kHeaderContentType), std::move(body)};
}

/// What evh knows about one invocation when it hands it to the runtime.
struct Delivery {
  std::string request_id;
  std::string payload;
  std::string function_arn;
  std::string trace_id;
  std::string client_context;
  std::string cognito_identity;
  int64_t deadline_epoch_ms = 0;  ///< real wall clock: runtimes compute remaining time from it
};

/// How a fresh runtime came up.
struct Readiness {
  enum Kind { kPolled, kInitError, kExited, kNoPoll, kCancelled, kLaunchFailed } kind = kPolled;
  Subprocess::Exit exit;
  Error error;  ///< kLaunchFailed only
};

// One runtime process and the Runtime API server it talks to. A fresh Session (new port) per
// process start, so a request still in flight from a killed runtime can never touch the state
// of its successor. The process is only touched by the thread that owns the slot; the server
// threads share the invocation state under mu_.
class Session {
 public:
  Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() { stop(); }

  /// Starts the server on a free port and the runtime process with `env` plus
  /// AWS_LAMBDA_RUNTIME_API pointing at it.
  Status launch(const std::string& command, std::map<std::string, std::string> env) {
    install_routes();
    port_ = server_.bind_to_any_port(kLoopback);
    if (port_ <= 0) return make_error(ErrorCode::kInternal, "runtime-api: cannot bind a port on 127.0.0.1");
    listener_ = std::thread([this] {
      server_.listen_after_bind();
      listen_done_ = true;
    });
    // Server::stop() is a no-op until the listen loop runs: wait for it so stop() always works.
    const auto until = Clock::now() + kListenWait;
    while (!server_.is_running() && !listen_done_ && Clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!server_.is_running())
      return make_error(ErrorCode::kInternal, "runtime-api: the Runtime API server did not start");

    env["AWS_LAMBDA_RUNTIME_API"] = std::string(kLoopback) + ":" + std::to_string(port_);
    Subprocess::Options o;
    o.command = std::getenv(kExecutionEnvVar) ? kUnsetExecutionEnv + command : command;
    o.env = std::move(env);
    // Stdin is /dev/null. The runtime's stdout and stderr are its logs: both go to evh's stderr
    // (evh's stdout carries reports), unbuffered by evh, so nothing can block on a full pipe.
    o.pipe_stdin = false;
    o.pipe_stdout = false;
    o.pipe_stderr = false;
    auto p = Subprocess::spawn(o);
    if (!p) return p.error();
    process_ = std::move(p.value());
    has_process_ = true;
    return Ok{};
  }

  /// Waits (bounded) for the runtime's first GET /next, or its /init/error, or its exit.
  Readiness await_ready(Clock::time_point deadline, const std::atomic<bool>& cancel) {
    for (;;) {
      {
        std::unique_lock lk(mu_);
        cv_.wait_for(lk, kExitPollInterval, [this] { return polled_ || init_error_.has_value(); });
        if (polled_) return {Readiness::kPolled, {}, {}};
        if (init_error_) return {Readiness::kInitError, {}, {}};
      }
      if (auto ex = exited()) {
        // A runtime posts /init/error and waits for the 202 before exiting: the state is set by now.
        std::lock_guard lk(mu_);
        if (polled_) return {Readiness::kPolled, {}, {}};
        if (init_error_) return {Readiness::kInitError, {}, {}};
        return {Readiness::kExited, *ex, {}};
      }
      if (cancel) return {Readiness::kCancelled, {}, {}};
      if (Clock::now() >= deadline) return {Readiness::kNoPoll, {}, {}};
    }
  }

  std::optional<Outcome> take_init_error() {
    std::lock_guard lk(mu_);
    auto e = std::move(init_error_);
    init_error_.reset();
    return e;
  }

  /// Queues one invocation for the runtime's GET /next.
  void deliver(Delivery d) {
    std::lock_guard lk(mu_);
    reply_.reset();
    // Re-runs (shrinking, replay, the same seed again) deliver the same request ids: a new
    // delivery of an id is a new invocation, which may be answered once more.
    if (answered_.erase(d.request_id) > 0) std::erase(answered_order_, d.request_id);
    queued_ = std::move(d);
    cv_.notify_all();
  }

  /// Waits up to `interval` for the reply to the delivered invocation.
  std::optional<Outcome> wait_reply(std::chrono::milliseconds interval) {
    std::unique_lock lk(mu_);
    cv_.wait_for(lk, interval, [this] { return reply_.has_value(); });
    auto r = std::move(reply_);
    reply_.reset();
    return r;
  }

  /// Forgets the current invocation (after its outcome is known).
  void finish() {
    std::lock_guard lk(mu_);
    queued_.reset();
    in_flight_.clear();
    reply_.reset();
  }

  /// Non-blocking: the process exit, once it has ended.
  std::optional<Subprocess::Exit> exited() {
    if (!has_process_) return Subprocess::Exit{true, -1, 0};
    auto ex = process_.poll();
    if (ex.exited) return ex;
    return std::nullopt;
  }

  /// Kills the runtime's process group and stops the server. Idempotent.
  void stop() {
    if (stopped_) return;
    stopped_ = true;
    // Kill first: the runtime's sockets close, so the server's keep-alive workers end at once.
    if (has_process_) process_.kill();
    {
      std::lock_guard lk(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (listener_.joinable()) {
      // Server::stop() only acts once the listen loop runs; launch() waited for that, and the
      // loop repeats the call for the (theoretical) case where it had not started yet.
      for (;;) {
        server_.stop();
        if (listen_done_) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      listener_.join();
    }
  }

 private:
  void install_routes() {
    server_.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
    server_.set_keep_alive_max_count(kKeepAliveMaxCount);
    // httplib writes headers and body separately: without TCP_NODELAY, Nagle's algorithm and the
    // client's delayed ACK add ~40 ms to every GET /next and every reply.
    server_.set_tcp_nodelay(true);
    // The body is streamed through read_body(), which counts without holding more than the cap;
    // httplib must not refuse an oversize reply itself, or evh could not report it
    // (SEMANTICS.md §8: 413, then Function.ResponseSizeTooLarge).
    server_.set_payload_max_length(std::numeric_limits<std::size_t>::max());
    server_.Get(kNextPath, [this](const httplib::Request&, httplib::Response& res) { on_next(res); });
    server_.Post(kResponsePattern, [this](const httplib::Request& req, httplib::Response& res,
                                          const httplib::ContentReader& reader) {
      on_reply(req, res, reader, /*is_error=*/false);
    });
    server_.Post(kErrorPattern, [this](const httplib::Request& req, httplib::Response& res,
                                       const httplib::ContentReader& reader) {
      on_reply(req, res, reader, /*is_error=*/true);
    });
    server_.Post(kInitErrorPath, [this](const httplib::Request& req, httplib::Response& res,
                                        const httplib::ContentReader& reader) { on_init_error(req, res, reader); });
    // Explicit type: a lambda converts to both set_error_handler overloads.
    server_.set_error_handler(httplib::Server::HandlerWithResponse(
        [](const httplib::Request& req, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          reply_json(res, res.status, json_error(res.status == 404 ? "NotFound" : "BadRequest",
                                                 "no such Runtime API route: " + req.method + " " + req.path));
          return httplib::Server::HandlerResponse::Handled;
        }));
    server_.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      reply_json(res, 500, json_error(kErrInternal, "Internal Server Error"));
    });
  }

  // GET /next: long poll until evh queues an invocation (SEMANTICS.md §8).
  void on_next(httplib::Response& res) {
    std::unique_lock lk(mu_);
    polled_ = true;
    cv_.notify_all();
    while (!queued_ && !stopping_) cv_.wait_for(lk, kNextWakeInterval);
    if (stopping_) {
      reply_json(res, 500, json_error(kErrInternal, "the runtime is being shut down"));
      return;
    }
    Delivery d = std::move(*queued_);
    queued_.reset();
    in_flight_ = d.request_id;
    lk.unlock();

    res.status = 200;
    res.set_header(kHeaderRequestId, d.request_id);
    res.set_header(kHeaderDeadlineMs, std::to_string(d.deadline_epoch_ms));
    res.set_header(kHeaderFunctionArn, d.function_arn);
    if (!d.trace_id.empty()) res.set_header(kHeaderTraceId, d.trace_id);
    // Omitted when empty, as the RIE does (SEMANTICS.md §8 "/next response headers").
    if (!d.client_context.empty()) res.set_header(kHeaderClientContext, d.client_context);
    if (!d.cognito_identity.empty()) res.set_header(kHeaderCognitoIdentity, d.cognito_identity);
    res.set_content(std::move(d.payload), kJsonContentType);
  }

  // POST /invocation/{id}/response and /error (SEMANTICS.md §8 table).
  void on_reply(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
                bool is_error) {
    const std::string id = req.matches.size() > 1 ? req.matches[1].str() : std::string();
    Body body = read_body(reader);
    if (!body.complete) {
      reply_json(res, 400, json_error(kErrTruncatedRequest, "HTTP request detected as truncated"));
      return;
    }
    std::lock_guard lk(mu_);
    if (answered_.count(id)) {
      reply_json(res, 403, json_error(kErrInvalidStateTransition,
                                      "invocation " + id + " was already answered: one reply per request id"));
      return;
    }
    if (in_flight_.empty() || id != in_flight_) {
      reply_json(res, 400, json_error(kErrInvalidRequestId, "Invalid request ID"));
      return;
    }
    remember_answered(id);
    in_flight_.clear();
    if (body.size > limits::kSyncResponseBytes) {
      // SEMANTICS.md §1, §8: 413 to the runtime; the invoke fails with Function.ResponseSizeTooLarge.
      reply_.emplace(platform_error(OutcomeKind::kFunctionError, response_too_large_error(),
                                    (is_error ? "error body of " : "response of ") + std::to_string(body.size) +
                                        " bytes exceeds " + std::to_string(limits::kSyncResponseBytes)));
      reply_json(res, 413, json_error(kErrRequestEntityTooLarge,
                                      "Exceeded maximum allowed payload size (" +
                                          std::to_string(limits::kSyncResponseBytes) + " bytes)."));
    } else if (is_error) {
      reply_.emplace(reported_error(error_report(req, std::move(body.bytes)), "runtime posted /invocation/" + id + "/error"));
      reply_json(res, 202, dump(Json{{"status", "OK"}}));
    } else {
      Outcome o;
      o.kind = OutcomeKind::kSuccess;
      o.status = 200;
      o.payload = std::move(body.bytes);
      o.content_type = req.get_header_value(kHeaderContentType);
      reply_.emplace(std::move(o));
      reply_json(res, 202, dump(Json{{"status", "OK"}}));
    }
    cv_.notify_all();
  }

  // Recent answered ids, so that a second reply gets 403 rather than 400; bounded so a long run
  // on one runtime does not grow it without end.
  void remember_answered(const std::string& id) {
    answered_.insert(id);
    answered_order_.push_back(id);
    if (answered_order_.size() > kAnsweredIdsKept) {
      answered_.erase(answered_order_.front());
      answered_order_.pop_front();
    }
  }

  // POST /init/error: only valid before the first GET /next (SEMANTICS.md §8 table: 403 otherwise).
  void on_init_error(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    Body body = read_body(reader);
    std::lock_guard lk(mu_);
    if (polled_ || init_error_) {
      reply_json(res, 403, json_error(kErrInvalidStateTransition, "/runtime/init/error is only valid during init"));
      return;
    }
    init_error_.emplace(reported_error(error_report(req, std::move(body.bytes)), "runtime posted /runtime/init/error"));
    reply_json(res, 202, dump(Json{{"status", "OK"}}));
    cv_.notify_all();
  }

  httplib::Server server_;
  std::thread listener_;
  std::atomic<bool> listen_done_{false};
  int port_ = -1;
  Subprocess process_;
  bool has_process_ = false;
  bool stopped_ = false;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool polled_ = false;
  std::optional<Delivery> queued_;
  std::string in_flight_;
  std::optional<Outcome> reply_;
  std::optional<Outcome> init_error_;
  std::set<std::string> answered_;
  std::deque<std::string> answered_order_;
};

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// "2024/05/01/[$LATEST]<32 hex>", Lambda's log stream name shape; one per runtime process.
std::string log_stream_name(uint64_t generation) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d/%02d/%02d/[%s]%016llx%016llx", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                kFunctionVersion, static_cast<unsigned long long>(splitmix64(generation)),
                static_cast<unsigned long long>(splitmix64(generation + 1)));
  return buf;
}

class RuntimeApiTarget final : public Target {
 public:
  RuntimeApiTarget(std::string command, TargetOptions options)
      : command_(std::move(command)), options_(std::move(options)),
        slots_(static_cast<std::size_t>(std::max(1, options_.concurrency))) {}
  ~RuntimeApiTarget() override { stop(); }

  std::string describe() const override { return "runtime-api:" + command_; }
  int slots() const override { return static_cast<int>(slots_.size()); }

  Status start() override {
    std::unique_lock lk(mu_);
    if (started_) return Ok{};
    wait_all_free(lk);
    for (auto& s : slots_) s.busy = true;
    lk.unlock();
    // Launch every runtime first, then wait for them together: N cold starts overlap.
    Status result = Ok{};
    std::vector<Readiness> ready(slots_.size());
    for (std::size_t i = 0; i < slots_.size(); ++i) ready[i] = launch(slots_[i]);
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (ready[i].kind == Readiness::kPolled && slots_[i].session)
        ready[i] = slots_[i].session->await_ready(Clock::now() + kFirstPollWait, stopping_);
      if (result.ok()) {
        if (auto st = readiness_status(ready[i]); !st) result = st;
      }
    }
    lk.lock();
    if (result.ok()) {
      started_ = true;
    } else {
      for (auto& s : slots_) s.session.reset();
    }
    for (auto& s : slots_) s.busy = false;
    cv_.notify_all();
    return result;
  }

  Status restart() override {
    std::unique_lock lk(mu_);
    if (!started_) {
      lk.unlock();
      return start();
    }
    wait_all_free(lk);
    for (auto& s : slots_) s.busy = true;
    lk.unlock();
    Status result = Ok{};
    for (auto& s : slots_) {
      Readiness r = cold_start(s);
      if (result.ok()) {
        if (auto st = readiness_status(r); !st) result = st;
      }
    }
    lk.lock();
    for (auto& s : slots_) s.busy = false;
    cv_.notify_all();
    return result;
  }

  void stop() override {
    std::unique_lock lk(mu_);
    stopping_ = true;
    cv_.notify_all();
    // Invocations in progress see stopping_ within one exit-poll interval and give their slot back.
    wait_all_free(lk);
    for (auto& s : slots_) s.busy = true;
    lk.unlock();
    for (auto& s : slots_) s.session.reset();
    lk.lock();
    for (auto& s : slots_) s.busy = false;
    started_ = false;
    stopping_ = false;
    cv_.notify_all();
  }

  Outcome invoke(const Invocation& inv) override {
    if (inv.type == InvokeType::kDryRun) {
      // SEMANTICS.md §1: DryRun validates and answers 204; the function does not run.
      Outcome o;
      o.kind = OutcomeKind::kDryRun;
      o.status = 204;
      return o;
    }
    Slot* slot = acquire();
    if (!slot) {
      Outcome o;
      o.kind = OutcomeKind::kNoAnswer;
      o.status = 0;
      o.detail = "runtime-api target is not started";
      return o;
    }
    Outcome out = invoke_on(*slot, inv);
    release(slot);
    return out;
  }

 private:
  struct Slot {
    std::unique_ptr<Session> session;
    bool busy = false;
  };

  Slot* acquire() {
    std::unique_lock lk(mu_);
    for (;;) {
      if (stopping_ || !started_) return nullptr;
      for (auto& s : slots_) {
        if (!s.busy) {
          s.busy = true;
          return &s;
        }
      }
      // Bounded: every busy slot ends within its invocation's timeout.
      cv_.wait_for(lk, kNextWakeInterval);
    }
  }

  void release(Slot* slot) {
    std::lock_guard lk(mu_);
    slot->busy = false;
    cv_.notify_all();
  }

  void wait_all_free(std::unique_lock<std::mutex>& lk) {
    while (std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.busy; }))
      cv_.wait_for(lk, kNextWakeInterval);
  }

  std::map<std::string, std::string> runtime_env() {
    const FunctionConfig& f = options_.function;
    std::error_code ec;
    std::string cwd = std::filesystem::current_path(ec).string();
    // SEMANTICS.md §1: timeout in whole seconds for the runtime (Lambda's unit).
    const auto timeout_s = std::max<int64_t>(1, (f.timeout.count() + 999) / 1000);
    std::map<std::string, std::string> env = {
        {"AWS_LAMBDA_FUNCTION_NAME", f.name},
        {"AWS_LAMBDA_FUNCTION_VERSION", kFunctionVersion},
        {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(f.memory_mb)},
        {"AWS_LAMBDA_FUNCTION_TIMEOUT", std::to_string(timeout_s)},
        {"AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"},
        {"_HANDLER", f.handler},
        {"AWS_REGION", f.region},
        {"AWS_DEFAULT_REGION", f.region},
        {"AWS_LAMBDA_LOG_GROUP_NAME", kLogGroupPrefix + f.name},
        {"AWS_LAMBDA_LOG_STREAM_NAME", log_stream_name(generation_++)},
        {"LAMBDA_TASK_ROOT", cwd},
        {"LAMBDA_RUNTIME_DIR", cwd},
        {"AWS_ACCESS_KEY_ID", kDummyAccessKeyId},
        {"AWS_SECRET_ACCESS_KEY", kDummySecretAccessKey},
        {"AWS_SESSION_TOKEN", kDummySessionToken},
        {"TZ", ":UTC"},
    };
    if (!options_.effects_url.empty()) env["EVH_EFFECTS_URL"] = options_.effects_url;
    for (const auto& [k, v] : options_.env) env[k] = v;
    return env;
  }

  /// Replaces the slot's session by a fresh one (server + process) without waiting for it.
  /// kPolled here only means "launched"; await_ready says whether it came up.
  Readiness launch(Slot& slot) {
    slot.session.reset();  // kills the old runtime and stops its server
    slot.session = std::make_unique<Session>();
    if (auto st = slot.session->launch(command_, runtime_env()); !st) {
      slot.session.reset();
      return {Readiness::kLaunchFailed, {}, st.error()};
    }
    return {Readiness::kPolled, {}, {}};
  }

  /// A cold start: kill, launch, wait for the first GET /next (bounded).
  Readiness cold_start(Slot& slot) {
    Readiness r = launch(slot);
    if (r.kind != Readiness::kPolled) return r;
    return slot.session->await_ready(Clock::now() + kFirstPollWait, stopping_);
  }

  /// After a timeout, a crash or an init error: kill the runtime and cold-start a fresh one now.
  /// One that does not come up is killed too, so the next invocation starts over.
  void recycle(Slot& slot) {
    Readiness r = cold_start(slot);
    if (r.kind != Readiness::kPolled && r.kind != Readiness::kInitError && slot.session) slot.session->stop();
  }

  Status readiness_status(const Readiness& r) const {
    const std::string who = "runtime-api: '" + command_ + "'";
    switch (r.kind) {
      case Readiness::kPolled:
      case Readiness::kInitError:  // an init failure is the function's, reported per invocation
        return Ok{};
      case Readiness::kExited:
        return make_error(ErrorCode::kUnreachable,
                          who + " exited with " + r.exit.describe() + " before polling /runtime/invocation/next");
      case Readiness::kNoPoll:
        return make_error(ErrorCode::kUnreachable, who + " did not poll /runtime/invocation/next within " +
                                                       std::to_string(kFirstPollWait.count() / 1000) + " s");
      case Readiness::kCancelled:
        return make_error(ErrorCode::kUnreachable, who + ": stopped while starting");
      case Readiness::kLaunchFailed:
        return r.error;
    }
    return Ok{};
  }

  /// The outcome of an invocation that could not be delivered because the runtime did not come
  /// up: an exit during init is Runtime.ExitError, no poll at all counts as a timeout.
  Outcome failed_start_outcome(const Invocation& inv, const Readiness& r) const {
    switch (r.kind) {
      case Readiness::kExited:
        return platform_error(OutcomeKind::kCrash, exit_error(inv.request_id, r.exit.describe()),
                              "runtime exited during init: " + r.exit.describe());
      case Readiness::kNoPoll:
        return platform_error(OutcomeKind::kTimeout, timeout_error(inv.request_id, inv.timeout),
                              "runtime did not poll /runtime/invocation/next after a cold start");
      default: {
        Outcome o;
        o.kind = OutcomeKind::kNoAnswer;
        o.status = 0;
        o.detail = r.kind == Readiness::kLaunchFailed ? r.error.message : "runtime-api target is stopping";
        return o;
      }
    }
  }

  Outcome invoke_on(Slot& slot, const Invocation& inv) {
    bool restarted = false;
    // Lambda starts a fresh environment when the previous one died between invocations.
    if (!slot.session || slot.session->exited()) {
      restarted = true;
      Readiness r = cold_start(slot);
      if (r.kind != Readiness::kPolled && r.kind != Readiness::kInitError) {
        Outcome o = failed_start_outcome(inv, r);
        if (slot.session) slot.session->stop();
        o.restarted = true;
        return o;
      }
    }
    Session& s = *slot.session;

    // Init failed: Lambda reports it as this invocation's function error and starts over.
    if (auto init_error = s.take_init_error()) {
      Outcome o = std::move(*init_error);
      recycle(slot);
      o.restarted = true;
      return o;
    }

    Delivery d;
    d.request_id = inv.request_id;
    d.payload = inv.payload;
    d.function_arn = inv.function_arn.empty() ? options_.function.arn() : inv.function_arn;
    d.trace_id = inv.trace_id;
    d.client_context = inv.client_context;
    d.cognito_identity = inv.cognito_identity;
    // Real wall clock, not the virtual one: runtimes compare it with their own clock. The
    // virtual deadline (inv.deadline_ms) stays in the trace.
    d.deadline_epoch_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              (std::chrono::system_clock::now() + inv.timeout).time_since_epoch())
                              .count();
    const auto deadline = Clock::now() + inv.timeout + kScheduleGrace;
    s.deliver(std::move(d));

    Outcome out;
    for (;;) {
      if (auto reply = s.wait_reply(kExitPollInterval)) {
        out = std::move(*reply);
        s.finish();
        break;
      }
      if (auto ex = s.exited()) {
        // A reply posted just before the exit still counts.
        if (auto reply = s.wait_reply(std::chrono::milliseconds(0))) {
          out = std::move(*reply);
          s.finish();
          break;
        }
        out = platform_error(OutcomeKind::kCrash, exit_error(inv.request_id, ex->describe()),
                             "runtime exited during the invocation: " + ex->describe());
        recycle(slot);
        restarted = true;
        break;
      }
      if (Clock::now() >= deadline) {
        // SEMANTICS.md §0.12, §8.6: Sandbox.Timedout; Lambda kills the environment.
        out = platform_error(OutcomeKind::kTimeout, timeout_error(inv.request_id, inv.timeout),
                             "no reply within " + std::to_string(inv.timeout.count()) + " ms; runtime killed");
        recycle(slot);
        restarted = true;
        break;
      }
      if (stopping_) {
        out = Outcome{};
        out.kind = OutcomeKind::kNoAnswer;
        out.status = 0;
        out.detail = "runtime-api target stopped during the invocation";
        s.finish();
        break;
      }
    }
    out.restarted = out.restarted || restarted;
    return out;
  }

  std::string command_;
  TargetOptions options_;
  std::vector<Slot> slots_;  // fixed size: pointers to slots stay valid
  std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> generation_{0};
};

}  // namespace

Result<std::unique_ptr<Target>> make_runtime_api_target(const std::string& command, const TargetOptions& options) {
  if (command.find_first_not_of(" \t") == std::string::npos)
    return make_error(ErrorCode::kUsage, "runtime-api: needs a command, e.g. runtime-api:'node runtime_client.js'");
  return std::unique_ptr<Target>(std::make_unique<RuntimeApiTarget>(command, options));
}

}  // namespace evh::harness::internal
