// s3-batch: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks s3_batch_hooks() { return {}; }

}  // namespace evh::sources
