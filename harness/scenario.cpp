// Scenario loading: a JSON file in AWS's own parameter names (plus evh's run keys) becomes a
// Scenario; resolve_scenario() checks it against the run's source and mode and fills AWS's
// defaults, so result.json echoes exactly what was simulated. Reference: docs/scenario.md.
#include "harness/scenario.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string_view>

#include "generators/catalog.h"
#include "generators/text.h"
#include "harness/run.h"  // kAsyncMaxPayloadBytes: RunConfig's default, platform.asyncMaxPayloadBytes'

namespace evh::harness {
namespace {

// ---- Platform numbers, each with where it comes from -------------------------------------

// SEMANTICS.md §1, §7: function Timeout 1–900 s, default 3 s.
constexpr int64_t kTimeoutMinS = 1;
constexpr int64_t kTimeoutMaxS = 900;
// Lambda API MemorySize 128–10240 MB, default 128 ([BOTO] CreateFunction; not in SEMANTICS.md).
constexpr int64_t kMemoryMinMb = 128;
constexpr int64_t kMemoryMaxMb = 10240;
// SEMANTICS.md §2: async MaximumRetryAttempts 0–2 (default 2), MaximumEventAgeInSeconds
// 60–21600 (default 21600 = 6 h).
constexpr int64_t kAsyncRetryMin = 0;
constexpr int64_t kAsyncRetryMax = 2;
constexpr int64_t kAsyncRetryDefault = 2;
constexpr int64_t kEventAgeMinS = 60;
constexpr int64_t kEventAgeMaxS = 21600;
constexpr int64_t kEventAgeDefaultS = 21600;
// SEMANTICS.md §3 parameter matrix (BatchSize maximum is per source: Source::limits).
constexpr int64_t kBatchSizeMin = 1;
constexpr int64_t kWindowMaxS = 300;
constexpr int64_t kParallelizationMin = 1;
constexpr int64_t kParallelizationMax = 10;
constexpr int64_t kStreamRetryMin = -1;
constexpr int64_t kStreamRetryMax = 10000;
constexpr int64_t kRecordAgeInfinite = -1;
constexpr int64_t kRecordAgeMinS = 60;
constexpr int64_t kRecordAgeMaxS = 604800;
// SEMANTICS.md §3.5: TumblingWindowInSeconds 0 (off) – 900.
constexpr int64_t kTumblingMaxS = 900;
// SEMANTICS.md §3.1: ScalingConfig.MaximumConcurrency 2–1000.
constexpr int64_t kMaxConcurrencyMin = 2;
constexpr int64_t kMaxConcurrencyMax = 1000;
// SEMANTICS.md §8.4: a queue mapping with BatchSize above 10 needs a window of at least 1 s.
constexpr int64_t kBatchSizeWithoutWindowMax = 10;
// SEMANTICS.md §5: at most 5 filters (a quota increase allows 10), each Pattern ≤ 4096 chars.
constexpr std::size_t kMaxFilters = 5;
constexpr std::size_t kMaxPatternChars = 4096;
// SQS CreateQueue attributes (SQS API reference; SEMANTICS.md §3.1 uses them but lists no
// ranges): VisibilityTimeout 0–43200 s (default 30, also the sqs sources' "defaults"),
// MessageRetentionPeriod 60–1209600 s (default 345600 = 4 days), RedrivePolicy
// maxReceiveCount 1–1000.
constexpr int64_t kVisibilityMinS = 0;
constexpr int64_t kVisibilityMaxS = 43200;
constexpr int64_t kVisibilityDefaultS = 30;
constexpr int64_t kRetentionMinS = 60;
constexpr int64_t kRetentionMaxS = 1209600;
constexpr int64_t kRetentionDefaultS = 345600;
constexpr int64_t kMaxReceiveMin = 1;
constexpr int64_t kMaxReceiveMax = 1000;
// Lambda function names: 1–64 letters, digits, hyphens and underscores ([BOTO] FunctionName).
constexpr std::size_t kFunctionNameMaxChars = 64;
// "stream" block. ShardCount: the Kinesis Data Streams shard quota, 500 per account in the
// largest regions (Kinesis quotas page); the same cap for DynamoDB Streams, whose shards AWS
// manages (evh's choice). NumPartitions: evh's cap (Kafka sets none). Defaults when a source's
// delivery block has none: one shard, and Kafka's num.partitions default of one partition.
constexpr int64_t kShardCountMin = 1;
constexpr int64_t kShardCountMax = 500;
constexpr int64_t kShardCountDefault = 1;
constexpr int64_t kPartitionsMin = 1;
constexpr int64_t kPartitionsMax = 1000;
constexpr int64_t kPartitionsDefault = 1;
// The retention range of a source whose delivery block gives no retentionHoursRange (evh's:
// one hour to ten years).
constexpr int64_t kRetentionHoursMin = 1;
constexpr int64_t kRetentionHoursMax = 87600;
// "workload" block: evh's own limits, which bound a run's memory and time (docs/scenario.md).
constexpr int64_t kWorkloadRecordsMin = 1;
constexpr int64_t kWorkloadRecordsMax = 10'000'000;
constexpr int64_t kWorkloadKeysMin = 1;
constexpr int64_t kWorkloadKeysMax = 100'000;
constexpr double kRatePerSecondMax = 1e6;
// evh's defaults: steady 100 records/s; trickle one record every 2 s (slow enough for a
// batching window to close on a short batch).
constexpr double kSteadyRateDefault = 100.0;
constexpr double kTrickleRateDefault = 0.5;
constexpr std::string_view kWorkloadCite = "evh's limit, docs/scenario.md";
// "platform" block: evh's values where SEMANTICS.md §9 says not confirmed (docs/scenario.md).
// asyncMaxPayloadBytes: default kAsyncMaxPayloadBytes (run.h: "1 MB" read as 1 MiB, SEMANTICS.md
// §1, §9); at most the 6 MB (6,291,456-byte) sync request cap (§1), which no async cap exceeds.
constexpr int64_t kAsyncPayloadMin = 1;
constexpr int64_t kAsyncPayloadMax = 6291456;
// asyncRetryDelaysMs: SEMANTICS.md §8.2, the recorded spacing after the invoke: first retry
// 30.5–91.5 s, second 91.5–213.5 s (docs, §2: "about 1 and 2 minutes"; exact spacing not
// confirmed, §9). No delay can exceed the longest event age, 21600 s (§2).
constexpr int64_t kAsyncRetryDelaysDefaultMs[2][2] = {{30500, 91500}, {91500, 213500}};
// throttleBackoffMs: SEMANTICS.md §2: throttles and 5xx before the function ran back off from 1 s
// up to 5 min (exact curve not published, §9). initial ≥ 1: a zero backoff would never advance
// the clock.
constexpr int64_t kThrottleBackoffInitialDefaultMs = 1000;
constexpr int64_t kThrottleBackoffMaxDefaultMs = 300000;
constexpr int64_t kThrottleBackoffMinMs = 1;
constexpr int64_t kAsyncDelayMaxMs = kEventAgeMaxS * 1000;
// streamRetryDelayMs: default the source's delivery.pollIntervalMs (SEMANTICS.md §9: stream
// backoff curves are not published); at most 7 days, the largest MaximumRecordAgeInSeconds (§3).
constexpr int64_t kStreamRetryDelayMaxMs = kRecordAgeMaxS * 1000;
// streamUnknownItemIdentifier values (SEMANTICS.md §4, §9: undocumented for streams; LocalStack
// fails the batch, fakecloud ignores the entry).
constexpr std::string_view kUnknownIdFailBatch = "fail-batch";
constexpr std::string_view kUnknownIdIgnore = "ignore";

// ---- AWS's wording and values ------------------------------------------------------------

// SEMANTICS.md §8.4.
constexpr std::string_view kBatchWindowMessage =
    "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10";
// SEMANTICS.md §3 "General" (full text as AWS returns it, recorded by LocalStack's parity test).
constexpr std::string_view kUnsupportedDestination =
    "Unsupported DestinationConfig parameter for given event source mapping type.";
// SEMANTICS.md §8.2.
constexpr std::string_view kEmptyInvokeConfig =
    "You must specify at least one of error handling or destination setting.";
constexpr std::string_view kSelfDestination = "You can't specify the function as a destination for itself.";
// SEMANTICS.md §8.5.
constexpr std::string_view kInvalidFilter = "Invalid filter pattern definition.";
// SEMANTICS.md §3, §4: the one FunctionResponseTypes value.
constexpr std::string_view kReportBatchItemFailures = "ReportBatchItemFailures";
// SEMANTICS.md §3 matrix: StartingPosition values. AWS requires one for Kinesis and DynamoDB;
// evh fills TRIM_HORIZON when it is absent, so a backlog in --input is delivered (docs/scenario.md).
constexpr std::string_view kTrimHorizon = "TRIM_HORIZON";
constexpr std::string_view kLatest = "LATEST";
constexpr std::string_view kAtTimestamp = "AT_TIMESTAMP";
// ESM on-failure destinations on a Kafka topic are written kafka://<topic> (SEMANTICS.md §3 matrix).
constexpr std::string_view kKafkaDestinationPrefix = "kafka://";
constexpr std::string_view kServiceSuffix = ".amazonaws.com";
// x-evh-source delivery.log values: how a polled source's records are kept.
constexpr std::string_view kLogShards = "shards";
constexpr std::string_view kLogPartitions = "partitions";
constexpr std::string_view kLogQueue = "queue";
constexpr std::string_view kLogChangeStream = "change-stream";
// workload.arrival values (evh's own).
constexpr std::string_view kArrivalBurst = "burst";
constexpr std::string_view kArrivalSteady = "steady";
constexpr std::string_view kArrivalTrickle = "trickle";
// DocumentDBEventSourceConfig.FullDocument values ([BOTO]).
constexpr std::string_view kFullDocumentDefault = "Default";
constexpr std::string_view kFullDocumentUpdateLookup = "UpdateLookup";

// Environment variable names Lambda reserves: CreateFunction refuses them (Lambda developer
// guide, "Defined runtime environment variables"); evh sets them itself for process targets.
constexpr std::string_view kReservedEnv[] = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
};

#define EVH_TRY(expr)                         \
  do {                                        \
    auto evh_try_status_ = (expr);            \
    if (!evh_try_status_) return evh_try_status_.error(); \
  } while (false)

// ---- The keys evh knows, block by block ----------------------------------------------------

// kSimulated: evh reads and models it. kEchoed: it names or secures a resource and changes
// nothing about what is delivered, when or how often (ARNs, names, roles, code location,
// encryption keys, auth, tags, metrics): accepted so a deployed configuration can be pasted,
// and echoed. kRefused: it changes delivery, scaling or the runtime in ways evh does not model:
// refused by name, never silently ignored.
enum class Use { kSimulated, kEchoed, kRefused };
enum class Type { kString, kInteger, kNumber, kBoolean, kObject, kStrings, kObjects, kStringMap, kTimestamp, kAny };

struct Field {
  std::string_view name;
  Use use;
  Type type;
  const std::vector<Field>* children = nullptr;  ///< kObject / kObjects: the keys inside
};

using Fields = std::vector<Field>;
constexpr Use S = Use::kSimulated;
constexpr Use E = Use::kEchoed;
constexpr Use R = Use::kRefused;

const Fields& destination_fields() {
  static const Fields f = {{"Destination", S, Type::kString}};
  return f;
}
const Fields& destination_config_fields() {
  static const Fields f = {{"OnSuccess", S, Type::kObject, &destination_fields()},
                           {"OnFailure", S, Type::kObject, &destination_fields()}};
  return f;
}
const Fields& filter_fields() {
  static const Fields f = {{"Pattern", S, Type::kString}};
  return f;
}
const Fields& filter_criteria_fields() {
  static const Fields f = {{"Filters", S, Type::kObjects, &filter_fields()}};
  return f;
}
const Fields& scaling_fields() {
  static const Fields f = {{"MaximumConcurrency", S, Type::kInteger}};
  return f;
}
const Fields& endpoints_fields() {
  static const Fields f = {{"KAFKA_BOOTSTRAP_SERVERS", E, Type::kStrings}};
  return f;
}
const Fields& self_managed_source_fields() {
  static const Fields f = {{"Endpoints", E, Type::kObject, &endpoints_fields()}};
  return f;
}
const Fields& source_access_fields() {
  static const Fields f = {{"Type", E, Type::kString}, {"URI", E, Type::kString}};
  return f;
}
const Fields& kafka_config_fields() {
  // A schema registry changes how record values are decoded: not simulated.
  static const Fields f = {{"ConsumerGroupId", E, Type::kString}, {"SchemaRegistryConfig", R, Type::kAny}};
  return f;
}
const Fields& docdb_fields() {
  static const Fields f = {{"DatabaseName", E, Type::kString},
                           {"CollectionName", E, Type::kString},
                           {"FullDocument", S, Type::kString}};
  return f;
}
const Fields& metrics_fields() {
  static const Fields f = {{"Metrics", E, Type::kStrings}};
  return f;
}
const Fields& esm_logging_fields() {
  static const Fields f = {{"SystemLogLevel", E, Type::kString}};
  return f;
}

// CreateEventSourceMapping request keys ([BOTO]), plus the read-only keys
// GetEventSourceMapping returns, so its output can be pasted too.
const Fields& esm_fields() {
  static const Fields f = {
      {"FunctionName", E, Type::kString},
      {"EventSourceArn", E, Type::kString},
      {"Enabled", S, Type::kBoolean},
      {"BatchSize", S, Type::kInteger},
      {"MaximumBatchingWindowInSeconds", S, Type::kInteger},
      {"FunctionResponseTypes", S, Type::kStrings},
      {"BisectBatchOnFunctionError", S, Type::kBoolean},
      {"MaximumRetryAttempts", S, Type::kInteger},
      {"MaximumRecordAgeInSeconds", S, Type::kInteger},
      {"ParallelizationFactor", S, Type::kInteger},
      {"TumblingWindowInSeconds", S, Type::kInteger},
      {"FilterCriteria", S, Type::kObject, &filter_criteria_fields()},
      {"ScalingConfig", S, Type::kObject, &scaling_fields()},
      {"DestinationConfig", S, Type::kObject, &destination_config_fields()},
      {"StartingPosition", S, Type::kString},
      {"StartingPositionTimestamp", S, Type::kTimestamp},
      {"DocumentDBEventSourceConfig", S, Type::kObject, &docdb_fields()},
      {"Topics", E, Type::kStrings},
      {"Queues", E, Type::kStrings},
      {"SelfManagedEventSource", E, Type::kObject, &self_managed_source_fields()},
      {"SourceAccessConfigurations", E, Type::kObjects, &source_access_fields()},
      {"AmazonManagedKafkaEventSourceConfig", E, Type::kObject, &kafka_config_fields()},
      {"SelfManagedKafkaEventSourceConfig", E, Type::kObject, &kafka_config_fields()},
      {"KMSKeyArn", E, Type::kString},
      {"MetricsConfig", E, Type::kObject, &metrics_fields()},
      {"LoggingConfig", E, Type::kObject, &esm_logging_fields()},
      {"Tags", E, Type::kAny},  // a map in the API, a [{Key, Value}] list in CloudFormation
      {"UUID", E, Type::kString},
      {"FunctionArn", E, Type::kString},
      {"EventSourceMappingArn", E, Type::kString},
      {"State", E, Type::kString},
      {"StateTransitionReason", E, Type::kString},
      {"LastModified", E, Type::kAny},
      {"LastProcessingResult", E, Type::kString},
      // Provisioned pollers change scaling (and are what Kafka's retry settings need on AWS).
      {"ProvisionedPollerConfig", R, Type::kAny},
  };
  return f;
}

// PutFunctionEventInvokeConfig request keys ([BOTO]).
const Fields& invoke_config_fields() {
  static const Fields f = {
      {"FunctionName", E, Type::kString},
      {"Qualifier", E, Type::kString},
      {"MaximumRetryAttempts", S, Type::kInteger},
      {"MaximumEventAgeInSeconds", S, Type::kInteger},
      {"DestinationConfig", S, Type::kObject, &destination_config_fields()},
  };
  return f;
}

const Fields& dead_letter_fields() {
  static const Fields f = {{"TargetArn", S, Type::kString}};
  return f;
}
const Fields& environment_fields() {
  static const Fields f = {{"Variables", S, Type::kStringMap}};
  return f;
}
const Fields& code_fields() {
  static const Fields f = {{"S3Bucket", E, Type::kString},        {"S3Key", E, Type::kString},
                           {"S3ObjectVersion", E, Type::kString}, {"ZipFile", E, Type::kString},
                           {"ImageUri", E, Type::kString},        {"SourceKMSKeyArn", E, Type::kString}};
  return f;
}
const Fields& runtime_management_fields() {
  static const Fields f = {{"UpdateRuntimeOn", E, Type::kString}, {"RuntimeVersionArn", E, Type::kString}};
  return f;
}

// CreateFunction request keys ([BOTO]) and the CloudFormation-only ones users paste with them.
const Fields& function_fields() {
  static const Fields f = {
      {"FunctionName", S, Type::kString},
      {"Timeout", S, Type::kInteger},
      {"MemorySize", S, Type::kInteger},
      {"ReservedConcurrentExecutions", S, Type::kInteger},
      {"DeadLetterConfig", S, Type::kObject, &dead_letter_fields()},
      {"Handler", S, Type::kString},
      {"Environment", S, Type::kObject, &environment_fields()},
      {"Runtime", E, Type::kString},
      {"Role", E, Type::kString},
      {"Description", E, Type::kString},
      {"Code", E, Type::kObject, &code_fields()},
      {"PackageType", E, Type::kString},
      {"Publish", E, Type::kBoolean},
      {"Tags", E, Type::kAny},  // a map in the API, a [{Key, Value}] list in CloudFormation
      {"KMSKeyArn", E, Type::kString},
      {"CodeSigningConfigArn", E, Type::kString},
      {"Architectures", E, Type::kStrings},
      {"RuntimeManagementConfig", E, Type::kObject, &runtime_management_fields()},
      {"VpcConfig", R, Type::kAny},
      {"Layers", R, Type::kAny},
      {"SnapStart", R, Type::kAny},
      {"LoggingConfig", R, Type::kAny},
      {"TracingConfig", R, Type::kAny},
      {"EphemeralStorage", R, Type::kAny},
      {"FileSystemConfigs", R, Type::kAny},
      {"ImageConfig", R, Type::kAny},
      {"RecursiveLoop", R, Type::kAny},
      {"CapacityProviderConfig", R, Type::kAny},
      {"DurableConfig", R, Type::kAny},
      {"TenantConfig", R, Type::kAny},
      {"PublishTo", R, Type::kAny},
  };
  return f;
}

const Fields& redrive_fields() {
  static const Fields f = {{"deadLetterTargetArn", S, Type::kString}, {"maxReceiveCount", S, Type::kInteger}};
  return f;
}

// SQS CreateQueue attributes (and CloudFormation's QueueName / Tags).
const Fields& queue_fields() {
  static const Fields f = {
      {"VisibilityTimeout", S, Type::kInteger},
      {"RedrivePolicy", S, Type::kObject, &redrive_fields()},
      {"FifoQueue", S, Type::kBoolean},
      {"MessageRetentionPeriod", S, Type::kInteger},
      {"ContentBasedDeduplication", S, Type::kBoolean},
      {"QueueName", E, Type::kString},
      {"QueueArn", E, Type::kString},
      // Lambda's poller long-polls on its own (SEMANTICS.md §3.1): the queue's wait time does not apply.
      {"ReceiveMessageWaitTimeSeconds", E, Type::kInteger},
      {"KmsMasterKeyId", E, Type::kString},
      {"KmsDataKeyReusePeriodSeconds", E, Type::kInteger},
      {"SqsManagedSseEnabled", E, Type::kBoolean},
      {"Policy", E, Type::kAny},
      {"RedriveAllowPolicy", E, Type::kAny},
      {"Tags", E, Type::kAny},
      {"DelaySeconds", R, Type::kAny},
      {"MaximumMessageSize", R, Type::kAny},
      {"DeduplicationScope", R, Type::kAny},
      {"FifoThroughputLimit", R, Type::kAny},
  };
  return f;
}

// The stream, topic or change stream a poll-stream / poll-broker mapping reads: Kinesis
// CreateStream / IncreaseStreamRetentionPeriod names, used for the other logs too.
const Fields& stream_fields() {
  static const Fields f = {
      {"ShardCount", S, Type::kInteger},
      {"NumPartitions", S, Type::kInteger},
      {"RetentionPeriodHours", S, Type::kInteger},
  };
  return f;
}

// evh's producer (camelCase: evh's own names, not AWS's).
const Fields& poison_fields() {
  static const Fields f = {{"rate", S, Type::kNumber}, {"payload", S, Type::kAny}};
  return f;
}
const Fields& workload_fields() {
  static const Fields f = {
      {"records", S, Type::kInteger},
      {"keys", S, Type::kInteger},
      {"arrival", S, Type::kString},
      {"ratePerSecond", S, Type::kNumber},
      {"duplicates", S, Type::kNumber},
      {"poison", S, Type::kObject, &poison_fields()},
  };
  return f;
}

// evh's settings for what SEMANTICS.md §9 leaves open (camelCase: evh's own names).
const Fields& throttle_backoff_fields() {
  static const Fields f = {{"initial", S, Type::kInteger}, {"max", S, Type::kInteger}};
  return f;
}
const Fields& platform_fields() {
  static const Fields f = {
      {"asyncMaxPayloadBytes", S, Type::kInteger},
      {"asyncRetryDelaysMs", S, Type::kAny},  // two [min, max] pairs: checked by check_platform
      {"throttleBackoffMs", S, Type::kObject, &throttle_backoff_fields()},
      {"streamRetryDelayMs", S, Type::kInteger},
      {"streamUnknownItemIdentifier", S, Type::kString},
  };
  return f;
}

// One PushEventSources entry of an event-source definition file (GitMoxi's
// _lambdaeventsourcedef.json: Service plus per-service keys), with AddPermission's
// SourceArn/SourceAccount and a PayloadFormatVersion hint for API Gateway.
const Fields& push_fields() {
  static const Fields f = {
      {"Service", S, Type::kString},
      {"SourceArn", S, Type::kString},
      {"PayloadFormatVersion", S, Type::kString},
      {"SourceAccount", E, Type::kString},
      {"ApiId", E, Type::kString},
      {"RouteId", E, Type::kString},
      {"AliasStageVariableName", E, Type::kString},
      {"AlaisStageVariableName", E, Type::kString},  // sic: GitMoxi's published example spells it so
      {"TargetGroupArn", E, Type::kString},
  };
  return f;
}
const Fields& pull_fields() {
  static const Fields f = {{"EventSourceMapping", S, Type::kObject, &esm_fields()}};
  return f;
}

const Fields& top_fields() {
  static const Fields f = {
      {"source", S, Type::kString},
      {"mode", S, Type::kString},
      {"target", S, Type::kString},
      {"cases", S, Type::kInteger},
      {"seed", S, Type::kInteger},
      {"mutate", S, Type::kString},
      {"faults", S, Type::kString},
      {"invocationType", S, Type::kString},
      {"description", E, Type::kString},
      {"function", S, Type::kObject, &function_fields()},
      {"eventSourceMapping", S, Type::kObject, &esm_fields()},
      {"eventInvokeConfig", S, Type::kObject, &invoke_config_fields()},
      {"queue", S, Type::kObject, &queue_fields()},
      {"stream", S, Type::kObject, &stream_fields()},
      {"workload", S, Type::kObject, &workload_fields()},
      {"platform", S, Type::kObject, &platform_fields()},
      {"PushEventSources", S, Type::kObjects, &push_fields()},
      {"PullEventSources", S, Type::kObject, &pull_fields()},
  };
  return f;
}

constexpr std::string_view kTopLevel = "the top level";

// The blocks a misplaced key may belong to ("VisibilityTimeout" in the mapping → queue).
struct Block {
  std::string_view name;
  const Fields* fields;
};
const std::vector<Block>& blocks() {
  static const std::vector<Block> b = {{"function", &function_fields()},
                                       {"eventSourceMapping", &esm_fields()},
                                       {"eventInvokeConfig", &invoke_config_fields()},
                                       {"queue", &queue_fields()},
                                       {"stream", &stream_fields()},
                                       {"workload", &workload_fields()},
                                       {"platform", &platform_fields()},
                                       {kTopLevel, &top_fields()}};
  return b;
}

// ---- Small helpers -------------------------------------------------------------------------

Error config_error(const std::string& what, const std::string& message) {
  return make_error(ErrorCode::kConfig, what.empty() ? message : what + ": " + message);
}

const Json* member(const Json& o, std::string_view key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(std::string(key));
  return it == o.end() ? nullptr : &*it;
}

bool iequals(std::string_view a, std::string_view b) { return ascii_lower(a) == ascii_lower(b); }

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

// Integers beyond int64 saturate: the range checks then name the value as written.
int64_t as_int(const Json& v) {
  if (v.is_number_unsigned()) {
    auto u = v.get<uint64_t>();
    return u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ? std::numeric_limits<int64_t>::max()
                                                                           : static_cast<int64_t>(u);
  }
  return v.get<int64_t>();
}

// The closest known key, when it is close enough to be a typo (case ignored).
std::string suggestion(std::string_view key, const Fields& fields) {
  std::string best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  const std::string lk = ascii_lower(key);
  for (const auto& f : fields) {
    std::size_t d = edit_distance(lk, ascii_lower(f.name));
    if (d < best_d) {
      best_d = d;
      best = std::string(f.name);
    }
  }
  if (best.empty()) return "";
  if (best_d <= 2 || best_d * 3 <= key.size()) return best;
  return "";
}

std::string type_label(Type t) {
  switch (t) {
    case Type::kString: return "a string";
    case Type::kInteger: return "an integer";
    case Type::kNumber: return "a number";
    case Type::kBoolean: return "a boolean";
    case Type::kObject: return "an object";
    case Type::kStrings: return "an array of strings";
    case Type::kObjects: return "an array of objects";
    case Type::kStringMap: return "an object of strings";
    case Type::kTimestamp: return "a timestamp (epoch seconds or an ISO-8601 string)";
    case Type::kAny: return "any value";
  }
  return "a value";
}

bool type_ok(const Json& v, Type t) {
  switch (t) {
    case Type::kString: return v.is_string();
    case Type::kInteger: return v.is_number_integer();
    case Type::kNumber: return v.is_number();
    case Type::kBoolean: return v.is_boolean();
    case Type::kObject: return v.is_object();
    case Type::kStrings:
      return v.is_array() && std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_string(); });
    case Type::kObjects: return v.is_array();  // elements are checked one by one
    case Type::kStringMap:
      return v.is_object() && std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_string(); });
    case Type::kTimestamp: return v.is_number() || v.is_string();
    case Type::kAny: return true;
  }
  return false;
}

