// Must find batch.failures-reported: sqs-swallow notices its poison records but returns an empty
// batchItemFailures (examples/handlers/buggy/sqs_swallow.cpp). SQS standard queue, poll mode, as `evh demo` runs it.
#include "demo_scenarios.h"
#include "examples/handlers/handlers.h"
#include "fuzz/handlers/handler_fuzzer.h"

EVH_HANDLER_FUZZER("sqs", evh::examples::make_sqs_swallow, {.scenario = evh::fuzz::demo::sqs(), .target = "builtin:sqs-swallow"})
