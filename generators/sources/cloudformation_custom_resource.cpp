// cloudformation-custom-resource: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks cloudformation_custom_resource_hooks() { return {}; }

}  // namespace evh::sources
