#include "harness/effects_server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace evh::harness {
namespace {

constexpr const char* kHost = "127.0.0.1";  // never reachable from outside the machine
constexpr const char* kPathPrefix = "/effects";
constexpr const char* kPostPattern = R"(/effects(/.*)?)";
constexpr const char* kHealthPath = "/effects/health";
constexpr const char* kJson = "application/json";
/// Bodies over this are refused with 413: a handler reporting effects never needs more, and the
/// cap keeps a runaway handler from exhausting evh's memory.
constexpr std::size_t kMaxBodyBytes = 16u * 1024u * 1024u;
/// An idle keep-alive connection holds a server worker this long; it bounds stop().
constexpr time_t kKeepAliveSeconds = 1;
/// Bounds the wait for the serving thread to enter its accept loop before stopping it.
constexpr auto kStartWait = std::chrono::seconds(5);

std::string message_json(const std::string& message) { return dump(Json{{"message", message}}); }

}  // namespace

struct EffectsServer::Impl {
  explicit Impl(EffectsSink& s) : sink(s) {}
  EffectsSink& sink;
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> done{false};
  int port = 0;
};

EffectsServer::EffectsServer(EffectsSink& sink) : impl_(std::make_unique<Impl>(sink)) {}

EffectsServer::~EffectsServer() { stop(); }

Status EffectsServer::start() {
  if (impl_->thread.joinable()) return make_error(ErrorCode::kInternal, "effects sink: already started");
  auto& svr = impl_->server;
  svr.set_payload_max_length(kMaxBodyBytes);
  svr.set_keep_alive_timeout(kKeepAliveSeconds);
  svr.set_tcp_nodelay(true);  // a handler waits for the 202: no Nagle + delayed-ACK stalls
  EffectsSink* sink = &impl_->sink;
  svr.Post(kPostPattern, [sink](const httplib::Request& req, httplib::Response& res) {
    auto parsed = parse_effects(req.body, "POST " + req.path);
    if (!parsed) {
      res.status = 400;
      res.set_content(message_json(parsed.error().message), kJson);
      return;
    }
    const std::size_t n = parsed->size();
    sink->add_all(std::move(*parsed));
    res.status = 202;
    res.set_content(dump(Json{{"accepted", n}}), kJson);
  });
  svr.Get(kHealthPath, [](const httplib::Request&, httplib::Response& res) {
    res.set_content(dump(Json{{"ok", true}}), kJson);
  });
  // Every refusal gets a one-line JSON reason, including the 413 httplib writes on its own.
  svr.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string why = res.status == 413   ? "effects body larger than " + std::to_string(kMaxBodyBytes) + " bytes"
                      : res.status == 404 ? "no such path " + req.path + " (POST " + kPathPrefix + ", GET " + kHealthPath + ")"
                                          : "HTTP " + std::to_string(res.status);
    res.set_content(message_json(why), kJson);
  });
  int port = svr.bind_to_any_port(kHost);
  if (port <= 0) return make_error(ErrorCode::kInternal, std::string("effects sink: cannot bind a port on ") + kHost);
  impl_->port = port;
  impl_->done = false;
  // The socket is listening once bound: requests queue in the backlog until the loop runs.
  impl_->thread = std::thread([impl = impl_.get()] {
    impl->server.listen_after_bind();
    impl->done = true;
  });
  return Ok{};
}

std::string EffectsServer::url() const {
  if (impl_->port <= 0) return "";
  return std::string("http://") + kHost + ":" + std::to_string(impl_->port) + kPathPrefix;
}

void EffectsServer::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  // httplib's stop() only acts once the accept loop runs; wait for it (bounded) first.
  const auto until = std::chrono::steady_clock::now() + kStartWait;
  while (!impl_->server.is_running() && !impl_->done && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (impl_->server.is_running()) impl_->server.stop();
  impl_->thread.join();
  impl_->port = 0;
}

}  // namespace evh::harness
