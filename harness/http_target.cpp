// The http:// target: evh calls an Invoke API endpoint (SEMANTICS.md §1), either the Lambda
// service's dialect or the Runtime Interface Emulator's (SEMANTICS.md §8), and maps every answer,
// and every failure to answer, to an Outcome. docs/http-target.md is the user-facing contract.
//
// Two dialects, because the RIE differs from the cloud where it matters to a judge: it never
// sends X-Amz-Function-Error (a function error is a 200 whose body is the error document), it
// answers a timeout with the plain text "Task timed out after N.00 seconds", and it ignores the
// invocation type. `#dialect=lambda|rie|auto` on the spec picks the rules; auto (the default)
// uses the Lambda rules as soon as the server has shown a Lambda-only header, the RIE heuristics
// before that.
//
// Bounds: every call ends within the function timeout plus kReadGrace. httplib's timeouts are
// per read, so a watchdog thread also cuts a request whose total time passes that bound (a
// server that trickles bytes); nothing here waits without a deadline.
#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "generators/codec.h"
#include "generators/limits.h"
#include "harness/internal/targets.h"

namespace evh::harness::internal {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// --- Protocol strings (SEMANTICS.md §1 Invoke API, §8 RIE) ---------------------------------------
constexpr const char* kScheme = "http://";
constexpr const char* kTlsScheme = "https://";
/// The RIE's invoke path (function name literally "function"), SEMANTICS.md §0.15 and §8.
constexpr const char* kDefaultInvokePath = "/2015-03-31/functions/function/invocations";
constexpr const char* kHeaderInvocationType = "X-Amz-Invocation-Type";
constexpr const char* kHeaderClientContext = "X-Amz-Client-Context";
constexpr const char* kHeaderTraceId = "X-Amzn-Trace-Id";
constexpr const char* kHeaderLogType = "X-Amz-Log-Type";
constexpr const char* kLogTypeNone = "None";
constexpr const char* kHeaderFunctionError = "X-Amz-Function-Error";
constexpr const char* kHeaderExecutedVersion = "X-Amz-Executed-Version";
constexpr const char* kHeaderErrorType = "x-amzn-ErrorType";
constexpr const char* kHeaderRetryAfter = "Retry-After";
constexpr const char* kHeaderContentType = "Content-Type";
constexpr const char* kJsonType = "application/json";
constexpr const char* kUserAgent = "evh";
/// The value every AWS-recorded function error carries (SEMANTICS.md §1).
constexpr const char* kUnhandled = "Unhandled";
/// Platform error types that mean "timed out" and "the runtime died" (SEMANTICS.md §1, §8.6).
constexpr const char* kTimeoutErrorType = "Sandbox.Timedout";
constexpr const char* kExitErrorType = "Runtime.ExitError";
/// The RIE's timeout body: "Task timed out after N.00 seconds" (SEMANTICS.md §8, rie/handlers.go).
constexpr std::string_view kRieTimeoutPrefix = "Task timed out after ";
constexpr std::string_view kRieTimeoutSuffix = " seconds";
/// Statuses of the Invoke API (SEMANTICS.md §1).
constexpr int kStatusOk = 200;
constexpr int kStatusQueued = 202;    // Event
constexpr int kStatusDryRun = 204;    // DryRun
constexpr int kStatusBadRequest = 400;
constexpr int kStatusBadGateway = 502;  // RIE: init or invoke failure, with the error body

// --- Bounds -----------------------------------------------------------------------------------------
/// Sync response cap: 6 MiB + 100 B; over it the platform answers Function.ResponseSizeTooLarge
/// (SEMANTICS.md §1 "Payload limits").
constexpr std::size_t kMaxResponseBytes = limits::kSyncResponseBytes;
/// Added to the function timeout before evh gives up: lets a server that enforces the same timeout
/// deliver its own timeout answer (the RIE's text, Lambda's Sandbox.Timedout) first.
constexpr milliseconds kReadGrace{1000};
/// TCP connect bound (start() probe and each new connection); local endpoints answer at once.
constexpr milliseconds kConnectTimeout{2000};
/// The watchdog re-checks at least this often (and at every registered deadline).
constexpr milliseconds kWatchdogTick{1000};

enum class Dialect { kAuto, kLambda, kRie };

const char* dialect_name(Dialect d) {
  switch (d) {
    case Dialect::kAuto: return "auto";
    case Dialect::kLambda: return "lambda";
    case Dialect::kRie: return "rie";
  }
  return "?";
}

struct HttpSpec {
  std::string given;  ///< as the user wrote it (describe())
  std::string url;    ///< without the #options fragment
  std::string host;
  int port = 0;
  std::string path;   ///< request target: path and query
  Dialect dialect = Dialect::kAuto;
};

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) return false;
  return true;
}

