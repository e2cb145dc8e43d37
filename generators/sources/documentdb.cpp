// documentdb: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks documentdb_hooks() { return {}; }

}  // namespace evh::sources
