// Must find delivery.no-loss: sqs-ack-unprocessed skips the last record of each batch and returns
// success (examples/handlers/buggy/sqs_ack_unprocessed.cpp). SQS poll mode, as `evh demo` runs it.
#include "demo_scenarios.h"
#include "examples/handlers/handlers.h"
#include "fuzz/handlers/handler_fuzzer.h"

EVH_HANDLER_FUZZER("sqs", evh::examples::make_sqs_ack_unprocessed, {.scenario = evh::fuzz::demo::sqs(), .target = "builtin:sqs-ack-unprocessed"})
