// Effects: what a handler did to the world, reported through a channel evh reads (DESIGN.md
// Trace and Effects). An effect is a JSON object {"kind":"processed"|"failed"|"side-effect",
// "id":..., "key":...}; extra fields are kept. EffectsSink collects them from any thread.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "generators/error.h"
#include "generators/json.h"

namespace evh::harness {

/// Parses what a channel delivered: one object, an array, {"effects":[...]} or JSONL.
/// Each effect must be an object with a string "kind" among processed / failed / side-effect.
Result<std::vector<Json>> parse_effects(std::string_view text, const std::string& what);

/// Thread-safe collector. Effects are tagged with the request id that was current when they
/// arrived (`"requestId"`, unless the effect names one) and a running "seq" when absent.
class EffectsSink {
 public:
  void add(Json effect);
  void add_all(std::vector<Json> effects);
  /// Sets the request id attached to effects that arrive from now on ("" = none).
  void set_current(std::string request_id);
  /// Takes the effects collected since the last take.
  std::vector<Json> take();

 private:
  std::mutex mu_;
  std::vector<Json> effects_;
  std::string current_;
  int64_t seq_ = 0;
};

}  // namespace evh::harness
