// codepipeline: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks codepipeline_hooks() { return {}; }

}  // namespace evh::sources
