// Must find robust.no-crash: empty-body-crash fails on an empty or missing body, which API Gateway
// turns into a 502 (examples/handlers/buggy/empty_body_crash.cpp). HTTP API, sync, as `evh demo` runs it.
#include "demo_scenarios.h"
#include "examples/handlers/handlers.h"
#include "fuzz/handlers/handler_fuzzer.h"

EVH_HANDLER_FUZZER("apigw-http", evh::examples::make_empty_body_crash, {.scenario = evh::fuzz::demo::apigw_http(), .target = "builtin:empty-body-crash"})
