// Mutation: a named operator that turns a valid event into a legal edge (the platform may
// really send it: the handler must process it) or illegal input (breaks the contract: the
// handler must reject it safely). THE table is in mutators.cpp; ids are the public contract.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "generators/case.h"
#include "generators/gen_context.h"
#include "generators/json.h"
#include "generators/payload.h"
#include "generators/rng.h"
#include "generators/source.h"

namespace evh {

enum class MutationKind {
  kLegalEdge,  ///< must be processed correctly
  kIllegal,    ///< must be rejected safely
};
const char* to_string(MutationKind k);

/// Which mutations `evh generate --mutate` applies.
enum class MutateFilter { kNone, kLegal, kIllegal, kAny };
Result<MutateFilter> parse_mutate_filter(std::string_view s);

struct MutationContext {
  const Source& source;
  const PayloadContract& payload;
  Rng& rng;
  GenContext& ctx;
};

struct Mutator {
  std::string_view id;
  MutationKind kind;
  std::string_view summary;
  /// The mutated event, or nullopt when the mutator does not apply to this event.
  std::optional<Json> (*apply)(const Json& event, MutationContext& mc);
};

/// THE table of mutators, in `evh list mutators` order.
const std::vector<Mutator>& mutators();
const Mutator* find_mutator(std::string_view id);

/// Whether `event`, the output of `m`, is what its kind promises: a legal edge is an event the
/// platform could send (it passes the source's validator, consistency included, under the
/// payload contract); illegal input is one the validator refuses. A mutator is generic over
/// sources, so on some events its output breaks a source rule it cannot know (dropping an
/// optional field another field refers to): such an application counts as not applicable.
bool keeps_its_promise(const Mutator& m, const Json& event, MutationContext& mc);

/// Applies a chain of 1..`max_chain` mutators allowed by `filter` (kNone: returns `base`).
/// Not-applicable draws, and applications that do not keep their promise, are retried with
/// other mutators a bounded number of times; the chain applied is recorded on the case, an
/// illegal step ends the chain and makes the case `Expect::kIllegal`.
Case mutate(const Case& base, MutateFilter filter, MutationContext& mc, int max_chain = 2);

/// Applies the named mutators in order (replay); an unknown id or one that no longer applies
/// is an error.
Result<Case> apply_chain(const Case& base, const std::vector<std::string>& ids, MutationContext& mc);

}  // namespace evh
