// Amazon SQS (standard): md5OfBody and md5OfMessageAttributes computed as SQS does, attribute
// values that agree with their dataType, and receive timestamps after the send timestamp.
#include "generators/sources/sources.h"
#include "generators/sources/sqs_common.h"

namespace evh::sources {

SourceHooks sqs_hooks() { return {sqs_finalize, sqs_check, sqs_refresh}; }

}  // namespace evh::sources
