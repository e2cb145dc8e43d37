// kafka-self-managed: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks kafka_self_managed_hooks() { return {}; }

}  // namespace evh::sources
