// secrets-manager: no hooks: Step, SecretId and ClientRequestToken are independent in one event (the step order is
// across invocations, SEMANTICS.md §6.10), so the schema alone says everything.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks secrets_manager_hooks() { return {}; }

}  // namespace evh::sources
