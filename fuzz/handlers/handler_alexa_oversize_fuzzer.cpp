// Must find limits.payload: alexa-oversize answers over Alexa's 24 KB response limit
// (examples/handlers/buggy/alexa_oversize.cpp). Alexa skill, sync, as `evh demo` runs it.
#include "demo_scenarios.h"
#include "examples/handlers/handlers.h"
#include "fuzz/handlers/handler_fuzzer.h"

EVH_HANDLER_FUZZER("alexa-skill", evh::examples::make_alexa_oversize, {.scenario = evh::fuzz::demo::alexa_skill(), .target = "builtin:alexa-oversize"})
