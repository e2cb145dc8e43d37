// cloudwatch-logs: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks cloudwatch_logs_hooks() { return {}; }

}  // namespace evh::sources
