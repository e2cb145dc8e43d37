// eventbridge: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks eventbridge_hooks() { return {}; }

}  // namespace evh::sources
