// apigw-http: rawPath, routeKey, pathParameters, rawQueryString, lower-case headers and time agree (payload 2.0).
#include "generators/sources/apigw_common.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

// SEMANTICS.md §6.2: HTTP API payload 2.0.
void finalize(Json& event, Rng& rng, GenContext& ctx) { v2_finalize(event, rng, ctx, V2Kind{}); }
void check(const Json& event, std::vector<Problem>& out) { v2_check(event, out, V2Kind{}); }

}  // namespace

SourceHooks apigw_http_hooks() { return {finalize, check}; }

}  // namespace evh::sources
