// apigw-authorizer-token: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks apigw_authorizer_token_hooks() { return {}; }

}  // namespace evh::sources
