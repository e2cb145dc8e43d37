// Must never fire: sqs-correct, the twin of the buggy SQS handlers (examples/handlers/correct/sqs_correct.cpp).
// SQS standard queue, poll mode, as `evh demo` runs it.
#include "demo_scenarios.h"
#include "examples/handlers/handlers.h"
#include "fuzz/handlers/handler_fuzzer.h"

EVH_HANDLER_FUZZER("sqs", evh::examples::make_sqs_correct, {.scenario = evh::fuzz::demo::sqs(), .target = "builtin:sqs-correct"})
