// Must find robust.no-hang: unicode-hang runs past its timeout on a body with a non-ASCII character
// (examples/handlers/buggy/unicode_hang.cpp). HTTP API, sync; the demo hands it a unicode payload
// sample, the fuzzer has to find one itself (body.unicode, payload bytes).
#include "demo_scenarios.h"
#include "examples/handlers/handlers.h"
#include "fuzz/handlers/handler_fuzzer.h"

EVH_HANDLER_FUZZER("apigw-http", evh::examples::make_unicode_hang, {.scenario = evh::fuzz::demo::apigw_http(), .target = "builtin:unicode-hang"})