Error usage(const std::string& spec, const std::string& why) {
  return make_error(ErrorCode::kUsage, "--target " + spec + ": " + why + " (expected http://HOST:PORT[/path][#dialect=lambda|rie|auto])");
}

Result<Dialect> parse_options(const std::string& spec, std::string_view fragment) {
  Dialect dialect = Dialect::kAuto;
  std::size_t pos = 0;
  while (pos <= fragment.size()) {
    auto end = fragment.find_first_of("&,", pos);
    std::string_view item = fragment.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (!item.empty()) {
      auto eq = item.find('=');
      std::string key(item.substr(0, eq));
      std::string value(eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1));
      if (key != "dialect") return usage(spec, "unknown option '" + key + "'");
      if (value == "lambda") dialect = Dialect::kLambda;
      else if (value == "rie") dialect = Dialect::kRie;
      else if (value == "auto") dialect = Dialect::kAuto;
      else return usage(spec, "dialect must be lambda, rie or auto, not '" + value + "'");
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return dialect;
}

Result<HttpSpec> parse_spec(const std::string& spec) {
  HttpSpec out;
  out.given = spec;
  if (starts_with_icase(spec, kTlsScheme))
    return make_error(ErrorCode::kUsage, "https targets are not supported: " + spec +
                                             " (evh speaks plain HTTP to a local endpoint such as the RIE; use http://)");
  if (!starts_with_icase(spec, kScheme)) return usage(spec, "not an http:// URL");
  for (char c : spec)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return usage(spec, "the URL contains a space or a control character");
  const auto hash = spec.find('#');
  out.url = spec.substr(0, hash);
  if (hash != std::string::npos) {
    auto d = parse_options(spec, std::string_view(spec).substr(hash + 1));
    if (!d) return d.error();
    out.dialect = *d;
  }
  std::string_view rest = std::string_view(out.url).substr(std::string_view(kScheme).size());
  const auto auth_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view target = auth_end == std::string_view::npos ? std::string_view{} : rest.substr(auth_end);
  if (authority.find('@') != std::string_view::npos) return usage(spec, "user information in the URL is not supported");
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    auto close = authority.find(']');
    if (close == std::string_view::npos) return usage(spec, "unclosed '[' in the host");
    out.host = std::string(authority.substr(1, close - 1));
    if (close + 1 >= authority.size() || authority[close + 1] != ':') return usage(spec, "no port");
    port_text = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    if (colon == std::string_view::npos) return usage(spec, "no port");
    out.host = std::string(authority.substr(0, colon));
    port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return usage(spec, "no host");
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return usage(spec, "the port must be a number");
  out.port = std::stoi(std::string(port_text));
  if (out.port < 1 || out.port > 65535) return usage(spec, "the port must be 1-65535");
  // A bare "/" is no path: the RIE's path is the default, any other path overrides it.
  if (target.empty() || target == "/") out.path = kDefaultInvokePath;
  else if (target.front() == '?') out.path = std::string(kDefaultInvokePath) + std::string(target);
  else out.path = std::string(target);
  return out;
}

std::string errno_text(int err) {
  if (err == ECONNREFUSED) return "connection refused";
  std::string s = std::error_code(err, std::system_category()).message();
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

/// A plain TCP connect: proves something listens without invoking the function. "" = reachable.
std::string probe_tcp(const std::string& host, int port, milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    return "cannot resolve host '" + host + "': " + ::gai_strerror(rc);
  std::string last = "no address for host '" + host + "'";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
      last = errno_text(errno);
      continue;
    }
    int err = 0;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        const auto until = SteadyClock::now() + timeout;
        int pr = 0;
        do {
          auto left = std::chrono::duration_cast<milliseconds>(until - SteadyClock::now()).count();
          pr = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(left, 0)));
        } while (pr < 0 && errno == EINTR && SteadyClock::now() < until);
        if (pr == 0) {
          err = ETIMEDOUT;
        } else if (pr < 0) {
          err = errno;
        } else {
          socklen_t len = sizeof err;
          if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
        }
      }
    }
    ::close(fd);
    if (err == 0) {
      ::freeaddrinfo(found);
      return "";
    }
    last = err == ETIMEDOUT ? "connect timed out after " + std::to_string(timeout.count()) + " ms" : errno_text(err);
  }
  ::freeaddrinfo(found);
  return last;
}

