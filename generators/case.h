// Case: one generated event with everything needed to make it again: the unit of replay.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "generators/json.h"

namespace evh {

/// What the platform contract says the handler must do with the event.
enum class Expect {
  kValid,    ///< process it correctly (valid or a legal edge)
  kIllegal,  ///< reject it safely: no crash, hang or 5xx
};

const char* to_string(Expect e);

struct Case {
  std::string source;
  uint64_t seed = 0;
  std::vector<std::string> mutations;  ///< applied mutator ids, in order
  Expect expect = Expect::kValid;
  Json event;

  /// "body.empty > field.drop-required", or "none".
  std::string chain() const;
  /// {"source","seed","mutations":[...],"expect","event"}: the --with-meta line.
  Json to_json() const;
  static Result<Case> from_json(const Json& j, const std::string& what);
};

}  // namespace evh
