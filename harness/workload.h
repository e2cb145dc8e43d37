// Workload: evh's producer for poll mode. It turns the run's cases into the records a queue,
// stream or topic receives, in time on the virtual clock, shaped by the scenario's "workload"
// block (docs/scenario.md): how many distinct ordering keys, the arrival pattern (burst,
// steady, trickle), records the producer sends twice, and poison payloads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "generators/case.h"
#include "generators/error.h"
#include "generators/json.h"
#include "generators/payload.h"
#include "generators/source.h"

namespace evh::harness {

/// When (and, for Kafka, where) an --input line's record reaches the log.
struct InputTiming {
  int64_t at_ms = 0;                 ///< virtual ms after the mapping starts; negative = backlog
  std::optional<int64_t> partition;  ///< Kafka: the partition the line names
};

/// An exact workload (--input, DESIGN.md The command line): one producer action per line,
/// `{"payload": ..., "at": 1500, "group": "g1", ...}`, each made into a case of one record
/// built by the source's generator with the line's values put in place.
struct WorkloadInput {
  std::vector<Case> cases;
  std::vector<InputTiming> timing;  ///< one per case
};

/// Reads `path` (JSON Lines; blank lines and lines starting with '#' are skipped). Keys:
/// payload, at, group, deduplicationId, messageAttributes (SQS), partitionKey (Kinesis),
/// eventName, keys, newImage, oldImage (DynamoDB JSON), topic, partition, key, headers (Kafka).
/// A key the source's records do not carry, an unknown key or a wrong type is
/// ErrorCode::kConfig naming `path:line`; an unreadable file is kIo.
Result<WorkloadInput> read_workload_input(const Source& source, const std::string& path, const PayloadContract& payloads,
                                          uint64_t seed);

}  // namespace evh::harness

namespace evh::harness::internal {

/// One record as the producer sends it.
struct Produced {
  std::size_t case_index = 0;  ///< the case it came from
  Json record;                 ///< as generated; the queue or stream assigns its own ids
  std::string pointer;         ///< where it was in its case's event ("/records/<group>/<i>" for grouped sources)
  int64_t at_ms = 0;           ///< when it reaches the queue or stream (virtual)
  bool duplicate = false;      ///< a second send of the previous record by the producer
  bool poison = false;         ///< its payload was replaced by workload.poison.payload
  std::optional<int64_t> partition;  ///< Kafka: the partition an --input line named
};

/// Records of `cases` in send order, from `start_ms`. Without a workload, the records of case i
/// arrive together at start + i × 100 ms. `workload` is the resolved block (may be empty).
/// `timing` (may be null or empty): exact arrival times of --input cases, one per case.
std::vector<Produced> produce(const Source& source, const std::vector<Case>& cases, const Json& workload, uint64_t seed,
                              int64_t start_ms, const std::vector<InputTiming>* timing = nullptr);

/// How many records a workload's "records" key asks for (0 = not given).
uint64_t workload_records(const Json& workload);

}  // namespace evh::harness::internal
