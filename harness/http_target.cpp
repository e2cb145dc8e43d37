// The http:// target: evh calls an Invoke API endpoint (SEMANTICS.md §1), either the Lambda
// service's dialect or the Runtime Interface Emulator's (SEMANTICS.md §8), and maps every answer,
// and every failure to answer, to an Outcome. docs/http-target.md is the user-facing contract.
//
// Two dialects, because the RIE differs from the cloud where it matters to a judge: it never
// sends X-Amz-Function-Error (a function error is a 200 whose body is the error document), it
// answers a timeout with the plain text "Task timed out after N.00 seconds", and it ignores the
// invocation type. `#dialect=lambda|rie|auto` on the spec picks the rules; auto (the default)
// uses the Lambda rules as soon as the server has shown a Lambda-only header, the RIE heuristics
// before that. The rules themselves are internal/invoke_response.cpp (also fuzzed there).
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
#include "harness/internal/invoke_response.h"
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
constexpr const char* kHeaderContentType = "Content-Type";
constexpr const char* kJsonType = "application/json";
constexpr const char* kUserAgent = "evh";
/// The value every AWS-recorded function error carries (SEMANTICS.md §1).
constexpr const char* kUnhandled = "Unhandled";
/// The status of every platform-made function error answer (SEMANTICS.md §1).
constexpr int kStatusOk = 200;

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
    InvokeAnswer answer;
    answer.status = res.status;
    answer.reason = res.reason;
    answer.headers.assign(res.headers.begin(), res.headers.end());
    answer.body = std::move(body);
    // Lambda-only headers settle the dialect for the rest of the run (auto).
    if (shows_lambda_dialect(answer)) lambda_seen_ = true;
    const bool lambda = spec_.dialect == Dialect::kLambda || (spec_.dialect == Dialect::kAuto && lambda_seen_);
    return interpret_invoke_answer(std::move(answer), lambda, spec_.dialect, inv);
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
