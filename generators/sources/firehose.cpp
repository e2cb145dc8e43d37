// firehose: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks firehose_hooks() { return {}; }

}  // namespace evh::sources
