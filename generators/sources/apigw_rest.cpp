// apigw-rest: path/resource/pathParameters, multi-value twins, requestContext mirrors and request time agree.
#include "generators/sources/apigw_common.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

// SEMANTICS.md §6.1: the REST proxy event (payload 1.0).
void finalize(Json& event, Rng& rng, GenContext& ctx) { rest_finalize(event, rng, ctx, /*authorizer=*/false); }
void check(const Json& event, std::vector<Problem>& out) { rest_check(event, out, /*authorizer=*/false); }

}  // namespace

SourceHooks apigw_rest_hooks() { return {finalize, check}; }

}  // namespace evh::sources