std::string describe(const Json& v) {
  std::string d = dump(v);
  std::string name = v.is_number_float() ? "a fractional number" : std::string(v.type_name());
  if (v.is_structured() || d.size() > 40) return name;
  return name + " " + d;
}

std::string join_path(const std::string& dotted, std::string_view key) {
  return dotted.empty() ? std::string(key) : dotted + "." + std::string(key);
}

// " (it belongs in \"queue\")" when `key` is a key of other blocks than `block`.
std::string misplaced_hint(std::string_view key, std::string_view block) {
  std::string where;
  for (const auto& b : blocks()) {
    if (b.name == block) continue;
    bool found = std::any_of(b.fields->begin(), b.fields->end(), [&](const Field& f) { return f.name == key; });
    if (!found) continue;
    const std::string name = b.name == kTopLevel ? std::string(kTopLevel) : "\"" + std::string(b.name) + "\"";
    where += (where.empty() ? "" : " or ") + name;
  }
  if (where.empty()) return "";
  return where == kTopLevel ? " (it belongs at the top level)" : " (it belongs in " + where + ")";
}

// Unknown keys, refused keys and JSON types, at every level. `block` names the block whose keys
// these are (kTopLevel, "function", ...) for "it belongs in" hints; empty below the blocks.
Status check_fields(const Json& obj, const Fields& fields, const std::string& dotted, const std::string& pointer,
                    const std::string& what, std::string_view block) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& key = it.key();
    const std::string path = join_path(dotted, key);
    const std::string ptr = pointer + "/" + pointer_token(key);
    auto f = std::find_if(fields.begin(), fields.end(), [&](const Field& x) { return x.name == key; });
    if (f == fields.end()) {
      std::string hint;
      if (!block.empty()) hint = misplaced_hint(key, block);
      if (hint.empty()) {
        std::string s = suggestion(key, fields);
        if (!s.empty()) hint = " (did you mean \"" + s + "\"?)";
      }
      return config_error(what, "unknown key \"" + key + "\" at " + ptr + hint);
    }
    if (f->use == Use::kRefused)
      return config_error(what, path + " is not simulated by evh (remove it from the scenario; docs/scenario.md lists what evh reads)");
    const Json& v = it.value();
    if (!type_ok(v, f->type))
      return config_error(what, path + " must be " + type_label(f->type) + ", got " + describe(v));
    // The blocks one level down get hints too (PullEventSources' mapping counts as the mapping).
    std::string_view child_block;
    if (block == kTopLevel) child_block = f->name;
    if (path == "PullEventSources.EventSourceMapping") child_block = "eventSourceMapping";
    if (f->children && f->type == Type::kObject) {
      EVH_TRY(check_fields(v, *f->children, path, ptr, what, child_block));
    } else if (f->children && f->type == Type::kObjects) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string ip = path + "[" + std::to_string(i) + "]";
        if (!v[i].is_object()) return config_error(what, ip + " must be an object, got " + describe(v[i]));
        EVH_TRY(check_fields(v[i], *f->children, ip, ptr + "/" + std::to_string(i), what, ""));
      }
    }
  }
  return Ok{};
}

