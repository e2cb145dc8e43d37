// Must find order.per-key: fifo-reorder processes a FIFO batch newest first
// (examples/handlers/buggy/fifo_reorder.cpp). SQS FIFO queue, poll mode, as `evh demo` runs it.
#include "demo_scenarios.h"
#include "examples/handlers/handlers.h"
#include "fuzz/handlers/handler_fuzzer.h"

EVH_HANDLER_FUZZER("sqs-fifo", evh::examples::make_fifo_reorder, {.scenario = evh::fuzz::demo::sqs_fifo(), .target = "builtin:fifo-reorder"})
