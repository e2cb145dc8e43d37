// ses: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks ses_hooks() { return {}; }

}  // namespace evh::sources