Status check_range(const std::string& what, const std::string& path, const Json& v, int64_t lo, int64_t hi,
                   std::string_view cite, const std::string& for_source = "") {
  int64_t n = as_int(v);
  if (n >= lo && n <= hi) return Ok{};
  return config_error(what, path + " " + dump(v) + " is out of range" + (for_source.empty() ? "" : " for " + for_source) +
                                ": " + std::to_string(lo) + "–" + std::to_string(hi) + " (" + std::string(cite) + ")");
}

// A bound as people write it: 100, 0.5, 1000000.
std::string number_text(double x) {
  if (x == std::floor(x) && std::fabs(x) < 1e15) return std::to_string(static_cast<int64_t>(x));
  std::ostringstream os;
  os << x;
  return os.str();
}

// check_range for keys that take fractions; `above` excludes `lo` itself.
Status check_number(const std::string& what, const std::string& path, const Json& v, double lo, double hi, bool above,
                    std::string_view cite) {
  const double x = v.get<double>();
  if ((above ? x > lo : x >= lo) && x <= hi) return Ok{};
  const std::string range =
      above ? "above " + number_text(lo) + ", at most " + number_text(hi) : number_text(lo) + "–" + number_text(hi);
  return config_error(what, path + " " + dump(v) + " is out of range: " + range + " (" + std::string(cite) + ")");
}

