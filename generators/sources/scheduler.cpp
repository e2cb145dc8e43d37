// scheduler: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks scheduler_hooks() { return {}; }

}  // namespace evh::sources
