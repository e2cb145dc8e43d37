// Shared by the kafka-msk and kafka-self-managed sources: both carry the same grouped record
// shape, {"<topic>-<partition>": [records]} (SEMANTICS.md §3.6).
#pragma once

#include <vector>

#include "generators/gen_context.h"
#include "generators/json.h"
#include "generators/rng.h"
#include "generators/validate.h"

namespace evh::sources {

/// Regroups the generated records under "<topic>-<partition>" keys: one topic, partitions drawn
/// from the record key (records with one key share a partition), offsets increasing within a
/// partition, timestamps in offset order, headers as {name: [signed bytes]}.
void kafka_finalize(Json& event, Rng& rng, GenContext& ctx);

/// Reports group keys that do not name their records' topic and partition, and offsets that do
/// not increase within a group.
void kafka_check(const Json& event, std::vector<Problem>& out);

}  // namespace evh::sources
