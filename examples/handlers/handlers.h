// The example handlers of examples/handlers/: one file per handler, correct/ and buggy/, each a
// factory for a harness::Handler (a handler may keep state, e.g. the idempotency keys it has
// done, for as long as its target lives). examples/builtin.cpp puts them in the builtin:NAME
// table; examples/node/handlers.js holds their JavaScript twins for out-of-process targets.
#pragma once

#include "harness/context.h"

namespace evh::examples {

// --- correct --------------------------------------------------------------------------------
harness::Handler make_apigw_echo();
harness::Handler make_sqs_correct();
harness::Handler make_kinesis_correct();
harness::Handler make_s3_correct();
harness::Handler make_alexa_correct();

// --- buggy: each trips exactly one invariant (named in its file's first line) -----------------
harness::Handler make_sqs_wrong_id();
harness::Handler make_sqs_swallow();
harness::Handler make_sqs_throw_one();
harness::Handler make_fifo_reorder();
harness::Handler make_sqs_not_idempotent();
harness::Handler make_sqs_ack_unprocessed();
harness::Handler make_empty_body_crash();
harness::Handler make_unicode_hang();
harness::Handler make_alexa_oversize();

}  // namespace evh::examples
