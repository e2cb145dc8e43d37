// kafka-msk: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks kafka_msk_hooks() { return {}; }

}  // namespace evh::sources