bool is_digits(const std::string& s) {
  std::size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
  if (i >= s.size() || s.size() - i > 18) return false;
  return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(i), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// SQS's own API carries every queue attribute as a string ("30", "true", a JSON RedrivePolicy);
// CloudFormation uses numbers, booleans and an object. Both are accepted: strings become values.
Status normalize_queue(Json& q, const std::string& what) {
  static constexpr std::string_view kIntegers[] = {"VisibilityTimeout", "MessageRetentionPeriod",
                                                    "ReceiveMessageWaitTimeSeconds", "KmsDataKeyReusePeriodSeconds"};
  static constexpr std::string_view kBooleans[] = {"FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled"};
  for (auto k : kIntegers) {
    auto it = q.find(std::string(k));
    if (it != q.end() && it->is_string() && is_digits(it->get<std::string>()))
      *it = std::stoll(it->get<std::string>());
  }
  for (auto k : kBooleans) {
    auto it = q.find(std::string(k));
    if (it != q.end() && it->is_string() && (*it == "true" || *it == "false")) *it = (*it == "true");
  }
  auto rp = q.find("RedrivePolicy");
  if (rp != q.end() && rp->is_string()) {
    Json parsed = parse_untrusted(rp->get<std::string>());
    if (parsed.is_discarded())
      return config_error(what, "queue.RedrivePolicy is a string but not valid JSON (give an object, or SQS's JSON string)");
    *rp = std::move(parsed);
  }
  if (rp != q.end() && rp->is_object()) {
    auto mrc = rp->find("maxReceiveCount");
    if (mrc != rp->end() && mrc->is_string() && is_digits(mrc->get<std::string>()))
      *mrc = std::stoll(mrc->get<std::string>());
  }
  return Ok{};
}

// ---- ARNs and function names -------------------------------------------------------------

struct FunctionRef {
  std::string name;
  std::string region;   ///< "" when not given
  std::string account;  ///< "" when not given
};

bool valid_function_name(const std::string& n) {
  if (n.empty() || n.size() > kFunctionNameMaxChars) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// FunctionName may be a name, a name:qualifier, a partial ARN (account:function:name) or a full
// ARN, as in the Lambda API.
Result<FunctionRef> parse_function_ref(const std::string& v, const std::string& path, const std::string& what) {
  auto parts = split(v, ':');
  FunctionRef ref;
  if (parts.size() == 1 || parts.size() == 2) {
    ref.name = parts[0];
  } else if (parts[0] == "arn" && parts.size() >= 7 && parts.size() <= 8 && parts[2] == "lambda" && parts[5] == "function") {
    ref.region = parts[3];
    ref.account = parts[4];
    ref.name = parts[6];
  } else if ((parts.size() == 3 || parts.size() == 4) && parts[1] == "function") {
    ref.account = parts[0];
    ref.name = parts[2];
  } else {
    return config_error(what, path + " \"" + v + "\" is neither a function name nor a Lambda function ARN");
  }
  if (!valid_function_name(ref.name))
    return config_error(what, path + " \"" + v + "\": a function name is 1–64 letters, digits, hyphens or underscores");
  return ref;
}

bool is_arn(std::string_view s) { return starts_with(s, "arn:") && split(s, ':').size() >= 6; }

// The AWS service an ARN belongs to, as an invoking principal ("sqs.amazonaws.com"). A few
// ARNs name another service than the one that invokes: API Gateway's execute-api, DocumentDB
// clusters (rds), Lex V2 bots.
std::string arn_service(std::string_view arn) {
  if (!is_arn(arn)) return "";
  std::string svc = split(arn, ':')[2];
  static constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
      {"execute-api", "apigateway"}, {"docdb", "rds"}, {"lex", "lexv2"}};
  for (const auto& [from, to] : kAliases)
    if (svc == from) svc = std::string(to);
  return svc + std::string(kServiceSuffix);
}

// The resource part of an ARN (after the fifth colon): "my-queue.fifo", "stream/x", ...
std::string arn_resource(std::string_view arn) {
  auto parts = split(arn, ':');
  if (parts.size() < 6) return "";
  std::string r = parts[5];
  for (std::size_t i = 6; i < parts.size(); ++i) r += ":" + parts[i];
  return r;
}

// ---- Sources: what the spec says, and the little it does not ------------------------------

bool polled(InvocationModel m) {
  return m == InvocationModel::kPollQueue || m == InvocationModel::kPollStream || m == InvocationModel::kPollBroker;
}

// A queue source with message groups is a FIFO queue (its record identity has an ordering key).
bool fifo_queue(const Source& s) { return s.model == InvocationModel::kPollQueue && !s.identity.ordering_key.empty(); }

// What kind of mapping a poll source gets, derived from its spec: the per-source facts of the
// SEMANTICS.md §3 matrix that the x-evh-source "defaults" block does not carry.
enum class EsmKind { kNone, kQueue, kFifoQueue, kDataStream, kItemStream, kChangeStream, kKafka, kMq };

EsmKind esm_kind(const Source& s) {
  switch (s.model) {
    case InvocationModel::kPollQueue: return fifo_queue(s) ? EsmKind::kFifoQueue : EsmKind::kQueue;
    case InvocationModel::kPollStream:
      // Sharded streams have ParallelizationFactor; DocumentDB change streams do not. Item
      // streams carry DynamoDB JSON records.
      if (!s.defaults.contains("ParallelizationFactor")) return EsmKind::kChangeStream;
      return s.identity.encoding == PayloadEncoding::kDdbJson ? EsmKind::kItemStream : EsmKind::kDataStream;
    case InvocationModel::kPollBroker:
      // Kafka mappings have retry settings and ReportBatchItemFailures; MQ ones do not.
      return s.defaults.contains("MaximumRetryAttempts") ? EsmKind::kKafka : EsmKind::kMq;
    default: return EsmKind::kNone;
  }
}

struct KindFacts {
  bool starting_position;  ///< StartingPosition applies
  bool at_timestamp;       ///< AT_TIMESTAMP is one of its values
  bool filters;            ///< FilterCriteria applies (not DocumentDB)
  bool on_failure;         ///< DestinationConfig.OnFailure applies
  bool kafka_destination;  ///< a kafka:// topic may be the on-failure destination
  bool kafka_keys;         ///< Topics, SelfManagedEventSource, *KafkaEventSourceConfig
  bool queues;             ///< Queues (Amazon MQ)
  bool access;             ///< SourceAccessConfigurations (brokers, DocumentDB)
};

// SEMANTICS.md §3 parameter matrix.
KindFacts facts(EsmKind k) {
  switch (k) {
    case EsmKind::kQueue:
    case EsmKind::kFifoQueue: return {false, false, true, false, false, false, false, false};
    case EsmKind::kDataStream: return {true, true, true, true, false, false, false, false};
    case EsmKind::kItemStream: return {true, false, true, true, false, false, false, false};
    case EsmKind::kChangeStream: return {true, true, false, false, false, false, false, true};
    case EsmKind::kKafka: return {true, true, true, true, true, true, false, true};
    case EsmKind::kMq: return {false, false, true, false, false, false, true, true};
    case EsmKind::kNone: break;
  }
  return {};
}

// Mapping keys whose applicability and default come from the source's "defaults" block.
constexpr std::string_view kSpecDefaultKeys[] = {
    "BatchSize", "MaximumBatchingWindowInSeconds", "ParallelizationFactor", "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "TumblingWindowInSeconds",
    "FunctionResponseTypes", "DocumentDBEventSourceConfig"};

bool spec_default_key(std::string_view k) {
  return std::find(std::begin(kSpecDefaultKeys), std::end(kSpecDefaultKeys), k) != std::end(kSpecDefaultKeys);
}

// Words in a definition that pick one of several sources sharing a service (Amazon MQ serves
// ActiveMQ and RabbitMQ brokers from one ARN format; only RabbitMQ mappings use a VIRTUAL_HOST
// access configuration). The spec has no field for this: see docs/scenario.md.
struct MentionHint {
  std::string_view needle;
  std::string_view source;
};
constexpr MentionHint kMentionHints[] = {{"rabbitmq", "mq-rabbitmq"}, {"virtual_host", "mq-rabbitmq"}};

std::vector<const Source*> sources_with_service(const std::string& service) {
  std::vector<const Source*> out;
  if (service.empty()) return out;
  for (const auto& s : all_sources())
    if (s.service == service) out.push_back(&s);
  return out;
}

// Narrows candidates that share a service. Order of evidence: FIFO-ness, words that name one
// of them, keys whose values equal one's defaults (PayloadFormatVersion "2.0" → apigw-http);
// else the candidates stay in catalog order, whose first is the commonest.
std::vector<const Source*> narrow(std::vector<const Source*> c, bool fifo, const Json& evidence) {
  if (c.size() > 1) {
    std::vector<const Source*> f, nf;
    for (auto* s : c) (fifo_queue(*s) ? f : nf).push_back(s);
    if (!f.empty() && !nf.empty()) c = fifo ? f : nf;
  }
  if (c.size() > 1) {
    const std::string text = ascii_lower(dump(evidence));
    for (const auto& h : kMentionHints) {
      if (text.find(h.needle) == std::string::npos) continue;
      for (auto* s : c)
        if (s->id == h.source) return {s};
    }
  }
  if (c.size() > 1 && evidence.is_object()) {
    std::vector<const Source*> matched;
    for (auto* s : c) {
      bool hit = false;
      for (auto it = evidence.begin(); it != evidence.end() && !hit; ++it)
        for (auto d = s->defaults.begin(); d != s->defaults.end() && !hit; ++d)
          hit = iequals(it.key(), d.key()) && it.value() == d.value() && !it.value().is_number();
      if (hit) matched.push_back(s);
    }
    if (!matched.empty()) c = matched;
  }
  return c;
}

bool fifo_hint(const Json& doc) {
  const Json* q = member(doc, "queue");
  const Json* f = q ? member(*q, "FifoQueue") : nullptr;
  return f && (*f == true || *f == "true");
}

std::vector<const Source*> candidates_for_arn(const std::string& arn, bool fifo, const Json& evidence) {
  auto c = sources_with_service(arn_service(arn));
  return narrow(std::move(c), fifo || ends_with(arn_resource(arn), ".fifo"), evidence);
}

std::string infer_from_mapping(const Json& esm, bool fifo) {
  if (member(esm, "SelfManagedEventSource")) {
    // Self-managed brokers have no AWS service: the poll-broker sources without one.
    std::vector<const Source*> c;
    for (const auto& s : all_sources())
      if (s.model == InvocationModel::kPollBroker && s.service.empty()) c.push_back(&s);
    c = narrow(std::move(c), fifo, esm);
    return c.empty() ? "" : c.front()->id;
  }
  const Json* arn = member(esm, "EventSourceArn");
  if (!arn || !arn->is_string()) return "";
  auto c = candidates_for_arn(arn->get<std::string>(), fifo, esm);
  return c.empty() ? "" : c.front()->id;
}

std::string infer_from_push(const Json& entry, bool fifo) {
  const Json* arn = member(entry, "SourceArn");
  if (arn && arn->is_string()) {
    auto c = candidates_for_arn(arn->get<std::string>(), fifo, entry);
    if (!c.empty()) return c.front()->id;
  }
  const Json* service = member(entry, "Service");
  if (!service || !service->is_string()) return "";
  auto c = narrow(sources_with_service(service->get<std::string>()), fifo, entry);
  return c.empty() ? "" : c.front()->id;
}

// ---- Block parsers (source-independent checks) ---------------------------------------------

Status check_destination_arn(const std::string& what, const std::string& path, const std::string& dest) {
  if (!is_arn(dest) && !starts_with(dest, kKafkaDestinationPrefix))
    return config_error(what, path + " \"" + dest + "\" is not an ARN");
  return Ok{};
}

struct Parsed {
  bool function_arn_given = false;  ///< region and account came from an ARN
  bool function_name_given = false;
};

Status parse_function(Scenario& sc, const Json& fn, Parsed& p, const std::string& what) {
  for (auto it = fn.begin(); it != fn.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    const std::string path = "function." + k;
    if (k == "FunctionName") {
      auto ref = parse_function_ref(v.get<std::string>(), path, what);
      if (!ref) return ref.error();
      sc.function.name = ref->name;
      if (!ref->region.empty()) sc.function.region = ref->region;
      if (!ref->account.empty()) sc.function.account = ref->account;
      p.function_arn_given = !ref->region.empty() && !ref->account.empty();
      p.function_name_given = true;
    } else if (k == "Timeout") {
      EVH_TRY(check_range(what, path, v, kTimeoutMinS, kTimeoutMaxS, "SEMANTICS.md §1"));
      sc.function.timeout = std::chrono::milliseconds(as_int(v) * 1000);
    } else if (k == "MemorySize") {
      EVH_TRY(check_range(what, path, v, kMemoryMinMb, kMemoryMaxMb, "Lambda API MemorySize"));
      sc.function.memory_mb = static_cast<int>(as_int(v));
    } else if (k == "ReservedConcurrentExecutions") {
      EVH_TRY(check_range(what, path, v, 0, std::numeric_limits<int>::max(), "SEMANTICS.md §7"));
      sc.reserved_concurrency = static_cast<int>(as_int(v));
    } else if (k == "DeadLetterConfig") {
      const Json* t = member(v, "TargetArn");
      if (!t) {
        sc.dead_letter_config = nullptr;  // {} removes the DLQ, as in the API
        continue;
      }
      const std::string arn = t->get<std::string>();
      const std::string svc = arn_service(arn);
      if (svc != "sqs.amazonaws.com" && svc != "sns.amazonaws.com")
        return config_error(what, path + ".TargetArn \"" + arn + "\" must be an SQS queue or SNS topic ARN (SEMANTICS.md §2)");
      sc.dead_letter_config = v;
    } else if (k == "Handler") {
      if (v.get<std::string>().empty()) return config_error(what, path + " must not be empty");
      sc.function.handler = v.get<std::string>();
    } else if (k == "Environment") {
      const Json* vars = member(v, "Variables");
      if (!vars) continue;
      for (auto e = vars->begin(); e != vars->end(); ++e) {
        if (std::find(std::begin(kReservedEnv), std::end(kReservedEnv), e.key()) != std::end(kReservedEnv))
          return config_error(what, path + ".Variables." + e.key() +
                                        " is reserved by Lambda and cannot be set (Lambda developer guide, defined runtime environment variables)");
        sc.environment[e.key()] = e.value().get<std::string>();
      }
    } else {
      sc.function_echo[k] = v;  // echoed keys (Runtime, Role, ...): check_fields refused the rest
    }
  }
  return Ok{};
}

Status parse_mapping(Scenario& sc, const Json& esm, Parsed& p, const std::string& what) {
  const std::string& label = sc.esm_label;
  if (const Json* en = member(esm, "Enabled"); en && *en == false)
    return config_error(what, label + ".Enabled is false: a disabled mapping delivers nothing, so there is nothing to simulate (remove it or set it to true)");
  if (const Json* fc = member(esm, "FilterCriteria")) {
    const Json* filters = member(*fc, "Filters");
    if (filters) {
      if (filters->size() > kMaxFilters)
        return config_error(what, label + ".FilterCriteria.Filters has " + std::to_string(filters->size()) +
                                      " filters; at most " + std::to_string(kMaxFilters) + " (SEMANTICS.md §5)");
      for (std::size_t i = 0; i < filters->size(); ++i) {
        const std::string path = label + ".FilterCriteria.Filters[" + std::to_string(i) + "].Pattern";
        const Json* pat = member((*filters)[i], "Pattern");
        if (!pat) return config_error(what, path + " is missing: " + std::string(kInvalidFilter) + " (SEMANTICS.md §8.5)");
        const std::string text = pat->get<std::string>();
        if (utf8_chars(text) > kMaxPatternChars)
          return config_error(what, path + " has " + std::to_string(utf8_chars(text)) + " characters; at most " +
                                        std::to_string(kMaxPatternChars) + " (SEMANTICS.md §5)");
        Json parsed = parse_untrusted(text);
        if (parsed.is_discarded() || !parsed.is_object())
          return config_error(what, path + " is not a JSON object: " + std::string(kInvalidFilter) + " (SEMANTICS.md §8.5)");
      }
    }
  }
  if (const Json* frt = member(esm, "FunctionResponseTypes")) {
    if (frt->size() > 1 || (frt->size() == 1 && (*frt)[0] != kReportBatchItemFailures))
      return config_error(what, label + ".FunctionResponseTypes holds at most one value, \"" +
                                    std::string(kReportBatchItemFailures) + "\" (SEMANTICS.md §3), got " + dump(*frt));
  }
  if (const Json* dc = member(esm, "DestinationConfig")) {
    if (member(*dc, "OnSuccess"))
      return config_error(what, label + ".DestinationConfig.OnSuccess: " + std::string(kUnsupportedDestination) +
                                    " Mappings have on-failure destinations only (SEMANTICS.md §3)");
    if (const Json* of = member(*dc, "OnFailure")) {
      const Json* d = member(*of, "Destination");
      if (!d) return config_error(what, label + ".DestinationConfig.OnFailure.Destination is missing");
      EVH_TRY(check_destination_arn(what, label + ".DestinationConfig.OnFailure.Destination", d->get<std::string>()));
    }
  }
  const Json* sp = member(esm, "StartingPosition");
  if (sp && *sp != kTrimHorizon && *sp != kLatest && *sp != kAtTimestamp)
    return config_error(what, label + ".StartingPosition " + dump(*sp) + " must be one of TRIM_HORIZON, LATEST, AT_TIMESTAMP (SEMANTICS.md §3)");
  const bool at_ts = sp && *sp == kAtTimestamp;
  const bool has_ts = member(esm, "StartingPositionTimestamp") != nullptr;
  if (at_ts && !has_ts)
    return config_error(what, label + ".StartingPosition AT_TIMESTAMP needs " + label + ".StartingPositionTimestamp");
  if (has_ts && !at_ts)
    return config_error(what, label + ".StartingPositionTimestamp is only used with StartingPosition AT_TIMESTAMP");
  for (std::string_view k : {"Topics", "Queues"}) {
    const Json* list = member(esm, k);
    if (list && list->size() != 1)
      return config_error(what, label + "." + std::string(k) + " names exactly one " +
                                    (k == "Topics" ? "topic" : "queue") + " (Lambda API), got " + std::to_string(list->size()));
  }
  if (const Json* ddb = member(esm, "DocumentDBEventSourceConfig")) {
    const Json* fd = member(*ddb, "FullDocument");
    if (fd && *fd != kFullDocumentDefault && *fd != kFullDocumentUpdateLookup)
      return config_error(what, label + ".DocumentDBEventSourceConfig.FullDocument " + dump(*fd) + " must be Default or UpdateLookup");
  }
  if (const Json* fname = member(esm, "FunctionName")) {
    auto ref = parse_function_ref(fname->get<std::string>(), label + ".FunctionName", what);
    if (!ref) return ref.error();
    if (!p.function_name_given) {
      sc.function.name = ref->name;
      if (!ref->region.empty()) sc.function.region = ref->region;
      if (!ref->account.empty()) sc.function.account = ref->account;
      p.function_arn_given = !ref->region.empty() && !ref->account.empty();
      p.function_name_given = true;
    } else if (ref->name != sc.function.name) {
      return config_error(what, label + ".FunctionName \"" + ref->name + "\" is another function than function.FunctionName \"" +
                                    sc.function.name + "\"");
    }
  }
  if (const Json* arn = member(esm, "EventSourceArn")) {
    const std::string a = arn->get<std::string>();
    if (!is_arn(a)) return config_error(what, label + ".EventSourceArn \"" + a + "\" is not an ARN");
    // The function lives where its source does, unless its own ARN says otherwise.
    if (!p.function_arn_given) {
      auto parts = split(a, ':');
      if (!parts[3].empty()) sc.function.region = parts[3];
      if (!parts[4].empty()) sc.function.account = parts[4];
    }
  }
  sc.event_source_mapping = esm;
  return Ok{};
}

bool is_self(const std::string& dest, const FunctionConfig& fn, bool arn_given) {
  auto parts = split(dest, ':');
  if (parts.size() < 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function") return false;
  if (parts[6] != fn.name) return false;
  // With a bare FunctionName, region and account are evh's placeholders: the name decides.
  return !arn_given || (parts[3] == fn.region && parts[4] == fn.account);
}

Status parse_invoke_config(Scenario& sc, const Json& eic, const Parsed& p, const std::string& what) {
  const Json* dc = member(eic, "DestinationConfig");
  const bool has_destination = dc && (member(*dc, "OnSuccess") || member(*dc, "OnFailure"));
  if (!member(eic, "MaximumRetryAttempts") && !member(eic, "MaximumEventAgeInSeconds") && !has_destination)
    return config_error(what, "eventInvokeConfig: " + std::string(kEmptyInvokeConfig) + " (SEMANTICS.md §8.2)");
  if (const Json* r = member(eic, "MaximumRetryAttempts"))
    EVH_TRY(check_range(what, "eventInvokeConfig.MaximumRetryAttempts", *r, kAsyncRetryMin, kAsyncRetryMax, "SEMANTICS.md §2"));
  if (const Json* a = member(eic, "MaximumEventAgeInSeconds"))
    EVH_TRY(check_range(what, "eventInvokeConfig.MaximumEventAgeInSeconds", *a, kEventAgeMinS, kEventAgeMaxS, "SEMANTICS.md §2"));
  if (dc) {
    for (std::string_view which : {"OnSuccess", "OnFailure"}) {
      const Json* o = member(*dc, which);
      if (!o) continue;
      const std::string path = "eventInvokeConfig.DestinationConfig." + std::string(which) + ".Destination";
      const Json* d = member(*o, "Destination");
      if (!d) return config_error(what, path + " is missing");
      const std::string dest = d->get<std::string>();
      if (!is_arn(dest)) return config_error(what, path + " \"" + dest + "\" is not an ARN");
      const std::string svc = arn_service(dest);
      // SEMANTICS.md §2 destinations table: SQS, SNS, Lambda, EventBridge; S3 on failure only.
      const bool ok = svc == "sqs.amazonaws.com" || svc == "sns.amazonaws.com" || svc == "lambda.amazonaws.com" ||
                      svc == "events.amazonaws.com" || (svc == "s3.amazonaws.com" && which == "OnFailure");
      if (!ok)
        return config_error(what, path + " \"" + dest + "\" must be an SQS queue, SNS topic, Lambda function or EventBridge bus" +
                                      (which == "OnFailure" ? " or S3 bucket" : " (S3 buckets take failures only)") +
                                      " ARN (SEMANTICS.md §2)");
      if (is_self(dest, sc.function, p.function_arn_given))
        return config_error(what, path + ": " + std::string(kSelfDestination) + " (SEMANTICS.md §8.2)");
    }
  }
  sc.event_invoke_config = eic;
  return Ok{};
}

Status parse_queue(Scenario& sc, const Json& q, const std::string& what) {
  // SQS API ranges (not in SEMANTICS.md).
  if (const Json* v = member(q, "VisibilityTimeout"))
    EVH_TRY(check_range(what, "queue.VisibilityTimeout", *v, kVisibilityMinS, kVisibilityMaxS, "SQS API"));
  if (const Json* v = member(q, "MessageRetentionPeriod"))
    EVH_TRY(check_range(what, "queue.MessageRetentionPeriod", *v, kRetentionMinS, kRetentionMaxS, "SQS API"));
  if (const Json* rp = member(q, "RedrivePolicy")) {
    const Json* dlq = member(*rp, "deadLetterTargetArn");
    const Json* mrc = member(*rp, "maxReceiveCount");
    if (!dlq || !mrc)
      return config_error(what, "queue.RedrivePolicy needs both deadLetterTargetArn and maxReceiveCount (SQS API)");
    if (arn_service(dlq->get<std::string>()) != "sqs.amazonaws.com")
      return config_error(what, "queue.RedrivePolicy.deadLetterTargetArn \"" + dlq->get<std::string>() + "\" must be an SQS queue ARN");
    EVH_TRY(check_range(what, "queue.RedrivePolicy.maxReceiveCount", *mrc, kMaxReceiveMin, kMaxReceiveMax, "SQS API"));
  }
  sc.queue = q;
  return Ok{};
}

// How errors name one key: by the flag that set it, without the file's name (the value is not
// the file's); else by its dotted path, after the file's name.
struct KeyName {
  std::string what;   ///< the error prefix: the scenario's origin, or "" for a flag
  std::string label;  ///< "--records" or "workload.records"
};

KeyName key_name(const Scenario& sc, const std::string& path) {
  auto it = sc.from_flags.find(path);
  if (it != sc.from_flags.end()) return {"", it->second};
  return {sc.origin, path};
}

// A whole block: named with the flags that set keys in it; the file's name unless flags set all of it.
KeyName block_name(const Scenario& sc, const std::string& block, const Json& value) {
  std::string flags;
  std::size_t n = 0;
  for (const auto& [path, flag] : sc.from_flags) {
    if (!starts_with(path, block + ".")) continue;
    flags += (flags.empty() ? "" : ", ") + flag;
    ++n;
  }
  if (flags.empty()) return {sc.origin, block};
  return {n >= value.size() ? "" : sc.origin, block + " (set by " + flags + ")"};
}

// stream: the ranges that hold for every source (RetentionPeriodHours' range is the source's).
// `for_source` names the run's source once it is known.
Status check_stream(const Scenario& sc, const std::string& for_source = "") {
  if (const Json* v = member(sc.stream, "ShardCount")) {
    const KeyName n = key_name(sc, "stream.ShardCount");
    EVH_TRY(check_range(n.what, n.label, *v, kShardCountMin, kShardCountMax, "Kinesis shard quota, docs/scenario.md", for_source));
  }
  if (const Json* v = member(sc.stream, "NumPartitions")) {
    const KeyName n = key_name(sc, "stream.NumPartitions");
    EVH_TRY(check_range(n.what, n.label, *v, kPartitionsMin, kPartitionsMax, "evh's limit, docs/scenario.md", for_source));
  }
  return Ok{};
}

// workload: everything that holds for every source (docs/scenario.md). Used on the file's block
// and again on the block merged with flags.
Status check_workload(const Scenario& sc) {
  const Json& w = sc.workload;
  auto name = [&](std::string_view k) { return key_name(sc, "workload." + std::string(k)); };
  if (const Json* v = member(w, "records")) {
    const KeyName n = name("records");
    EVH_TRY(check_range(n.what, n.label, *v, kWorkloadRecordsMin, kWorkloadRecordsMax, kWorkloadCite));
  }
  if (const Json* v = member(w, "keys")) {
    const KeyName n = name("keys");
    EVH_TRY(check_range(n.what, n.label, *v, kWorkloadKeysMin, kWorkloadKeysMax, kWorkloadCite));
  }
  const Json* arrival = member(w, "arrival");
  if (arrival && *arrival != kArrivalBurst && *arrival != kArrivalSteady && *arrival != kArrivalTrickle) {
    const KeyName n = name("arrival");
    return config_error(n.what, n.label + " " + dump(*arrival) + " must be burst, steady or trickle");
  }
  if (const Json* v = member(w, "ratePerSecond")) {
    const KeyName n = name("ratePerSecond");
    EVH_TRY(check_number(n.what, n.label, *v, 0, kRatePerSecondMax, true, kWorkloadCite));
    if (!arrival || *arrival == kArrivalBurst)
      return config_error(n.what, n.label + " applies to arrival steady or trickle only, and " +
                                      (arrival ? name("arrival").label + " is burst" : "arrival is burst (the default)") +
                                      ": every record is sent at once");
  }
  if (const Json* v = member(w, "duplicates")) {
    const KeyName n = name("duplicates");
    EVH_TRY(check_number(n.what, n.label, *v, 0, 1, false, "a fraction of the records"));
  }
  if (const Json* p = member(w, "poison")) {
    const KeyName n = name("poison");
    const Json* rate = member(*p, "rate");
    if (!rate || !member(*p, "payload"))
      return config_error(n.what, n.label + "." + (rate ? "payload" : "rate") +
                                      " is missing: poison needs a rate (the fraction of records, 0–1) and a payload (any JSON value)");
    EVH_TRY(check_number(n.what, n.label + ".rate", *rate, 0, 1, false, "a fraction of the records"));
  }
  return Ok{};
}

// platform: the ranges that hold whatever the mode and source (docs/scenario.md `platform`).
// Used on the file's block and again on the block merged with flags.
Status check_platform(const Scenario& sc) {
  const Json& p = sc.platform;
  auto name = [&](std::string_view k) { return key_name(sc, "platform." + std::string(k)); };
  // A value as the message shows it: short ones in full.
  auto shown = [](const Json& v) { return dump(v).size() <= 60 ? dump(v) : describe(v); };
  if (const Json* v = member(p, "asyncMaxPayloadBytes")) {
    const KeyName n = name("asyncMaxPayloadBytes");
    EVH_TRY(check_range(n.what, n.label, *v, kAsyncPayloadMin, kAsyncPayloadMax, "at most the 6 MB sync request limit, SEMANTICS.md §1"));
  }
  if (const Json* v = member(p, "asyncRetryDelaysMs")) {
    const KeyName n = name("asyncRetryDelaysMs");
    auto is_pair = [](const Json& e) {
      return e.is_array() && e.size() == 2 && e[0].is_number_integer() && e[1].is_number_integer();
    };
    if (!v->is_array() || v->size() != 2 || !is_pair((*v)[0]) || !is_pair((*v)[1]))
      return config_error(n.what, n.label + " must be two [min, max] pairs of integer milliseconds, one per retry " +
                                      "(e.g. [[30500, 91500], [91500, 213500]]), got " + shown(*v));
    for (std::size_t i = 0; i < 2; ++i) {
      const Json& pair = (*v)[i];
      const std::string at = n.label + "[" + std::to_string(i) + "]";
      for (std::size_t j = 0; j < 2; ++j)
        EVH_TRY(check_range(n.what, at + "[" + std::to_string(j) + "]", pair[j], 0, kAsyncDelayMaxMs,
                            "at most the longest MaximumEventAgeInSeconds, SEMANTICS.md §2"));
      if (as_int(pair[0]) > as_int(pair[1]))
        return config_error(n.what, at + " " + dump(pair) + ": the min " + dump(pair[0]) + " is above the max " + dump(pair[1]));
    }
  }
  if (const Json* b = member(p, "throttleBackoffMs")) {
    const Json* initial = member(*b, "initial");
    const Json* max = member(*b, "max");
    const KeyName ni = name("throttleBackoffMs.initial");
    const KeyName nm = name("throttleBackoffMs.max");
    if (initial)
      EVH_TRY(check_range(ni.what, ni.label, *initial, kThrottleBackoffMinMs, kAsyncDelayMaxMs,
                          "at most the longest MaximumEventAgeInSeconds, SEMANTICS.md §2"));
    if (max)
      EVH_TRY(check_range(nm.what, nm.label, *max, kThrottleBackoffMinMs, kAsyncDelayMaxMs,
                          "at most the longest MaximumEventAgeInSeconds, SEMANTICS.md §2"));
    const int64_t i = initial ? as_int(*initial) : kThrottleBackoffInitialDefaultMs;
    const int64_t m = max ? as_int(*max) : kThrottleBackoffMaxDefaultMs;
    if (m < i)
      return config_error(max ? nm.what : ni.what, nm.label + " " + std::to_string(m) + (max ? "" : " (the default)") + " is below " +
                                                   ni.label + " " + std::to_string(i) + (initial ? "" : " (the default)") +
                                                   ": the backoff doubles from initial up to max");
  }
  if (const Json* v = member(p, "streamRetryDelayMs")) {
    const KeyName n = name("streamRetryDelayMs");
    EVH_TRY(check_range(n.what, n.label, *v, 0, kStreamRetryDelayMaxMs, "at most the longest MaximumRecordAgeInSeconds, SEMANTICS.md §3"));
  }
  if (const Json* v = member(p, "streamUnknownItemIdentifier"); v && *v != kUnknownIdFailBatch && *v != kUnknownIdIgnore) {
    const KeyName n = name("streamUnknownItemIdentifier");
    return config_error(n.what, n.label + " " + dump(*v) + " must be fail-batch or ignore (SEMANTICS.md §4, §9)");
  }
  return Ok{};
}

// ---- Resolution (source- and mode-dependent checks, defaults) -------------------------------

void fill(Scenario& sc, Json& block, const std::string& label, std::string_view key, const Json& value) {
  const std::string k(key);
  if (block.contains(k)) {
    // One level of merge for object defaults (DocumentDBEventSourceConfig.FullDocument).
    if (block[k].is_object() && value.is_object())
      for (auto it = value.begin(); it != value.end(); ++it)
        if (!block[k].contains(it.key())) {
          block[k][it.key()] = it.value();
          sc.defaulted.push_back(label + "." + k + "." + it.key());
        }
    return;
  }
  block[k] = value;
  const std::string name = label + "." + k;
  if (std::find(sc.defaulted.begin(), sc.defaulted.end(), name) == sc.defaulted.end()) sc.defaulted.push_back(name);
}

Status resolve_mapping(Scenario& sc, const Source& source, const std::string& what) {
  Json& esm = sc.event_source_mapping;
  const std::string& label = sc.esm_label;
  const EsmKind kind = esm_kind(source);
  const KindFacts kf = facts(kind);
  const std::string& id = source.id;
  const std::string matrix = "SEMANTICS.md §3 parameter matrix";

  // Which keys apply to this source.
  for (auto it = esm.begin(); it != esm.end(); ++it) {
    const std::string& k = it.key();
    bool applies = true;
    if (spec_default_key(k)) {
      // A batching window of 0 means "none": harmless where windows do not exist (FIFO).
      applies = source.defaults.contains(k) || (k == "MaximumBatchingWindowInSeconds" && it.value() == 0);
    } else if (k == "StartingPosition" || k == "StartingPositionTimestamp") {
      applies = kf.starting_position;
    } else if (k == "FilterCriteria") {
      applies = kf.filters;
    } else if (k == "ScalingConfig") {
      applies = source.model == InvocationModel::kPollQueue;
    } else if (k == "Topics" || k == "SelfManagedEventSource" || k == "AmazonManagedKafkaEventSourceConfig" ||
               k == "SelfManagedKafkaEventSourceConfig") {
      applies = kf.kafka_keys;
    } else if (k == "Queues") {
      applies = kf.queues;
    } else if (k == "SourceAccessConfigurations") {
      applies = kf.access;
    } else if (k == "DestinationConfig") {
      if (member(it.value(), "OnFailure") && !kf.on_failure)
        return config_error(what, label + ".DestinationConfig does not apply to " + id + ": " + std::string(kUnsupportedDestination) +
                                      (source.model == InvocationModel::kPollQueue
                                           ? " A queue's failures go to its dead-letter queue: use queue.RedrivePolicy (SEMANTICS.md §3.1)"
                                           : " (" + matrix + ")"));
    }
    if (!applies) return config_error(what, label + "." + k + " does not apply to " + id + " (" + matrix + ")");
  }

  // The source named by the ARN must be the run's source.
  if (const Json* arn = member(esm, "EventSourceArn")) {
    auto c = candidates_for_arn(arn->get<std::string>(), false, Json::object());
    if (!c.empty() && std::none_of(c.begin(), c.end(), [&](const Source* s) { return s->id == id; }))
      return config_error(what, label + ".EventSourceArn " + dump(*arn) + " belongs to source " + c.front()->id +
                                    ", but this run's source is " + id);
  }

  // Ranges.
  const std::string for_id = id;
  if (const Json* v = member(esm, "BatchSize"))
    EVH_TRY(check_range(what, label + ".BatchSize", *v, kBatchSizeMin, static_cast<int64_t>(source.limits.max_batch_records),
                        "SEMANTICS.md §3", for_id));
  if (const Json* v = member(esm, "MaximumBatchingWindowInSeconds"))
    EVH_TRY(check_range(what, label + ".MaximumBatchingWindowInSeconds", *v, 0, kWindowMaxS, "SEMANTICS.md §3", for_id));
  if (const Json* v = member(esm, "ParallelizationFactor"))
    EVH_TRY(check_range(what, label + ".ParallelizationFactor", *v, kParallelizationMin, kParallelizationMax, "SEMANTICS.md §3", for_id));
  if (const Json* v = member(esm, "MaximumRetryAttempts"))
    EVH_TRY(check_range(what, label + ".MaximumRetryAttempts", *v, kStreamRetryMin, kStreamRetryMax, "SEMANTICS.md §3", for_id));
  if (const Json* v = member(esm, "TumblingWindowInSeconds"))
    EVH_TRY(check_range(what, label + ".TumblingWindowInSeconds", *v, 0, kTumblingMaxS, "SEMANTICS.md §3.5", for_id));
  if (const Json* v = member(esm, "MaximumRecordAgeInSeconds")) {
    int64_t n = as_int(*v);
    if (n != kRecordAgeInfinite && (n < kRecordAgeMinS || n > kRecordAgeMaxS))
      return config_error(what, label + ".MaximumRecordAgeInSeconds " + dump(*v) + " is out of range for " + id +
                                    ": -1 (no limit) or " + std::to_string(kRecordAgeMinS) + "–" + std::to_string(kRecordAgeMaxS) +
                                    " (SEMANTICS.md §3)");
  }
  if (const Json* sc_cfg = member(esm, "ScalingConfig"))
    if (const Json* v = member(*sc_cfg, "MaximumConcurrency"))
      EVH_TRY(check_range(what, label + ".ScalingConfig.MaximumConcurrency", *v, kMaxConcurrencyMin, kMaxConcurrencyMax,
                          "SEMANTICS.md §3.1", for_id));
  if (const Json* sp = member(esm, "StartingPosition"); sp && *sp == kAtTimestamp && !kf.at_timestamp)
    return config_error(what, label + ".StartingPosition AT_TIMESTAMP does not apply to " + id +
                                  ": TRIM_HORIZON or LATEST (SEMANTICS.md §3.3)");
  if (const Json* dc = member(esm, "DestinationConfig")) {
    if (const Json* of = member(*dc, "OnFailure")) {
      const Json* d = member(*of, "Destination");
      const std::string dest = d && d->is_string() ? d->get<std::string>() : "";
      const std::string svc = arn_service(dest);
      const bool ok = svc == "sqs.amazonaws.com" || svc == "sns.amazonaws.com" || svc == "s3.amazonaws.com" ||
                      (kf.kafka_destination && starts_with(dest, kKafkaDestinationPrefix));
      if (!ok)
        return config_error(what, label + ".DestinationConfig.OnFailure.Destination \"" + dest + "\" must be an SQS queue, SNS topic" +
                                      (kf.kafka_destination ? ", S3 bucket or kafka://topic" : " or S3 bucket") + " for " + id +
                                      " (" + matrix + ")");
    }
  }

  // Defaults: the source's own (its x-evh-source "defaults"), then the ones the spec does not carry.
  // "defaulted" names keys as the echo shows them, under "eventSourceMapping".
  const std::string echo = "eventSourceMapping";
  for (auto d = source.defaults.begin(); d != source.defaults.end(); ++d)
    if (spec_default_key(d.key())) fill(sc, esm, echo, d.key(), d.value());
  if (kf.starting_position) fill(sc, esm, echo, "StartingPosition", std::string(kTrimHorizon));
  fill(sc, esm, echo, "Enabled", true);

  // SEMANTICS.md §8.4: a queue mapping with BatchSize > 10 needs a window (checked after the
  // defaults so that an omitted window counts as the default 0).
  if (source.model == InvocationModel::kPollQueue) {
    const Json* bs = member(esm, "BatchSize");
    const Json* win = member(esm, "MaximumBatchingWindowInSeconds");
    if (bs && as_int(*bs) > kBatchSizeWithoutWindowMax && (!win || as_int(*win) < 1))
      return config_error(what, label + ".BatchSize " + dump(*bs) + " without " + label +
                                    ".MaximumBatchingWindowInSeconds ≥ 1: " + std::string(kBatchWindowMessage) + " (SEMANTICS.md §8.4)");
  }
  return Ok{};
}

std::string seconds_text(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000);
  std::string s = std::to_string(static_cast<double>(ms.count()) / 1000.0);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

Status resolve_queue(Scenario& sc, const Source& source, const std::string& what) {
  Json& q = sc.queue;
  const bool fifo = fifo_queue(source);
  if (const Json* f = member(q, "FifoQueue"); f && *f != fifo)
    return config_error(what, std::string("queue.FifoQueue ") + (fifo ? "false" : "true") + " does not fit source " + source.id + " (" +
                                  (fifo ? "a FIFO queue" : "a standard queue") + "): choose the source that matches the queue");
  if (member(q, "ContentBasedDeduplication") && !fifo)
    return config_error(what, "queue.ContentBasedDeduplication applies to FIFO queues only, and " + source.id + " is a standard queue");
  if (const Json* rp = member(q, "RedrivePolicy")) {
    // SQS: a FIFO queue's dead-letter queue is a FIFO queue, a standard queue's a standard one.
    const Json* target = member(*rp, "deadLetterTargetArn");
    const std::string dlq = target && target->is_string() ? target->get<std::string>() : "";
    if (!dlq.empty() && ends_with(dlq, ".fifo") != fifo)
      return config_error(what, "queue.RedrivePolicy.deadLetterTargetArn \"" + dlq + "\": the dead-letter queue of a " +
                                    (fifo ? "FIFO queue must be a FIFO queue" : "standard queue must be a standard queue") + " (SQS)");
  }
  const Json* vt_default = member(source.defaults, "VisibilityTimeout");
  fill(sc, q, "queue", "VisibilityTimeout", vt_default ? *vt_default : Json(kVisibilityDefaultS));
  fill(sc, q, "queue", "MessageRetentionPeriod", kRetentionDefaultS);
  fill(sc, q, "queue", "FifoQueue", fifo);
  if (fifo) fill(sc, q, "queue", "ContentBasedDeduplication", false);

  // SEMANTICS.md §3.1 / §0.8: the mapping is refused when the queue's visibility timeout is
  // below the function timeout (AWS's words).
  const int64_t vt = as_int(q["VisibilityTimeout"]);
  if (vt * 1000 < sc.function.timeout.count()) {
    const bool defaulted = std::find(sc.defaulted.begin(), sc.defaulted.end(), "queue.VisibilityTimeout") != sc.defaulted.end();
    return config_error(what, "Queue visibility timeout: " + std::to_string(vt) + " seconds is less than Function timeout: " +
                                  seconds_text(sc.function.timeout) + " seconds (queue.VisibilityTimeout" +
                                  (defaulted ? ", defaulted," : "") + " must be at least function.Timeout; SEMANTICS.md §3.1)");
  }
  return Ok{};
}

// The source's delivery.log ("shards", "partitions", "queue", "change-stream"; "" = none).
std::string delivery_log(const Source& source) {
  const Json* log = find_at(source.meta, "/delivery/log");
  return log && log->is_string() ? log->get<std::string>() : "";
}

std::string log_text(std::string_view log) {
  if (log == kLogShards) return "a sharded stream";
  if (log == kLogPartitions) return "Kafka topic partitions";
  if (log == kLogChangeStream) return "a change stream";
  if (log == kLogQueue) return "a broker queue";
  return "a log its spec does not describe (no delivery block)";
}

// An integer of the delivery block, or `fallback`.
Json delivery_int(const Json& delivery, std::string_view key, int64_t fallback) {
  const Json* v = member(delivery, key);
  return v && v->is_number_integer() ? *v : Json(fallback);
}

// stream: which keys the source's delivery log has, their ranges, and its defaults.
Status resolve_stream(Scenario& sc, const Source& source) {
  Json& st = sc.stream;
  EVH_TRY(check_fields(st, stream_fields(), "stream", "/stream", sc.origin, "stream"));
  const Json* delivery = member(source.meta, "delivery");
  const std::string log = delivery_log(source);
  const std::string& id = source.id;
  const bool retained = log == kLogShards || log == kLogPartitions || log == kLogChangeStream;
  if (log == kLogQueue && !st.empty()) {
    const KeyName b = block_name(sc, "stream", st);
    return config_error(b.what, b.label + " does not apply to " + id +
                                    ": it reads a broker queue, which has no shards, partitions or retention to set (SEMANTICS.md §3.7)");
  }
  for (auto it = st.begin(); it != st.end(); ++it) {
    const std::string& k = it.key();
    bool applies = retained;
    std::string hint;
    if (k == "ShardCount") {
      applies = log == kLogShards;
      if (log == kLogPartitions) hint = " (use stream.NumPartitions)";
    } else if (k == "NumPartitions") {
      applies = log == kLogPartitions;
      if (log == kLogShards) hint = " (use stream.ShardCount)";
    }
    if (!applies) {
      const KeyName n = key_name(sc, "stream." + k);
      return config_error(n.what, n.label + " does not apply to " + id + ": it reads " + log_text(log) + hint);
    }
  }
  EVH_TRY(check_stream(sc, id));
  if (const Json* v = member(st, "RetentionPeriodHours")) {
    const KeyName n = key_name(sc, "stream.RetentionPeriodHours");
    int64_t lo = kRetentionHoursMin;
    int64_t hi = kRetentionHoursMax;
    const Json* range = delivery ? member(*delivery, "retentionHoursRange") : nullptr;
    if (range && range->is_array() && range->size() == 2 && (*range)[0].is_number_integer() && (*range)[1].is_number_integer()) {
      lo = as_int((*range)[0]);
      hi = as_int((*range)[1]);
    }
    if (lo == hi && as_int(*v) != lo)
      return config_error(n.what, n.label + " " + dump(*v) + ": " + source.title + " keep records " + std::to_string(lo) +
                                      " hours; RetentionPeriodHours cannot be changed");
    EVH_TRY(check_range(n.what, n.label, *v, lo, hi, "the retention " + source.title + " allows, docs/scenario.md", id));
  }

  // Defaults: from the delivery block, so only for sources that have one.
  if (!delivery) return Ok{};
  if (log == kLogShards) fill(sc, st, "stream", "ShardCount", delivery_int(*delivery, "defaultShardCount", kShardCountDefault));
  if (log == kLogPartitions)
    fill(sc, st, "stream", "NumPartitions", delivery_int(*delivery, "defaultNumPartitions", kPartitionsDefault));
  if (const Json* r = member(*delivery, "retentionHours"); r && retained) fill(sc, st, "stream", "RetentionPeriodHours", *r);
  return Ok{};
}

// workload: the checks of check_workload, whether "keys" has anything to spread over, and the
// arrival defaults. An absent (or empty) block stays empty: the producer is not shaped.
Status resolve_workload(Scenario& sc, const Source& source) {
  Json& w = sc.workload;
  if (w.empty()) return Ok{};
  EVH_TRY(check_fields(w, workload_fields(), "workload", "/workload", sc.origin, "workload"));
  EVH_TRY(check_workload(sc));
  // Kafka orders per partition and keys records for its partitioner, though the record's
  // identity key is the partition.
  if (member(w, "keys") && source.identity.ordering_key.empty() && delivery_log(source) != kLogPartitions) {
    const KeyName n = key_name(sc, "workload.keys");
    return config_error(n.what, n.label + " does not apply to " + source.id +
                                    ": its records carry no ordering key (a FIFO MessageGroupId, Kinesis partition key, DynamoDB item key or Kafka record key) to spread them over");
  }
  fill(sc, w, "workload", "arrival", std::string(kArrivalBurst));
  if (w["arrival"] == kArrivalSteady) fill(sc, w, "workload", "ratePerSecond", kSteadyRateDefault);
  if (w["arrival"] == kArrivalTrickle) fill(sc, w, "workload", "ratePerSecond", kTrickleRateDefault);
  return Ok{};
}


// platform: which keys the run's mode and source use, their checks, and evh's defaults for
// those (docs/scenario.md `platform`). A key the run does not use is refused, as blocks are:
// it would otherwise be silently ignored.
Status resolve_platform(Scenario& sc, const Source& source, Mode mode) {
  Json& p = sc.platform;
  EVH_TRY(check_fields(p, platform_fields(), "platform", "/platform", sc.origin, "platform"));
  EVH_TRY(check_platform(sc));
  const bool async = mode == Mode::kAsync;
  const bool streamed =
      mode == Mode::kPoll && (source.model == InvocationModel::kPollStream || source.model == InvocationModel::kPollBroker);
  // Partial batch responses exist where the mapping has FunctionResponseTypes (SEMANTICS.md §3 matrix).
  const bool batch_failures = streamed && source.defaults.contains("FunctionResponseTypes");
  const bool queue = mode == Mode::kPoll && source.model == InvocationModel::kPollQueue;
  const std::string run = std::string(to_string(mode)) + " with " + source.id;
  for (auto it = p.begin(); it != p.end(); ++it) {
    const std::string& k = it.key();
    const KeyName n = key_name(sc, "platform." + k);
    if ((k == "asyncMaxPayloadBytes" || k == "asyncRetryDelaysMs" || k == "throttleBackoffMs") && !async)
      return config_error(n.what, n.label + " is only used in async mode (this run is " + run + "; SEMANTICS.md §2)");
    if (k == "streamRetryDelayMs" && !streamed)
      return config_error(n.what, n.label + " is only used in poll mode with a poll-stream or poll-broker source (this run is " + run + ")" +
                                      (queue ? ": a queue's failed messages come back after queue.VisibilityTimeout (SEMANTICS.md §3.1)" : ""));
    if (k == "streamUnknownItemIdentifier" && !batch_failures) {
      if (queue)
        return config_error(n.what, n.label + " does not apply to " + source.id +
                                        ": for SQS an itemIdentifier that is not in the batch fails the whole batch (documented, SEMANTICS.md §4)");
      if (streamed)
        return config_error(n.what, n.label + " does not apply to " + source.id +
                                        ": its mapping has no ReportBatchItemFailures (SEMANTICS.md §3 parameter matrix)");
      return config_error(n.what, n.label + " is only used in poll mode with a poll-stream or poll-broker source that has ReportBatchItemFailures (this run is " +
                                      run + ")");
    }
  }
  if (async) {
    fill(sc, p, "platform", "asyncMaxPayloadBytes", kAsyncMaxPayloadBytes);
    fill(sc, p, "platform", "asyncRetryDelaysMs", Json{{kAsyncRetryDelaysDefaultMs[0][0], kAsyncRetryDelaysDefaultMs[0][1]},
                                                        {kAsyncRetryDelaysDefaultMs[1][0], kAsyncRetryDelaysDefaultMs[1][1]}});
    fill(sc, p, "platform", "throttleBackoffMs", Json{{"initial", kThrottleBackoffInitialDefaultMs}, {"max", kThrottleBackoffMaxDefaultMs}});
  }
  if (streamed) {
    // SEMANTICS.md §9: the retry spacing of streams is not published; evh retries one poll
    // interval after the failed invoke returned.
    if (const Json* poll = find_at(source.meta, "/delivery/pollIntervalMs"); poll && poll->is_number_integer())
      fill(sc, p, "platform", "streamRetryDelayMs", *poll);
  }
  if (batch_failures) fill(sc, p, "platform", "streamUnknownItemIdentifier", std::string(kUnknownIdFailBatch));
  return Ok{};
}

}  // namespace

// ---- Public API --------------------------------------------------------------------------------

const char* to_string(Mode m) {
  switch (m) {
    case Mode::kSync: return "sync";
    case Mode::kAsync: return "async";
    case Mode::kPoll: return "poll";
  }
  return "sync";
}

Result<Mode> parse_mode(const std::string& s) {
  if (s == "sync") return Mode::kSync;
  if (s == "async") return Mode::kAsync;
  if (s == "poll") return Mode::kPoll;
  return make_error(ErrorCode::kUsage, "unknown mode \"" + s + "\" (sync, async or poll)");
}

Mode default_mode(const Source& source) {
  if (polled(source.model)) return Mode::kPoll;
  return source.model == InvocationModel::kAsyncPush ? Mode::kAsync : Mode::kSync;
}

std::string infer_source(const Json& doc) {
  if (!doc.is_object()) return "";
  const bool fifo = fifo_hint(doc);
  // The mapping names the resource, so it says most; then the push sources, first first.
  const Json* esm = member(doc, "eventSourceMapping");
  if (!esm)
    if (const Json* pull = member(doc, "PullEventSources")) esm = member(*pull, "EventSourceMapping");
  if (!esm && (member(doc, "EventSourceArn") || member(doc, "SelfManagedEventSource"))) esm = &doc;
  if (esm) {
    std::string id = infer_from_mapping(*esm, fifo);
    if (!id.empty()) return id;
  }
  if (const Json* push = member(doc, "PushEventSources"); push && push->is_array()) {
    for (const auto& entry : *push) {
      std::string id = infer_from_push(entry, fifo);
      if (!id.empty()) return id;
    }
  }
  if (member(doc, "Service") || member(doc, "SourceArn")) return infer_from_push(doc, fifo);
  return "";
}

Result<Scenario> parse_scenario(const Json& doc_in, const std::string& what) {
  if (!doc_in.is_object())
    return config_error(what, std::string("a scenario is a JSON object, got ") + doc_in.type_name());
  Json doc = doc_in;
  if (auto q = doc.find("queue"); q != doc.end() && q->is_object()) EVH_TRY(normalize_queue(*q, what));
  EVH_TRY(check_fields(doc, top_fields(), "", "", what, kTopLevel));

  Scenario sc;
  sc.origin = what;
  Parsed parsed;
  if (const Json* v = member(doc, "source")) sc.source = v->get<std::string>();
  if (const Json* v = member(doc, "mode")) {
    auto m = parse_mode(v->get<std::string>());
    if (!m) return make_error(ErrorCode::kUsage, what + ": mode: " + m.error().message);
    sc.mode = *m;
  }
  if (const Json* v = member(doc, "target")) sc.target = v->get<std::string>();
  if (const Json* v = member(doc, "cases")) {
    if (as_int(*v) < 1) return config_error(what, "cases " + dump(*v) + " must be at least 1");
    sc.cases = static_cast<uint64_t>(as_int(*v));
  }
  if (const Json* v = member(doc, "seed")) {
    if (!v->is_number_unsigned()) return config_error(what, "seed " + dump(*v) + " must be a non-negative integer");
    sc.seed = v->get<uint64_t>();
  }
  if (const Json* v = member(doc, "mutate")) {
    const std::string m = v->get<std::string>();
    if (m != "none" && m != "legal" && m != "illegal" && m != "any")
      return config_error(what, "mutate \"" + m + "\" must be none, legal, illegal or any");
    sc.mutate = m;
  }
  if (const Json* v = member(doc, "faults")) sc.faults = v->get<std::string>();
  if (const Json* v = member(doc, "invocationType")) {
    const std::string t = v->get<std::string>();
    if (t != "RequestResponse" && t != "Event" && t != "DryRun")
      return config_error(what, "invocationType \"" + t + "\" must be RequestResponse, Event or DryRun (SEMANTICS.md §1)");
    sc.invocation_type = t;
  }
  if (const Json* v = member(doc, "description")) sc.description = v->get<std::string>();

  if (const Json* fn = member(doc, "function")) EVH_TRY(parse_function(sc, *fn, parsed, what));

  const Json* esm = member(doc, "eventSourceMapping");
  if (const Json* pull = member(doc, "PullEventSources")) {
    if (const Json* pesm = member(*pull, "EventSourceMapping")) {
      if (esm)
        return config_error(what, "both eventSourceMapping and PullEventSources.EventSourceMapping are given: give the mapping once");
      esm = pesm;
      sc.esm_label = "PullEventSources.EventSourceMapping";
    }
  }
  if (esm) EVH_TRY(parse_mapping(sc, *esm, parsed, what));
  if (const Json* eic = member(doc, "eventInvokeConfig")) EVH_TRY(parse_invoke_config(sc, *eic, parsed, what));
  if (const Json* q = member(doc, "queue")) EVH_TRY(parse_queue(sc, *q, what));
  if (const Json* st = member(doc, "stream")) {
    sc.stream = *st;
    EVH_TRY(check_stream(sc));
  }
  if (const Json* w = member(doc, "workload")) {
    sc.workload = *w;
    EVH_TRY(check_workload(sc));
  }
  if (const Json* pl = member(doc, "platform")) {
    sc.platform = *pl;
    EVH_TRY(check_platform(sc));
  }
  if (const Json* push = member(doc, "PushEventSources")) {
    for (std::size_t i = 0; i < push->size(); ++i)
      if (!member((*push)[i], "Service"))
        return config_error(what, "PushEventSources[" + std::to_string(i) + "].Service is required (e.g. \"apigateway.amazonaws.com\")");
    sc.push_event_sources = *push;
  }
  if (sc.source.empty()) {
    sc.source = infer_source(doc);
    sc.source_inferred = !sc.source.empty();
  }
  return sc;
}

PlatformSettings platform_settings(const Scenario& sc) {
  const Json& p = sc.platform;
  auto integer = [](const Json* v, int64_t fallback) { return v && v->is_number_integer() ? as_int(*v) : fallback; };
  PlatformSettings s;
  s.async_max_payload_bytes = static_cast<std::size_t>(
      integer(member(p, "asyncMaxPayloadBytes"), static_cast<int64_t>(kAsyncMaxPayloadBytes)));
  const Json* delays = member(p, "asyncRetryDelaysMs");
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 2; ++j) {
      const Json* v = delays && delays->is_array() && delays->size() == 2 && (*delays)[i].is_array() && (*delays)[i].size() == 2
                          ? &(*delays)[i][j]
                          : nullptr;
      s.async_retry_delays_ms[i][j] = integer(v, kAsyncRetryDelaysDefaultMs[i][j]);
    }
  const Json* backoff = member(p, "throttleBackoffMs");
  s.throttle_backoff_initial_ms = integer(backoff ? member(*backoff, "initial") : nullptr, kThrottleBackoffInitialDefaultMs);
  s.throttle_backoff_max_ms = integer(backoff ? member(*backoff, "max") : nullptr, kThrottleBackoffMaxDefaultMs);
  if (const Json* v = member(p, "streamRetryDelayMs"); v && v->is_number_integer()) s.stream_retry_delay_ms = as_int(*v);
  if (const Json* v = member(p, "streamUnknownItemIdentifier"); v && *v == kUnknownIdIgnore)
    s.stream_unknown_item_identifier = UnknownItemIdentifier::kIgnore;
  return s;
}

