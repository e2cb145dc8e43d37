// apigw-authorizer-request: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks apigw_authorizer_request_hooks() { return {}; }

}  // namespace evh::sources
