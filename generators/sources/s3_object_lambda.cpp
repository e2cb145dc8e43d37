// s3-object-lambda: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks s3_object_lambda_hooks() { return {}; }

}  // namespace evh::sources
