// Must never fire: sqs-correct on a FIFO queue, the twin of fifo-reorder (examples/handlers/correct/sqs_correct.cpp).
// SQS FIFO queue, poll mode, as `evh demo` runs it.
#include "demo_scenarios.h"
#include "examples/handlers/handlers.h"
#include "fuzz/handlers/handler_fuzzer.h"

EVH_HANDLER_FUZZER("sqs-fifo", evh::examples::make_sqs_correct, {.scenario = evh::fuzz::demo::sqs_fifo(), .target = "builtin:sqs-correct"})