/// "Task timed out after 3.00 seconds" → 3000 ms; nullopt for anything else.
std::optional<milliseconds> rie_timeout_text(std::string_view body) {
  auto first = body.find_first_not_of(" \t\r\n");
  auto last = body.find_last_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::nullopt;
  body = body.substr(first, last - first + 1);
  if (body.size() <= kRieTimeoutPrefix.size() + kRieTimeoutSuffix.size() || body.substr(0, kRieTimeoutPrefix.size()) != kRieTimeoutPrefix ||
      body.substr(body.size() - kRieTimeoutSuffix.size()) != kRieTimeoutSuffix)
    return std::nullopt;
  std::string_view number = body.substr(kRieTimeoutPrefix.size(), body.size() - kRieTimeoutPrefix.size() - kRieTimeoutSuffix.size());
  int64_t whole = 0, frac_ms = 0, scale = 100;
  std::size_t i = 0;
  for (; i < number.size() && std::isdigit(static_cast<unsigned char>(number[i])); ++i) {
    if (whole > 1'000'000'000) return std::nullopt;
    whole = whole * 10 + (number[i] - '0');
  }
  if (i == 0) return std::nullopt;
  if (i < number.size()) {
    if (number[i] != '.') return std::nullopt;
    for (++i; i < number.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(number[i]))) return std::nullopt;
      frac_ms += (number[i] - '0') * scale;
      scale /= 10;
    }
  }
  return milliseconds(whole * 1000 + frac_ms);
}

/// The RIE heuristic: an object with string errorType and errorMessage whose other keys are only
/// what runtimes add to an error (Node `trace`, Python/Java `stackTrace`, `requestId`, `cause`).
bool looks_like_error_document(const Json& doc) {
  if (!doc.is_object()) return false;
  auto t = doc.find("errorType");
  auto m = doc.find("errorMessage");
  if (t == doc.end() || !t->is_string() || m == doc.end() || !m->is_string()) return false;
  for (const auto& [key, value] : doc.items()) {
    if (key != "errorType" && key != "errorMessage" && key != "trace" && key != "stackTrace" && key != "requestId" &&
        key != "cause")
      return false;
  }
  return true;
}

std::string string_field(const Json& doc, std::initializer_list<const char*> keys) {
  if (!doc.is_object()) return "";
  for (const char* k : keys) {
    auto it = doc.find(k);
    if (it != doc.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) return it->get<std::string>();
  }
  return "";
}

/// The exception name an Invoke API status stands for when the answer does not name one
/// (SEMANTICS.md §1, error shapes from [BOTO]). 400, 502 and others are ambiguous: no default.
const char* default_invoke_error_type(int status) {
  switch (status) {
    case 404: return "ResourceNotFoundException";
    case 409: return "ResourceConflictException";
    case 413: return "RequestEntityTooLargeException";  // wire code of RequestTooLargeException
    case 415: return "UnsupportedMediaTypeException";
    case 429: return "TooManyRequestsException";
    case 500: return "ServiceException";
    default: return "";
  }
}

std::string describe_error(httplib::Error e) {
  const std::string name = " (httplib: " + httplib::to_string(e) + ")";
  switch (e) {
    case httplib::Error::Connection: return "could not connect: connection refused or failed" + name;
    case httplib::Error::ConnectionTimeout: return "could not connect within " + std::to_string(kConnectTimeout.count()) + " ms" + name;
    case httplib::Error::Read:
      return "connection closed or reset without an HTTP answer, or the answer was not HTTP" + name;
    case httplib::Error::Write: return "the request could not be sent: connection closed or reset" + name;
    default: return "no HTTP answer" + name;
  }
}

