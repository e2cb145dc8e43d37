// appsync-resolver: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks appsync_resolver_hooks() { return {}; }

}  // namespace evh::sources