Result<Scenario> load_scenario(const std::string& path) {
  auto doc = load_json_file(path);
  if (!doc) return doc.error();
  return parse_scenario(*doc, path == "-" ? "<stdin>" : path);
}

Status resolve_scenario(Scenario& sc, const Source& source, Mode mode) {
  const std::string& what = sc.origin;
  const std::string pre = what.empty() ? "" : what + ": ";
  if (mode == Mode::kPoll && !polled(source.model))
    return make_error(ErrorCode::kUsage, pre + "mode poll needs a polled source (poll-queue, poll-stream or poll-broker); " +
                                             source.id + " is " + to_string(source.model) + ": use mode " +
                                             to_string(default_mode(source)));
  // A block is only read in the mode that uses it; outside it, it would be silently ignored.
  if (!sc.event_source_mapping.empty() && mode != Mode::kPoll)
    return config_error(what, sc.esm_label + " is only used in poll mode (this run is " + std::string(to_string(mode)) + ")");
  if (!sc.queue.empty() && (mode != Mode::kPoll || source.model != InvocationModel::kPollQueue))
    return config_error(what, std::string("queue is only used in poll mode with a poll-queue source (this run is ") + to_string(mode) +
                                  " with " + source.id + ")");
  const bool streamed = source.model == InvocationModel::kPollStream || source.model == InvocationModel::kPollBroker;
  if (!sc.stream.empty() && (mode != Mode::kPoll || !streamed)) {
    const KeyName b = block_name(sc, "stream", sc.stream);
    return config_error(b.what, b.label + " is only used in poll mode with a poll-stream or poll-broker source (this run is " +
                                    to_string(mode) + " with " + source.id + ")");
  }
  if (!sc.workload.empty() && mode != Mode::kPoll) {
    const KeyName b = block_name(sc, "workload", sc.workload);
    return config_error(b.what, b.label + " is only used in poll mode: it shapes what a polled source's producer sends (this run is " +
                                    to_string(mode) + ")");
  }
  if (!sc.event_invoke_config.empty() && mode != Mode::kAsync)
    return config_error(what, "eventInvokeConfig is only used in async mode (this run is " + std::string(to_string(mode)) + "; SEMANTICS.md §2)");
  if (!sc.dead_letter_config.is_null() && mode != Mode::kAsync)
    return config_error(what, "function.DeadLetterConfig is only used for async invokes (this run is " + std::string(to_string(mode)) +
                                  "; SEMANTICS.md §2)" +
                                  (source.model == InvocationModel::kPollQueue ? ": for a queue use queue.RedrivePolicy" : ""));

  // SEMANTICS.md §1, §3: sync sends RequestResponse (or DryRun), async Event, and a mapping
  // invokes synchronously.
  const std::string natural = mode == Mode::kAsync ? "Event" : "RequestResponse";
  if (!sc.invocation_type.empty()) {
    const bool fits = sc.invocation_type == natural || (mode == Mode::kSync && sc.invocation_type == "DryRun");
    if (!fits)
      return config_error(what, "invocationType " + sc.invocation_type + " does not fit mode " + std::string(to_string(mode)) + " (it sends " + natural +
                                    (mode == Mode::kSync ? " or DryRun" : "") + "; SEMANTICS.md §1)");
  }

  if (mode == Mode::kPoll) {
    EVH_TRY(resolve_mapping(sc, source, what));
    if (source.model == InvocationModel::kPollQueue) EVH_TRY(resolve_queue(sc, source, what));
    if (streamed) EVH_TRY(resolve_stream(sc, source));
    EVH_TRY(resolve_workload(sc, source));
  }
  if (mode == Mode::kAsync) {
    fill(sc, sc.event_invoke_config, "eventInvokeConfig", "MaximumRetryAttempts", kAsyncRetryDefault);
    fill(sc, sc.event_invoke_config, "eventInvokeConfig", "MaximumEventAgeInSeconds", kEventAgeDefaultS);
  }
  EVH_TRY(resolve_platform(sc, source, mode));
  sc.source = source.id;
  sc.mode = mode;
  return Ok{};
}

