// dynamodb-streams: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks dynamodb_streams_hooks() { return {}; }

}  // namespace evh::sources
