// codecommit: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks codecommit_hooks() { return {}; }

}  // namespace evh::sources
