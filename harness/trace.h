// Trace: every platform action of a run in virtual-time order (DESIGN.md The command line):
// receive, invoke (virtual ms, request id, attempt, record ids, outcome and response), fault,
// throttle, reject, checkpoint, delete, redrive, destination delivery... One JSON object per
// line in trace.jsonl. Users debug with it; tests and invariants assert on it.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "generators/json.h"

namespace evh::harness {

class Trace {
 public:
  /// Appends {"at": ISO-8601 ms, "t": ms since start, "action": action, ...fields}.
  Json& add(int64_t at_ms, int64_t start_ms, const std::string& action, Json fields = Json::object());
  const std::vector<Json>& entries() const { return entries_; }
  std::vector<Json>& entries() { return entries_; }
  /// Entries whose "case" equals `index`.
  std::vector<Json> for_case(std::size_t index) const;
  void write_jsonl(std::ostream& out) const;

 private:
  std::vector<Json> entries_;
};

}  // namespace evh::harness
