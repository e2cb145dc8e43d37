// function-url: payload 2.0 rules plus the <url-id>.lambda-url.<region>.on.aws domain naming the apiId.
#include "generators/sources/apigw_common.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

// SEMANTICS.md §6.2: function URLs use payload 2.0.
void finalize(Json& event, Rng& rng, GenContext& ctx) { v2_finalize(event, rng, ctx, V2Kind{true, false}); }
void check(const Json& event, std::vector<Problem>& out) { v2_check(event, out, V2Kind{true, false}); }

}  // namespace

SourceHooks function_url_hooks() { return {finalize, check}; }

}  // namespace evh::sources
