// kinesis: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks kinesis_hooks() { return {}; }

}  // namespace evh::sources
