// apigw-authorizer-request: methodArn/routeArn name the request, plus the REST or HTTP API request rules.
#include "generators/sources/apigw_common.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

// The payload 2.0 shape carries routeArn; the REST (and HTTP API payload 1.0) shape methodArn.
bool is_v2(const Json& event) { return event.is_object() && event.contains("routeArn"); }

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  if (is_v2(event)) {
    v2_finalize(event, rng, ctx, V2Kind{false, true});
  } else {
    rest_finalize(event, rng, ctx, /*authorizer=*/true);
  }
}

void check(const Json& event, std::vector<Problem>& out) {
  if (is_v2(event)) {
    v2_check(event, out, V2Kind{false, true});
  } else {
    rest_check(event, out, /*authorizer=*/true);
  }
}

}  // namespace

SourceHooks apigw_authorizer_request_hooks() { return {finalize, check}; }

}  // namespace evh::sources
