// sns: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks sns_hooks() { return {}; }

}  // namespace evh::sources
