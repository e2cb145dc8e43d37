// iot: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks iot_hooks() { return {}; }

}  // namespace evh::sources