Outcome timeout_outcome(const Invocation& inv, milliseconds timeout, std::string detail) {
  Outcome o;
  o.kind = OutcomeKind::kTimeout;
  o.status = kStatusOk;  // SEMANTICS.md §1: a timeout is a 200 with X-Amz-Function-Error
  o.function_error = kUnhandled;
  Json t = timeout_error(inv.request_id, timeout);
  o.error_type = t["errorType"].get<std::string>();
  o.error_message = t["errorMessage"].get<std::string>();
  o.payload = dump(t);
  o.content_type = kJsonType;
  o.detail = std::move(detail);
  return o;
}

/// A function error answer (header, RIE error document or RIE 502): the platform's own timeout
/// and crash documents become kTimeout and kCrash, as every other target kind reports them.
void set_function_error(Outcome& o, const std::string& header_value) {
  Json doc = Json::parse(o.payload, nullptr, false);
  o.function_error = header_value.empty() ? kUnhandled : header_value;
  o.error_type = string_field(doc, {"errorType"});
  o.error_message = string_field(doc, {"errorMessage"});
  if (o.error_type == kTimeoutErrorType) o.kind = OutcomeKind::kTimeout;
  else if (o.error_type == kExitErrorType) o.kind = OutcomeKind::kCrash;
  else o.kind = OutcomeKind::kFunctionError;
}

class HttpTarget final : public Target {
 public:
  HttpTarget(HttpSpec spec, const TargetOptions& options)
      : spec_(std::move(spec)), concurrency_(std::max(1, options.concurrency)), sink_(options.effects) {}
  ~HttpTarget() override { stop(); }

  std::string describe() const override { return spec_.given; }
  int slots() const override { return concurrency_; }

  Status start() override {
    std::string why = probe_tcp(spec_.host, spec_.port, kConnectTimeout);
    if (!why.empty()) return make_error(ErrorCode::kUnreachable, "target " + spec_.url + " is unreachable: " + why);
    return Ok{};
  }

  Outcome invoke(const Invocation& inv) override {
    const auto started = SteadyClock::now();
    const milliseconds timeout = std::max(inv.timeout, milliseconds(1));
    const milliseconds bound = timeout + kReadGrace;
    // Effects POSTed to the HTTP sink carry no request id of their own; with one slot the current
    // invocation is unambiguous. Left set afterwards: late effects belong to the last invocation.
    if (sink_ != nullptr && concurrency_ == 1) sink_->set_current(inv.request_id);

    httplib::Request req;
    req.method = "POST";
    req.path = spec_.path;
    req.set_header(kHeaderInvocationType, to_string(inv.type));
    req.set_header(kHeaderContentType, kJsonType);
    if (!inv.client_context.empty()) req.set_header(kHeaderClientContext, codec::base64_encode(inv.client_context));
    if (!inv.trace_id.empty()) req.set_header(kHeaderTraceId, inv.trace_id);
    req.set_header(kHeaderLogType, kLogTypeNone);
    req.set_header("User-Agent", kUserAgent);
    req.body = inv.payload;
    std::string body;
    bool too_large = false;
    req.content_receiver = [&](const char* data, std::size_t n, uint64_t, uint64_t) {
      if (body.size() + n > kMaxResponseBytes) {
        too_large = true;  // the platform would refuse it; no need to read the rest
        return false;
      }
      body.append(data, n);
      return true;
    };

    std::unique_ptr<httplib::Client> client = checkout();
    client->set_connection_timeout(std::min(kConnectTimeout, bound));
    client->set_read_timeout(bound);
    client->set_write_timeout(bound);
    const uint64_t watch_id = watch(client.get(), started + bound);
    httplib::Result r = client->send(req);
    const bool cut = unwatch(watch_id);
    const auto elapsed = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - started);
    if (!cut) checkin(std::move(client));  // a client the watchdog stopped is not reused

