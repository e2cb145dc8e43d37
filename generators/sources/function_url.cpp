// function-url: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks function_url_hooks() { return {}; }

}  // namespace evh::sources
