// The in-process target: a C++ handler called directly, with a Context on the virtual clock.
// No process, no socket: the fastest way to property-test a handler (bench/: ≥ 200,000
// invocations per second of a small SQS event).
#include <cxxabi.h>

#include <memory>
#include <typeinfo>

#include "harness/target.h"

namespace evh::harness {
namespace {

std::string type_name(const std::type_info& t) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> p(abi::__cxa_demangle(t.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && p ? std::string(p.get()) : std::string(t.name());
}

class InProcessTarget final : public Target {
 public:
  InProcessTarget(Handler handler, std::string name, const TargetOptions& options)
      : handler_(std::move(handler)), name_(std::move(name)), sink_(options.effects) {}

  std::string describe() const override { return name_; }
  Status start() override { return Ok{}; }
  bool reads_payload_bytes() const override { return false; }
  bool timeouts_take_real_time() const override { return false; }

  Outcome invoke(const Invocation& inv) override {
    Outcome o;
    if (inv.type == InvokeType::kDryRun) {
      // SEMANTICS.md §1: DryRun validates and answers 204; the function does not run.
      o.kind = OutcomeKind::kDryRun;
      o.status = 204;
      return o;
    }
    Json parsed;
    const Json* event = inv.event;
    if (event == nullptr) {
      parsed = parse_untrusted(inv.payload);
      if (parsed.is_discarded()) {
        // SEMANTICS.md §8.6: the Invoke API refuses a body that is not JSON.
        o.kind = OutcomeKind::kInvokeError;
        o.status = 400;
        o.error_type = "InvalidRequestContentException";
        o.error_message = "Could not parse request body into json";
        return o;
      }
      event = &parsed;
    }
    Context ctx(inv.request_id, inv.function_name, inv.function_arn, inv.now_ms, inv.deadline_ms, sink_);
    Json error;
    try {
      Json result = handler_(*event, ctx);
      if (!ctx.timed_out()) {
        o.payload = result.dump();
      }
    } catch (const FunctionError& e) {
      error = Json{{"errorType", e.type()}, {"errorMessage", e.what()}};
    } catch (const std::exception& e) {
      error = Json{{"errorType", type_name(typeid(e))}, {"errorMessage", e.what()}};
    } catch (...) {
      error = Json{{"errorType", "Runtime.Unknown"}, {"errorMessage", "a non-standard exception was thrown"}};
    }
    o.duration_ms = ctx.now_ms() - inv.now_ms;
    if (ctx.timed_out()) {
      o.kind = OutcomeKind::kTimeout;
      Json t = timeout_error(inv.request_id, inv.timeout);
      o.error_type = t["errorType"].get<std::string>();
      o.error_message = t["errorMessage"].get<std::string>();
      o.payload = t.dump();
      o.function_error = "Unhandled";
    } else if (!error.is_null()) {
      o.kind = OutcomeKind::kFunctionError;
      o.function_error = "Unhandled";  // SEMANTICS.md §1: every recorded error is Unhandled
      o.error_type = error["errorType"].get<std::string>();
      o.error_message = error["errorMessage"].get<std::string>();
      o.payload = error.dump();
    }
    o.content_type = "application/json";
    return o;
  }

 private:
  Handler handler_;
  std::string name_;
  EffectsSink* sink_;
};

}  // namespace

std::unique_ptr<Target> make_in_process_target(Handler handler, std::string name, const TargetOptions& options) {
  return std::make_unique<InProcessTarget>(std::move(handler), std::move(name), options);
}

}  // namespace evh::harness
