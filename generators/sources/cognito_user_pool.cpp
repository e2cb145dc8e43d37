// cognito-user-pool: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks cognito_user_pool_hooks() { return {}; }

}  // namespace evh::sources
