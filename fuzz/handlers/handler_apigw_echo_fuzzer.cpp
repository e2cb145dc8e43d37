// Must never fire: apigw-echo, the twin of empty-body-crash and unicode-hang
// (examples/handlers/correct/apigw_echo.cpp). HTTP API, sync, as `evh demo` runs it.
#include "demo_scenarios.h"
#include "examples/handlers/handlers.h"
#include "fuzz/handlers/handler_fuzzer.h"

EVH_HANDLER_FUZZER("apigw-http", evh::examples::make_apigw_echo, {.scenario = evh::fuzz::demo::apigw_http(), .target = "builtin:apigw-echo"})
