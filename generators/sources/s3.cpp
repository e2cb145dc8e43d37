// s3: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks s3_hooks() { return {}; }

}  // namespace evh::sources