    Outcome o;
    if (too_large) {
      o = oversize_outcome();
    } else if (!r) {
      const httplib::Error e = r.error();
      const bool connect_failed = e == httplib::Error::Connection || e == httplib::Error::ConnectionTimeout;
      if (!connect_failed && (cut || elapsed >= timeout)) {
        o = timeout_outcome(inv, timeout,
                            "no answer within the function timeout of " + std::to_string(timeout.count()) + " ms (evh waited " +
                                std::to_string(elapsed.count()) + " ms)");
      } else {
        o.kind = OutcomeKind::kNoAnswer;
        o.status = 0;
        o.detail = describe_error(e);
        o.error_message = o.detail;
      }
    } else {
      o = classify(*r, std::move(body), inv);
    }
    o.duration_ms = elapsed.count();
    return o;
  }

  void stop() override {
    {
      std::lock_guard lock(wd_mu_);
      wd_stop_ = true;
    }
    wd_cv_.notify_all();
    if (wd_thread_.joinable()) wd_thread_.join();
    std::lock_guard lock(pool_mu_);
    idle_.clear();  // closes the keep-alive connections
  }

 private:
  struct Watch {
    httplib::Client* client;
    SteadyClock::time_point deadline;
    bool fired;
  };

  Outcome oversize_outcome() const {
    // SEMANTICS.md §1: over 6,291,556 B the platform answers Function.ResponseSizeTooLarge.
    Outcome o;
    o.kind = OutcomeKind::kFunctionError;
    o.status = kStatusOk;
    o.function_error = kUnhandled;
    Json e = response_too_large_error();
    o.error_type = e["errorType"].get<std::string>();
    o.error_message = e["errorMessage"].get<std::string>();
    o.payload = dump(e);
    o.content_type = kJsonType;
    o.detail = "the response body passed " + std::to_string(kMaxResponseBytes) + " bytes; evh stopped reading it";
    return o;
  }

  Outcome classify(const httplib::Response& res, std::string body, const Invocation& inv) {
    // Lambda-only headers settle the dialect for the rest of the run (auto).
    if (res.has_header(kHeaderFunctionError) || res.has_header(kHeaderExecutedVersion)) lambda_seen_ = true;
    const bool lambda = spec_.dialect == Dialect::kLambda || (spec_.dialect == Dialect::kAuto && lambda_seen_);
    const char* rules = lambda ? "lambda" : "rie";

    Outcome o;
    o.status = res.status;
    o.payload = std::move(body);
    o.content_type = res.get_header_value(kHeaderContentType);

    if (res.has_header(kHeaderFunctionError)) {  // unambiguous in either dialect
      set_function_error(o, res.get_header_value(kHeaderFunctionError));
      return o;
    }
    if (res.status == kStatusQueued) {
      o.kind = OutcomeKind::kQueued;
      return o;
    }
    if (res.status == kStatusDryRun) {
      o.kind = OutcomeKind::kDryRun;
      return o;
    }
    if (res.status >= 200 && res.status < 300) {
      if (!lambda) {
        if (auto secs = rie_timeout_text(o.payload)) {
          return timeout_outcome(inv, *secs, std::string("the server answered the RIE's timeout text (") + rules +
                                                  " rules, " + dialect_name(spec_.dialect) + "): " + o.payload);
        }
        Json doc = Json::parse(o.payload, nullptr, false);
        if (looks_like_error_document(doc)) {
          set_function_error(o, "");
          o.detail = std::string("a 200 whose body is an error document is a function error under the RIE rules (dialect ") +
                     dialect_name(spec_.dialect) + "; force #dialect=lambda if the handler returns such objects)";
          return o;
        }
      }
      o.kind = OutcomeKind::kSuccess;
      return o;
    }
    if (!lambda && res.status == kStatusBadGateway && !o.payload.empty()) {
      // SEMANTICS.md §8: the RIE answers an init (or invoke) failure with 502 and the error body.
      set_function_error(o, "");
      o.detail = "the RIE answers 502 with the error document when the runtime fails";
      return o;
    }
    return invoke_error(std::move(o), res, lambda);
  }

  /// 4xx/5xx from the Invoke API: the function did not run (SEMANTICS.md §1 error shapes).
  static Outcome invoke_error(Outcome o, const httplib::Response& res, bool lambda) {
    o.kind = OutcomeKind::kInvokeError;
    Json doc = Json::parse(o.payload, nullptr, false);
    std::string type = res.get_header_value(kHeaderErrorType);
    type = type.substr(0, type.find(':'));  // "TooManyRequestsException:http://internal..."
    if (type.empty()) {
      type = string_field(doc, {"__type"});
      if (auto hash = type.rfind('#'); hash != std::string::npos) type = type.substr(hash + 1);
    }
    if (type.empty()) type = string_field(doc, {"errorType", "code", "Code"});
    if (type.empty()) {
      // `Type` is usually the fault side ("User", "Service"), only sometimes an exception name.
      std::string t = string_field(doc, {"Type"});
      if (t.size() > 9 && t.compare(t.size() - 9, 9, "Exception") == 0) type = t;
    }
    if (type.empty()) type = default_invoke_error_type(res.status);
    o.error_type = type;
    o.error_message = string_field(doc, {"message", "Message", "errorMessage"});
    std::string detail = "HTTP " + std::to_string(res.status);
    if (!type.empty()) detail += " " + type;
    if (std::string reason = string_field(doc, {"Reason"}); !reason.empty()) detail += "; Reason " + reason;
    if (res.has_header(kHeaderRetryAfter)) detail += "; Retry-After " + res.get_header_value(kHeaderRetryAfter);
    if (!lambda && res.status == kStatusBadRequest && o.payload.empty())
      detail += "; the RIE answers an empty 400 when an invocation is already running (it runs one at a time)";
    if (o.error_message.empty()) o.error_message = "HTTP " + std::to_string(res.status) + (res.reason.empty() ? "" : " " + res.reason);
    o.detail = std::move(detail);
    return o;
  }

  std::unique_ptr<httplib::Client> checkout() {
    {
      std::lock_guard lock(pool_mu_);
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    // httplib::Client is not safe to share between threads: one per concurrent invocation,
    // each keeping its connection alive across invocations.
    auto c = std::make_unique<httplib::Client>(spec_.host, spec_.port);
    c->set_keep_alive(true);
    c->set_tcp_nodelay(true);
    c->set_follow_location(false);
    return c;
  }

  void checkin(std::unique_ptr<httplib::Client> c) {
    std::lock_guard lock(pool_mu_);
    if (static_cast<int>(idle_.size()) < concurrency_) idle_.push_back(std::move(c));
  }

  uint64_t watch(httplib::Client* c, SteadyClock::time_point deadline) {
    std::lock_guard lock(wd_mu_);
    if (!wd_thread_.joinable()) {
      wd_stop_ = false;
      wd_thread_ = std::thread([this] { watchdog_loop(); });
    }
    const uint64_t id = next_watch_++;
    watches_.emplace(id, Watch{c, deadline, false});
    wd_cv_.notify_all();
    return id;
  }

  /// True when the watchdog cut this request.
  bool unwatch(uint64_t id) {
    std::lock_guard lock(wd_mu_);
    auto it = watches_.find(id);
    if (it == watches_.end()) return false;
    const bool fired = it->second.fired;
    watches_.erase(it);
    return fired;
  }

  void watchdog_loop() {
    std::unique_lock lock(wd_mu_);
    while (!wd_stop_) {
      const auto now = SteadyClock::now();
      auto next = now + kWatchdogTick;
      for (auto& [id, w] : watches_) {
        if (w.fired) continue;
        if (w.deadline <= now) {
          // Client::stop() is httplib's thread-safe way to end an in-flight request: it shuts the
          // socket down and the blocked read returns. Done under wd_mu_, so the client cannot
          // have been handed to another invocation (unwatch() precedes checkin()).
          w.fired = true;
          w.client->stop();
        } else {
          next = std::min(next, w.deadline);
        }
      }
      wd_cv_.wait_until(lock, next);
    }
  }

  HttpSpec spec_;
  int concurrency_;
  EffectsSink* sink_;
  std::atomic<bool> lambda_seen_{false};

  std::mutex pool_mu_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;

  std::mutex wd_mu_;
  std::condition_variable wd_cv_;
  std::map<uint64_t, Watch> watches_;
  uint64_t next_watch_ = 0;
  bool wd_stop_ = false;
  std::thread wd_thread_;
};

}  // namespace

Result<std::unique_ptr<Target>> make_http_target(const std::string& url, const TargetOptions& options) {
  auto spec = parse_spec(url);
  if (!spec) return spec.error();
  return std::unique_ptr<Target>(std::make_unique<HttpTarget>(std::move(*spec), options));
}

}  // namespace evh::harness::internal
