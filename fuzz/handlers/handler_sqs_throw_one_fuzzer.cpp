// Must find batch.partial-not-whole: sqs-throw-one throws at the first poison record although
// ReportBatchItemFailures is on (examples/handlers/buggy/sqs_throw_one.cpp). SQS poll mode, as `evh demo` runs it.
#include "demo_scenarios.h"
#include "examples/handlers/handlers.h"
#include "fuzz/handlers/handler_fuzzer.h"

EVH_HANDLER_FUZZER("sqs", evh::examples::make_sqs_throw_one, {.scenario = evh::fuzz::demo::sqs(), .target = "builtin:sqs-throw-one"})
