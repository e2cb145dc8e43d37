// Must find batch.identifiers: sqs-wrong-id lists its poison records by receiptHandle, not messageId
// (examples/handlers/buggy/sqs_wrong_id.cpp). SQS standard queue, poll mode, as `evh demo` runs it.
#include "demo_scenarios.h"
#include "examples/handlers/handlers.h"
#include "fuzz/handlers/handler_fuzzer.h"

EVH_HANDLER_FUZZER("sqs", evh::examples::make_sqs_wrong_id, {.scenario = evh::fuzz::demo::sqs(), .target = "builtin:sqs-wrong-id"})
