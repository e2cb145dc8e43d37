// FuzzCase: the structured input of a handler fuzzer (fuzz/handlers/handler_fuzzer.h). libFuzzer
// stores and mutates bytes; evh reads them as a FuzzCase — the events generated (one seed each),
// records per event, a chain of mutators from evh's table, a fault plan and optional payload
// bytes — and mutates them one field at a time (mutate(), for LLVMFuzzerCustomMutator), so
// coverage guidance explores event structure, not raw bytes. Every input starts with a header
// naming the fuzzer's FuzzProfile (source, mode, scenario, replay target), so a crash input
// replays with `evh replay crash-<sha1>` alone (docs/fuzzing.md "Handler fuzzers").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "generators/case.h"
#include "generators/error.h"
#include "generators/json.h"
#include "generators/mutation.h"
#include "harness/fault_plan.h"
#include "harness/run.h"

namespace evh::harness {

/// Events one input generates, at most; and mutators in its chain, at most.
inline constexpr std::size_t kFuzzMaxEvents = 4;
inline constexpr std::size_t kFuzzMaxChain = 4;
/// Payload bytes one input carries, at most (longer payloads are cut).
inline constexpr std::size_t kFuzzMaxPayloadBytes = 1024;
/// Records per generated event, at most (the generator's own cap: generators/event_generator.cpp).
inline constexpr std::size_t kFuzzMaxBatch = 10;
/// The rates a fault of an input's plan can have; level 0 is off.
inline constexpr double kFuzzFaultRates[] = {0.0, 0.05, 0.1, 0.25, 0.5};
inline constexpr std::size_t kFuzzFaultLevels = sizeof(kFuzzFaultRates) / sizeof(kFuzzFaultRates[0]);
/// Mutators whose events are megabytes (an input holding one runs for about a second, not a
/// millisecond): the custom mutator adds them to a chain kFuzzLargeMutatorOdds times less often.
inline constexpr std::string_view kFuzzLargeMutators[] = {"body.max-size", "batch.max-size", "batch.over-6mb", "event.over-limit"};
inline constexpr uint64_t kFuzzLargeMutatorOdds = 32;
/// The first bytes of every fuzz input, and the version of the layout after them.
inline constexpr std::string_view kFuzzInputMagic = "EVHF";
inline constexpr uint8_t kFuzzInputVersion = 1;

/// What one handler fuzzer fixes for every input: the source, how it is delivered, and what an
/// input may draw on. It is written into each input's header.
struct FuzzProfile {
  std::string source;              ///< catalog id (evh list sources)
  std::string mode;                ///< sync | async | poll; "" = how the source invokes
  Json scenario = Json::object();  ///< scenario keys with AWS's names (docs/scenario.md); run keys (cases, seed, ...) are dropped
  std::string mutate;              ///< which mutators a chain may hold: none | legal | illegal | any (illegal and any: all);
                                   ///< "" = legal in poll mode (the mapping builds the events), any otherwise
  std::string faults = "all";      ///< which faults a plan may hold: ids, comma-separated, or "all" / "none"
  std::string invariants;          ///< only these ids, comma-separated ("" = every invariant)
  std::string target;              ///< what `evh replay` delivers a crash input to (builtin:NAME, exec:CMD ...); "" = give --target

  Json to_json() const;
  static Result<FuzzProfile> from_json(const Json& j, const std::string& what);
};

/// A profile resolved once per fuzzer: what decoding, mutating and running its inputs needs.
class FuzzSpace {
 public:
  /// Errors (unknown source, bad mode, scenario, filter, fault or invariant id) are one line.
  static Result<FuzzSpace> make(FuzzProfile profile);

  const FuzzProfile& profile() const { return profile_; }
  /// Source, mode, resolved scenario and invariants; cases, seed and faults come from each input.
  const RunConfig& config() const { return config_; }
  const Source& source() const { return *config_.source; }
  /// The mutators a chain may hold, in table order (an input names them by position).
  const std::vector<const Mutator*>& mutators() const { return mutators_; }
  /// The faults a plan may hold, in table order.
  const std::vector<FaultId>& faults() const { return faults_; }
  /// Records per event an input may ask for (0: the source sends one event, not batches).
  std::size_t max_batch() const { return max_batch_; }
  /// The bytes every input of this profile starts with.
  const std::string& header() const { return header_; }

