// sqs-fifo: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks sqs_fifo_hooks() { return {}; }

}  // namespace evh::sources
