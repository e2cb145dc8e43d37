// apigw-websocket: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks apigw_websocket_hooks() { return {}; }

}  // namespace evh::sources