 private:
  FuzzProfile profile_;
  RunConfig config_;
  std::vector<const Mutator*> mutators_;
  std::vector<FaultId> faults_;
  std::size_t max_batch_ = 0;
  std::string header_;
};

/// One input, decoded.
struct FuzzCase {
  uint64_t seed = 0;                    ///< the run seed: workload draws (keys, poison records), fault draws, request ids
  std::vector<uint64_t> events = {0};   ///< one generated event per seed, 1..kFuzzMaxEvents
  std::size_t batch_size = 0;           ///< records per event, 1..max_batch(); 0 = the generator draws it
  std::vector<std::string> mutations;   ///< mutator ids tried on every event, in order (up to kFuzzMaxChain)
  std::vector<std::pair<FaultId, double>> faults;  ///< the fault plan, table order, rates from kFuzzFaultRates
  std::optional<std::string> payload;   ///< the payload of each event's first record, as bytes

  bool operator==(const FuzzCase&) const = default;
  FaultPlan fault_plan() const;
  /// "2 events (seeds 1, 2), batch 3, mutations: body.unicode, faults: throttle=0.1, payload 12 bytes"
  std::string describe() const;
};

/// Whether `bytes` start with the fuzz-input magic (whatever profile they name).
bool is_fuzz_input(std::string_view bytes);

/// The case an input of `space` holds; nullopt when the input does not start with space.header().
std::optional<FuzzCase> decode_input(const FuzzSpace& space, std::string_view bytes);
/// Decodes an input's body (the bytes after the header). Total: any bytes give a case of `space`.
FuzzCase decode(const FuzzSpace& space, std::string_view body);
/// header() + the canonical body decode() reads back as `kase`. Values outside the space are
/// clamped, unknown mutator and fault ids left out.
std::string encode(const FuzzSpace& space, const FuzzCase& kase);

/// An input read back with the profile its header names: what `evh replay` needs.
struct FuzzInput {
  FuzzSpace space;
  FuzzCase kase;
};
/// Errors (ErrorCode::kConfig) start with `path`: not a fuzz input, another layout version, an evh
/// whose mutator or fault table differs, a profile that does not resolve.
Result<FuzzInput> read_fuzz_input(std::string_view bytes, const std::string& path);

/// Raw byte mutation for the payload field: libFuzzer's LLVMFuzzerMutate(data, size, max_size).
using ByteMutator = std::function<std::size_t(uint8_t* data, std::size_t size, std::size_t max_size)>;

/// One structure-aware mutation, for LLVMFuzzerCustomMutator: reads `bytes` (an input of this
/// profile; of another, or raw bytes: their body is read as this profile's), changes one field —
/// run seed, an event's seed, events added or dropped, records per event, a mutator added, dropped
/// or replaced in the chain, a fault toggled or its rate changed, the payload generated, mutated
/// (`raw`, else a few byte edits) or dropped — and re-encodes. Deterministic in `seed`. The result
/// starts with space.header(), decodes, and is at most `max_size` bytes; "" when the header alone
/// does not fit. `applied`, when given, receives the mutation's name ("chain.add").
std::string mutate(const FuzzSpace& space, std::string_view bytes, std::size_t max_size, uint64_t seed,
                   const ByteMutator& raw = {}, std::string* applied = nullptr);
/// LLVMFuzzerCustomCrossOver: each field from one parent or the other, events spliced.
std::string cross_over(const FuzzSpace& space, std::string_view a, std::string_view b, std::size_t max_size, uint64_t seed);

/// The events `kase` makes, in order: generated from their seeds with its records per event, the
/// payload put in the first record (a payload the contract refuses makes the case illegal), then
/// each mutator of the chain that applies and keeps its promise (an illegal step ends the chain).
std::vector<Case> fuzz_events(const FuzzSpace& space, const FuzzCase& kase);
/// The run that delivers `kase`: the space's configuration with its run seed, fault plan and
/// events (`input`), no shrinking (libFuzzer minimises inputs itself).
RunConfig fuzz_run_config(const FuzzSpace& space, const FuzzCase& kase);

}  // namespace evh::harness
