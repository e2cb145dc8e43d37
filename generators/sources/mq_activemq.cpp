// mq-activemq: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks mq_activemq_hooks() { return {}; }

}  // namespace evh::sources
