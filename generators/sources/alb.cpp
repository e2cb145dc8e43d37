// alb: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks alb_hooks() { return {}; }

}  // namespace evh::sources
