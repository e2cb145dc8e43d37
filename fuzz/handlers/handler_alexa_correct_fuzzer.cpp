// Must never fire: alexa-correct, the twin of alexa-oversize (examples/handlers/correct/alexa_correct.cpp).
// Alexa skill, sync, as `evh demo` runs it.
#include "demo_scenarios.h"
#include "examples/handlers/handlers.h"
#include "fuzz/handlers/handler_fuzzer.h"

EVH_HANDLER_FUZZER("alexa-skill", evh::examples::make_alexa_correct, {.scenario = evh::fuzz::demo::alexa_skill(), .target = "builtin:alexa-correct"})
