// Event validation: is this an event the platform could send for this source? The source's
// schema, its limits, its record identity (ids unique unless the record is a true duplicate),
// the payload contract when one is given, and the source's own consistency check.
#pragma once

#include <vector>

#include "generators/json.h"
#include "generators/payload.h"
#include "generators/source.h"
#include "generators/validate.h"

namespace evh {

struct ValidateOptions {
  const PayloadContract* payload = nullptr;  ///< check decoded payloads against this contract
  bool consistency = true;                   ///< run the source's consistency check
  std::size_t event_bytes = 0;               ///< serialised size when known (0: computed)
};

std::vector<Problem> validate_event(const Source& source, const Json& event, const ValidateOptions& options = {});

/// True when no problem is an error (consistency problems count only when `strict`).
bool is_valid(const std::vector<Problem>& problems, bool strict);

}  // namespace evh