void set_from_flag(Scenario& sc, const std::string& block, const std::string& key, const Json& value, const std::string& flag) {
  Json* b = block == "stream" ? &sc.stream : block == "workload" ? &sc.workload : block == "platform" ? &sc.platform : nullptr;
  EVH_CHECK(b != nullptr) << "set_from_flag: no block \"" << block << "\" (stream, workload or platform)";
  (*b)[key] = value;
  sc.from_flags[block + "." + key] = flag;
}

Json Scenario::to_json() const {
  Json j = Json::object();
  if (!source.empty()) j["source"] = source;
  if (mode) j["mode"] = to_string(*mode);
  if (!target.empty()) j["target"] = target;
  if (cases) j["cases"] = *cases;
  if (seed) j["seed"] = *seed;
  if (!mutate.empty()) j["mutate"] = mutate;
  if (!faults.empty()) j["faults"] = faults;
  // The invocation type the run sends: the one given, else the mode's (SEMANTICS.md §1, §3).
  if (!invocation_type.empty())
    j["invocationType"] = invocation_type;
  else if (mode)
    j["invocationType"] = *mode == Mode::kAsync ? "Event" : "RequestResponse";
  if (!description.empty()) j["description"] = description;

  Json fn = Json::object();
  fn["FunctionName"] = function.name;
  fn["FunctionArn"] = function.arn();
  if (function.timeout.count() % 1000 == 0)
    fn["Timeout"] = function.timeout.count() / 1000;
  else
    fn["Timeout"] = static_cast<double>(function.timeout.count()) / 1000.0;
  fn["MemorySize"] = function.memory_mb;
  fn["Handler"] = function.handler;
  if (reserved_concurrency) fn["ReservedConcurrentExecutions"] = *reserved_concurrency;
  if (!dead_letter_config.is_null()) fn["DeadLetterConfig"] = dead_letter_config;
  if (!environment.empty()) {
    Json vars = Json::object();
    for (const auto& [k, v] : environment) vars[k] = v;
    fn["Environment"] = Json{{"Variables", vars}};
  }
  for (auto it = function_echo.begin(); it != function_echo.end(); ++it) fn[it.key()] = it.value();
  j["function"] = std::move(fn);

  if (!event_source_mapping.empty()) j["eventSourceMapping"] = event_source_mapping;
  if (!queue.empty()) j["queue"] = queue;
  if (!stream.empty()) j["stream"] = stream;
  if (!workload.empty()) j["workload"] = workload;
  if (!event_invoke_config.empty()) j["eventInvokeConfig"] = event_invoke_config;
  if (!platform.empty()) j["platform"] = platform;
  if (!push_event_sources.empty()) j["PushEventSources"] = push_event_sources;
  if (!defaulted.empty()) j["defaulted"] = defaulted;
  return j;
}

}  // namespace evh::harness
