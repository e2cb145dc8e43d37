// Field paths: the key paths an event contains, normalised through its source's schema (array
// items as "*", map keys as "+", nothing below the payload field, which belongs to the user).
// Used to check that the generator can produce every field real events carry.
#pragma once

#include <set>
#include <string>

#include "generators/json.h"
#include "generators/source.h"

namespace evh {

/// Adds the normalised paths of `event` to `out` ("/Records/*/attributes/SentTimestamp").
/// A field the schema does not describe is kept with its own name, so it shows up as not covered.
void collect_field_paths(const Source& source, const Json& event, std::set<std::string>& out);

}  // namespace evh
