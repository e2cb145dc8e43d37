// apigw-rest: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks apigw_rest_hooks() { return {}; }

}  // namespace evh::sources
