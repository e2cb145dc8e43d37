// evh-example-runtime: a small Lambda Runtime API client (2018-06-01, SEMANTICS.md §8) that
// runs one of the builtin example handlers out of process, the way a custom runtime's bootstrap
// does: GET /runtime/invocation/next → run the handler → POST .../response or .../error. The
// handler's effects go to EVH_EFFECTS_URL (one POST per invocation, before its answer).
//
//   evh run --source sqs --mode poll --target "runtime-api:build/examples/evh-example-runtime sqs-throw-one"
//
// The handler is argv[1], else _HANDLER (the whole value, or the part after its last '.':
// "index.sqs-correct"). An unknown name is reported through /runtime/init/error
// (Runtime.HandlerNotFound). A handler that spends past its deadline (Context::spend_ms) really
// hangs here: it never answers, and the platform's timeout stops it, as Lambda's would.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

#include "examples/builtin.h"
#include "harness/context.h"
#include "harness/effects.h"

namespace {

using evh::Json;
namespace harness = evh::harness;

constexpr const char* kApiVersion = "/2018-06-01";
constexpr const char* kHeaderRequestId = "Lambda-Runtime-Aws-Request-Id";
constexpr const char* kHeaderDeadlineMs = "Lambda-Runtime-Deadline-Ms";
constexpr const char* kHeaderFunctionArn = "Lambda-Runtime-Invoked-Function-Arn";
constexpr const char* kHeaderTraceId = "Lambda-Runtime-Trace-Id";
constexpr const char* kHeaderErrorType = "Lambda-Runtime-Function-Error-Type";
constexpr int kExitUsage = 2;
constexpr int kExitRuntimeError = 1;

struct Endpoint {
  std::string host;
  int port = 80;
  std::string path;  ///< starts with '/' ("" when none)
};

/// "host:port" (AWS_LAMBDA_RUNTIME_API) or "http://host:port/path" (EVH_EFFECTS_URL).
std::optional<Endpoint> parse_endpoint(std::string text) {
  if (text.rfind("http://", 0) == 0) text = text.substr(7);
  Endpoint e;
  auto slash = text.find('/');
  if (slash != std::string::npos) {
    e.path = text.substr(slash);
    text = text.substr(0, slash);
  }
  auto colon = text.rfind(':');
  if (colon != std::string::npos) {
    try {
      e.port = std::stoi(text.substr(colon + 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
    text = text.substr(0, colon);
  }
  if (text.empty()) return std::nullopt;
  e.host = text;
  return e;
}

int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

std::string dump(const Json& v) { return v.dump(-1, ' ', false, Json::error_handler_t::replace); }

/// The builtin handler named on the command line or by _HANDLER, or the name that was asked for.
std::string handler_name(int argc, char** argv) {
  if (argc > 1) return argv[1];
  std::string h = env("_HANDLER");
  if (h.empty() || evh::examples::find_builtin(h) != nullptr) return h;
  return h.substr(h.rfind('.') + 1);
}

class RuntimeClient {
 public:
  explicit RuntimeClient(const Endpoint& api) : api_(api.host, api.port) {
    api_.set_keep_alive(true);
    // httplib sends a POST's headers and body in two writes: without TCP_NODELAY, Nagle's
    // algorithm and the server's delayed ACK hold every reply ~40 ms.
    api_.set_tcp_nodelay(true);
    // GET /next is a long poll: the platform answers when it has an invocation.
    api_.set_read_timeout(std::chrono::hours(24));
    api_.set_connection_timeout(std::chrono::seconds(5));
    if (auto effects = parse_endpoint(env("EVH_EFFECTS_URL"))) {
      effects_path_ = effects->path.empty() ? "/effects" : effects->path;
      effects_.emplace(effects->host, effects->port);
      effects_->set_keep_alive(true);
      effects_->set_tcp_nodelay(true);
      effects_->set_read_timeout(std::chrono::seconds(5));
    }
  }

  void init_error(const std::string& type, const std::string& message) {
    post_error(std::string(kApiVersion) + "/runtime/init/error", type, message);
  }

  /// Serves invocations until the platform goes away; returns the exit status.
  int serve(const harness::Handler& handler) {
    for (;;) {
      auto next = api_.Get(std::string(kApiVersion) + "/runtime/invocation/next");
      if (!next) {
        std::fprintf(stderr, "evh-example-runtime: GET /next failed: %s\n", httplib::to_string(next.error()).c_str());
        return kExitRuntimeError;
      }
      if (next->status != 200) {
        std::fprintf(stderr, "evh-example-runtime: GET /next answered %d: %s\n", next->status, next->body.c_str());
        return kExitRuntimeError;
      }
      invoke(handler, *next);
    }
  }

 private:
  void invoke(const harness::Handler& handler, const httplib::Response& next) {
    const std::string request_id = next.get_header_value(kHeaderRequestId);
    const std::string base = std::string(kApiVersion) + "/runtime/invocation/" + request_id;
    int64_t deadline_ms = epoch_ms() + 3000;
    try {
      deadline_ms = std::stoll(next.get_header_value(kHeaderDeadlineMs));
    } catch (const std::exception&) {
    }
    if (next.has_header(kHeaderTraceId)) setenv("_X_AMZN_TRACE_ID", next.get_header_value(kHeaderTraceId).c_str(), 1);
    else unsetenv("_X_AMZN_TRACE_ID");

    Json event = evh::parse_untrusted(next.body);
    if (event.is_discarded()) {
      post_error(base + "/error", "Runtime.UnmarshalError", "Unable to parse the event as JSON");
      return;
    }
    harness::EffectsSink sink;
    harness::Context ctx(request_id, env("AWS_LAMBDA_FUNCTION_NAME"), next.get_header_value(kHeaderFunctionArn), epoch_ms(), deadline_ms, &sink);
    Json result;
    std::optional<std::pair<std::string, std::string>> error;  // errorType, errorMessage
    try {
      result = handler(event, ctx);
    } catch (const harness::FunctionError& e) {
      error.emplace(e.type(), e.what());
    } catch (const std::exception& e) {
      error.emplace("Runtime.HandlerError", e.what());
    }
    post_effects(sink.take());
    if (ctx.timed_out()) {
      // The handler "spent" past its deadline: really do not answer; the platform stops us.
      for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
    }
    if (error) {
      post_error(base + "/error", error->first, error->second);
      return;
    }
    auto res = api_.Post(base + "/response", dump(result), "application/json");
    // 413: the platform refused an oversize response and fails the invoke itself; keep serving.
    if (res && res->status != 202) std::fprintf(stderr, "evh-example-runtime: POST response answered %d: %s\n", res->status, res->body.c_str());
  }

  void post_error(const std::string& path, const std::string& type, const std::string& message) {
    Json doc{{"errorType", type}, {"errorMessage", message}, {"stackTrace", Json::array()}};
    httplib::Headers headers{{kHeaderErrorType, type}};
    api_.Post(path, headers, dump(doc), "application/json");
  }

  void post_effects(std::vector<Json> effects) {
    if (!effects_ || effects.empty()) return;
    Json list = Json::array();
    for (auto& e : effects) list.push_back(std::move(e));
    auto res = effects_->Post(effects_path_, dump(list), "application/json");
    if (!res || res->status != 202) std::fprintf(stderr, "evh-example-runtime: effects were not accepted\n");
  }

  httplib::Client api_;
  std::optional<httplib::Client> effects_;
  std::string effects_path_;
};

}  // namespace

int main(int argc, char** argv) {
  auto api = parse_endpoint(env("AWS_LAMBDA_RUNTIME_API"));
  if (!api) {
    std::fprintf(stderr, "evh-example-runtime: AWS_LAMBDA_RUNTIME_API is not set (run it through evh --target runtime-api:...)\n");
    return kExitUsage;
  }
  RuntimeClient client(*api);
  const std::string name = handler_name(argc, argv);
  const harness::Handler* handler = evh::examples::find_builtin(name);
  if (handler == nullptr) {
    client.init_error("Runtime.HandlerNotFound", "unknown handler \"" + name + "\" (see evh list handlers)");
    return kExitRuntimeError;
  }
  return client.serve(*handler);
}
