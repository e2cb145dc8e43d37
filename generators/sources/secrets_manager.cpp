// secrets-manager: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks secrets_manager_hooks() { return {}; }

}  // namespace evh::sources
