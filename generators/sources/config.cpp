// config: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks config_hooks() { return {}; }

}  // namespace evh::sources
