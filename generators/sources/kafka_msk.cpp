// kafka-msk: records regrouped under "<topic>-<partition>" with increasing offsets and timestamps per
// partition, key-sticky partitions and signed-byte headers (shared with kafka-self-managed).
#include "generators/sources/kafka_common.h"
#include "generators/sources/sources.h"

namespace evh::sources {

SourceHooks kafka_msk_hooks() { return {kafka_finalize, kafka_check}; }

}  // namespace evh::sources
