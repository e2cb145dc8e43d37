// cloudfront-edge: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks cloudfront_edge_hooks() { return {}; }

}  // namespace evh::sources
