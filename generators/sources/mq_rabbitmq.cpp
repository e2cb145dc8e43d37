// mq-rabbitmq: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks mq_rabbitmq_hooks() { return {}; }

}  // namespace evh::sources
