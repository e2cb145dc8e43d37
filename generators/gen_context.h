// Values shared by every field of one generated event, so that ARNs, regions, accounts and
// timestamps agree with each other the way they do in a real event.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "generators/rng.h"

namespace evh {

struct GenContext {
  std::string region = "us-east-1";
  std::string account = "123456789012";
  std::string name = "orders";           ///< the resource's name (queue, stream, bucket, API)
  std::string function = "my-function";  ///< the function being invoked
  int64_t now_ms = 1767225600000;        ///< virtual "now" of the event (epoch ms)
  uint64_t sequence = 0;                 ///< monotonically increasing counter (sequence numbers)
  std::map<std::string, std::string, std::less<>> vars;  ///< per-event named values ({var:NAME})

  /// Draws a plausible region/account/name/time for one event.
  static GenContext draw(Rng& rng);
};

}  // namespace evh
