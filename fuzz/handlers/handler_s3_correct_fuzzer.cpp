// Must never fire: s3-correct (examples/handlers/correct/s3_correct.cpp). S3 notifications, async
// mode with retries and destinations, as `evh demo` runs it.
#include "demo_scenarios.h"
#include "examples/handlers/handlers.h"
#include "fuzz/handlers/handler_fuzzer.h"

EVH_HANDLER_FUZZER("s3", evh::examples::make_s3_correct, {.scenario = evh::fuzz::demo::s3(), .target = "builtin:s3-correct"})
