// Context and Handler: the in-process C++ target. A handler is a plain function
//   Json handler(const Json& event, Context& ctx)
// that returns its result or throws to report a function error. The context carries what the
// Lambda context object carries (request id, deadline on the virtual clock, function name and
// ARN) and the effects channel.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "generators/json.h"
#include "harness/effects.h"

namespace evh::harness {

class Context {
 public:
  Context(std::string request_id, std::string function_name, std::string function_arn, int64_t now_ms,
          int64_t deadline_ms, EffectsSink* sink)
      : request_id_(std::move(request_id)),
        function_name_(std::move(function_name)),
        function_arn_(std::move(function_arn)),
        now_ms_(now_ms),
        deadline_ms_(deadline_ms),
        sink_(sink) {}

  const std::string& request_id() const { return request_id_; }
  const std::string& function_name() const { return function_name_; }
  const std::string& invoked_function_arn() const { return function_arn_; }
  int64_t deadline_ms() const { return deadline_ms_; }
  /// Virtual now (epoch ms). The clock only moves when the handler says it spent time.
  int64_t now_ms() const { return now_ms_; }
  int64_t remaining_ms() const { return deadline_ms_ - now_ms_; }
  /// Simulated work: advances the virtual clock (no real sleep). Past the deadline the
  /// invocation ends as a timeout, as Lambda would stop it.
  void spend_ms(int64_t ms) { now_ms_ += ms; }
  bool timed_out() const { return now_ms_ > deadline_ms_; }

  /// Effects channel (DESIGN.md Trace and Effects).
  void effect(Json e);
  void processed(const std::string& id) { effect(Json{{"kind", "processed"}, {"id", id}}); }
  void failed(const std::string& id) { effect(Json{{"kind", "failed"}, {"id", id}}); }
  void side_effect(const std::string& id, const std::string& key) {
    effect(Json{{"kind", "side-effect"}, {"id", id}, {"key", key}});
  }

 private:
  std::string request_id_;
  std::string function_name_;
  std::string function_arn_;
  int64_t now_ms_;
  int64_t deadline_ms_;
  EffectsSink* sink_;
};

/// Thrown by a handler to report a function error with a chosen errorType.
class FunctionError : public std::runtime_error {
 public:
  FunctionError(std::string type, const std::string& message) : std::runtime_error(message), type_(std::move(type)) {}
  const std::string& type() const { return type_; }

 private:
  std::string type_;
};

/// An in-process handler. Return the result (Json null = no result); throw to fail.
using Handler = std::function<Json(const Json& event, Context& ctx)>;

}  // namespace evh::harness
