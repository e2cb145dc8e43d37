// alexa-skill: hooks not written yet.
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks alexa_skill_hooks() { return {}; }

}  // namespace evh::sources
