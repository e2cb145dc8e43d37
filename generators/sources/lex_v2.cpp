// lex-v2: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks lex_v2_hooks() { return {}; }

}  // namespace evh::sources
