// The validation engine: every way a value departs from a schema node, each problem named by
// the JSON pointer of the offending value.
#pragma once

#include <string>
#include <vector>

#include "generators/json.h"
#include "generators/schema.h"

namespace evh {

enum class Severity {
  kError,        ///< breaks the schema or a platform limit
  kConsistency,  ///< schema-valid but internally inconsistent (an md5 that does not match its body)
};

struct Problem {
  std::string pointer;  ///< JSON pointer into the validated document ("" = the whole document)
  std::string message;
  Severity severity = Severity::kError;
};

/// Appends to `out` every problem of `value` under `node`; `pointer` is where `value` sits.
void validate_value(const SchemaNode& node, const Json& value, const std::string& pointer, std::vector<Problem>& out);

/// The oneOf/anyOf branch of `node` that `value` fits best (fewest problems; the first on a tie),
/// resolved; nullptr when the node has no branches. Walkers use it to follow the matching shape.
const SchemaNode* closest_branch(const SchemaNode& node, const Json& value);

/// One line per problem: "/Records/0/body: expected a string".
std::string to_string(const Problem& p);

}  // namespace evh
