// Must find idempotency.effects: sqs-not-idempotent charges on every delivery, so a duplicate
// delivery charges twice (examples/handlers/buggy/sqs_not_idempotent.cpp). SQS poll mode; the
// fuzzer has to turn the duplicate-delivery fault on itself (the demo names it).
#include "demo_scenarios.h"
#include "examples/handlers/handlers.h"
#include "fuzz/handlers/handler_fuzzer.h"

EVH_HANDLER_FUZZER("sqs", evh::examples::make_sqs_not_idempotent, {.scenario = evh::fuzz::demo::sqs(), .target = "builtin:sqs-not-idempotent"})
