// The generation engine: a valid value from a schema node, with boundary values mixed in on
// purpose (empty, one, minimum, maximum) so handlers meet the edges the platform may send.
#pragma once

#include <cstdint>

#include "generators/gen_context.h"
#include "generators/json.h"
#include "generators/rng.h"
#include "generators/schema.h"

namespace evh {

struct GenOptions {
  double boundary_rate = 0.08;       ///< chance a value is drawn at a boundary of its range
  double optional_presence = 0.75;   ///< chance an optional property is present (x-evh-presence wins)
  double example_rate = 0.6;         ///< chance a string with examples uses one of them
  std::size_t default_max_items = 3; ///< array length cap when the schema sets none
  std::size_t max_depth = 16;        ///< past this depth only required properties are generated
  const SchemaNode* records = nullptr;  ///< the record array of the source, when known
  int64_t records_count = -1;           ///< exact length for `records` (-1: drawn)
};

/// A value valid under `node`. Deterministic for a given Rng state.
Json generate_value(const SchemaNode& node, Rng& rng, GenContext& ctx, const GenOptions& options);

}  // namespace evh
