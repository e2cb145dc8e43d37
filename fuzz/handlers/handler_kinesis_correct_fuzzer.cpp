// Must never fire: kinesis-correct (examples/handlers/correct/kinesis_correct.cpp). Kinesis, two shards,
// poll mode, as `evh demo` runs it.
#include "demo_scenarios.h"
#include "examples/handlers/handlers.h"
#include "fuzz/handlers/handler_fuzzer.h"

EVH_HANDLER_FUZZER("kinesis", evh::examples::make_kinesis_correct, {.scenario = evh::fuzz::demo::kinesis(), .target = "builtin:kinesis-correct"})
