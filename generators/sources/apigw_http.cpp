// apigw-http: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks apigw_http_hooks() { return {}; }

}  // namespace evh::sources
