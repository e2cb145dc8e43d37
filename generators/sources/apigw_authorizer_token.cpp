// apigw-authorizer-token: no hooks: the event is a token and a methodArn, with no value derived from another.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks apigw_authorizer_token_hooks() { return {}; }

}  // namespace evh::sources
