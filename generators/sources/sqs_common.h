// Shared by the sqs and sqs-fifo sources: both carry the same record shape (SEMANTICS.md §3.1).
#pragma once

#include <string>
#include <vector>

#include "generators/gen_context.h"
#include "generators/json.h"
#include "generators/rng.h"
#include "generators/validate.h"

namespace evh::sources {

/// MD5 of message attributes as SQS computes it: attributes sorted by name, each encoded as
/// length-prefixed name, length-prefixed data type, a transport byte (1 string, 2 binary) and
/// the length-prefixed value.
std::string sqs_md5_of_attributes(const Json& attributes);

void sqs_finalize(Json& event, Rng& rng, GenContext& ctx);
void sqs_check(const Json& event, std::vector<Problem>& out);
/// Recomputes md5OfBody and md5OfMessageAttributes of every record.
void sqs_refresh(Json& event);

}  // namespace evh::sources
