// Workload: evh's producer for poll mode. It turns the run's cases into the records a queue,
// stream or topic receives, in time on the virtual clock, shaped by the scenario's "workload"
// block (docs/scenario.md): how many distinct ordering keys, the arrival pattern (burst,
// steady, trickle), records the producer sends twice, and poison payloads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "generators/case.h"
#include "generators/json.h"
#include "generators/source.h"

namespace evh::harness::internal {

/// One record as the producer sends it.
struct Produced {
  std::size_t case_index = 0;  ///< the case it came from
  Json record;                 ///< as generated; the queue or stream assigns its own ids
  std::string pointer;         ///< where it was in its case's event ("/records/<group>/<i>" for grouped sources)
  int64_t at_ms = 0;           ///< when it reaches the queue or stream (virtual)
  bool duplicate = false;      ///< a second send of the previous record by the producer
  bool poison = false;         ///< its payload was replaced by workload.poison.payload
};

/// Records of `cases` in send order, from `start_ms`. Without a workload, the records of case i
/// arrive together at start + i × 100 ms. `workload` is the resolved block (may be empty).
std::vector<Produced> produce(const Source& source, const std::vector<Case>& cases, const Json& workload, uint64_t seed,
                              int64_t start_ms);

/// How many records a workload's "records" key asks for (0 = not given).
uint64_t workload_records(const Json& workload);

}  // namespace evh::harness::internal
