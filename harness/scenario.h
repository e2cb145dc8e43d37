// Scenario: what the user deploys, in AWS's own parameter names (DESIGN.md The command line):
// "eventSourceMapping" (CreateEventSourceMapping keys), "eventInvokeConfig"
// (PutFunctionEventInvokeConfig keys), "function" (Timeout, MemorySize,
// ReservedConcurrentExecutions, DeadLetterConfig), "queue" (VisibilityTimeout,
// RedrivePolicy.maxReceiveCount, FifoQueue), "stream" (ShardCount, NumPartitions,
// RetentionPeriodHours), plus evh's own run keys and "workload" and "platform" blocks. Also reads an
// event-source definition file {"PushEventSources":[...],"PullEventSources":{...}}.
// Values outside AWS's ranges (SEMANTICS.md §2, §3) and settings evh does not simulate are
// refused by name; nothing is silently ignored.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "generators/error.h"
#include "generators/json.h"
#include "generators/source.h"
#include "harness/target.h"

namespace evh::harness {

enum class Mode { kSync, kAsync, kPoll };
const char* to_string(Mode m);
/// "sync" | "async" | "poll"; anything else is ErrorCode::kUsage.
Result<Mode> parse_mode(const std::string& s);
/// The mode a source is naturally delivered in: poll models → poll, async push → async,
/// sync push → sync (SEMANTICS.md §1–§3). For a scenario that names no mode.
Mode default_mode(const Source& source);

struct Scenario {
  // evh's own keys (flags override them).
  std::string source;                 ///< "source": catalog id; "" = from flags / inferred
  std::optional<Mode> mode;           ///< "mode"
  std::string target;                 ///< "target"
  std::optional<uint64_t> cases;      ///< "cases"
  std::optional<uint64_t> seed;       ///< "seed"
  std::string mutate;                 ///< "mutate": none|legal|illegal|any
  std::string faults;                 ///< "faults": "id[=rate],..."
  std::string invocation_type;        ///< "invocationType" as given: RequestResponse|Event|DryRun ("" = the mode's; to_json() echoes the resolved one)

  std::string description;            ///< "description": free text, echoed

  // AWS blocks, resolved: every key present with AWS's default filled in.
  FunctionConfig function;
  std::optional<int> reserved_concurrency;  ///< function.ReservedConcurrentExecutions
  Json dead_letter_config;                  ///< function.DeadLetterConfig (null = none)
  Json event_source_mapping = Json::object();
  Json event_invoke_config = Json::object();
  Json queue = Json::object();
  /// "stream": the stream, topic or change stream a poll-stream / poll-broker mapping reads:
  /// ShardCount (Kinesis, DynamoDB), NumPartitions (Kafka), RetentionPeriodHours. Resolved
  /// with defaults (docs/scenario.md). Empty for other sources.
  Json stream = Json::object();
  /// "workload": evh's producer (docs/scenario.md): records, keys, arrival, ratePerSecond,
  /// duplicates, poison. Empty = one case's records at a time, 100 ms apart.
  Json workload = Json::object();
  /// "platform": evh's own settings for the values SEMANTICS.md §9 lists as not confirmed
  /// (docs/scenario.md `platform`): asyncMaxPayloadBytes, asyncRetryDelaysMs, throttleBackoffMs
  /// (async mode), streamRetryDelayMs, streamUnknownItemIdentifier (poll mode, stream and broker
  /// sources). Resolved: the keys the run's mode and source use, with evh's defaults filled.
  /// Read it through platform_settings().
  Json platform = Json::object();

  /// function.Environment.Variables: handed to targets (TargetOptions::env).
  std::map<std::string, std::string> environment;
  /// function keys evh reads but does not simulate (Runtime, Role, Code, ...): echoed as given.
  Json function_echo = Json::object();
  /// PushEventSources entries of an event-source definition file, echoed as given.
  Json push_event_sources = Json::array();

  std::string origin;                 ///< the file (or `what`) read; prefixes every error ("" = none)
  bool source_inferred = false;       ///< `source` came from infer_source(), not a "source" key
  /// Where the mapping came from, for messages: "eventSourceMapping" or
  /// "PullEventSources.EventSourceMapping".
  std::string esm_label = "eventSourceMapping";
  /// Dotted names that resolve_scenario() filled with a default (echoed as "defaulted").
  std::vector<std::string> defaulted;
  /// Dotted names set from the command line, with the flag that set them
  /// ("workload.records" → "--records"): errors about them name the flag, not the file.
  std::map<std::string, std::string> from_flags;

  /// The resolved configuration, as result.json echoes it.
  Json to_json() const;
};

/// What a batch response naming a well-formed itemIdentifier that is not in the batch does on a
/// stream (Kinesis, DynamoDB Streams, Kafka): not documented (SEMANTICS.md §4, §9).
enum class UnknownItemIdentifier {
  kFailBatch,  ///< "fail-batch": the whole batch fails (LocalStack; evh's default)
  kIgnore,     ///< "ignore": the entry is ignored, the other entries are read (fakecloud)
};

/// The "platform" block as the modes use it: every value, the given one or evh's default
/// (docs/scenario.md `platform`). Works on a resolved scenario and on one whose block was never
/// resolved (then absent keys are defaults).
struct PlatformSettings {
  /// SEMANTICS.md §1, §9: the async request cap ("1 MB", exact bytes not confirmed). evh run
  /// copies it into RunConfig::async_max_payload_bytes, which async mode reads.
  std::size_t async_max_payload_bytes = 0;
  /// SEMANTICS.md §2, §8.2, §9: [min, max] ms after the invoke of the first and second retry
  /// of a function error (drawn uniformly).
  int64_t async_retry_delays_ms[2][2] = {{0, 0}, {0, 0}};
  /// SEMANTICS.md §2: async throttle / 5xx backoff, doubling from initial to max.
  int64_t throttle_backoff_initial_ms = 0;
  int64_t throttle_backoff_max_ms = 0;
  /// SEMANTICS.md §9: wait after a failed stream batch returned before it is retried; nullopt =
  /// the source's delivery.pollIntervalMs.
  std::optional<int64_t> stream_retry_delay_ms;
  UnknownItemIdentifier stream_unknown_item_identifier = UnknownItemIdentifier::kFailBatch;
};
PlatformSettings platform_settings(const Scenario& scenario);

/// Reads a scenario or event-source definition file (docs/scenario.md). Checks what does not
/// depend on the source: key names at every level (unknown → ErrorCode::kConfig naming the key,
/// its JSON pointer and a "did you mean"), JSON types, keys evh does not simulate (refused by
/// name), and source-independent ranges (function, eventInvokeConfig, queue, stream, workload,
/// FilterCriteria).
/// Not JSON → the file, line and column; unreadable → ErrorCode::kIo; a bad "mode" → kUsage.
/// When the file names no "source", it is inferred (infer_source) and `source_inferred` set.
Result<Scenario> load_scenario(const std::string& path);
/// Same, from a parsed document; `what` names it in errors.
Result<Scenario> parse_scenario(const Json& doc, const std::string& what);
/// Infers the catalog id a document describes: from its mapping's EventSourceArn (or
/// SelfManagedEventSource), else from its PushEventSources' SourceArn or Service, matched
/// against each source's `service`; several matches are narrowed by FIFO-ness, a RabbitMQ
/// mention and keys equal to a source's defaults (PayloadFormatVersion "2.0" → apigw-http),
/// else the first in catalog order. Also takes a bare mapping or push entry. "" when the
/// document does not say.
std::string infer_source(const Json& doc);
/// Checks the scenario against `source` and `mode` and fills AWS's defaults (SEMANTICS.md §2,
/// §3, §7): a mode that cannot deliver the source (poll for a push source) is kUsage; blocks
/// the mode does not read (eventSourceMapping outside poll, eventInvokeConfig outside async,
/// stream for a source that has no shards, partitions or change stream, workload outside poll,
/// platform keys the mode or source does not use),
/// keys that do not apply to the source (ShardCount for Kafka, workload.keys for standard SQS),
/// values outside its ranges and what AWS refuses (SQS BatchSize 20000; BatchSize > 10 without a
/// window; FIFO BatchSize > 10; VisibilityTimeout below the function Timeout) are kConfig, one
/// line starting with `origin` (a key a flag set is named by its flag, without `origin`). On
/// success `source` and `mode` are set, and every default is filled and named in `defaulted`.
Status resolve_scenario(Scenario& scenario, const Source& source, Mode mode);
/// Sets `block`.`key` from a command-line flag (block "stream", "workload" or "platform"; `flag` as typed,
/// "--records"), replacing the file's value as flags do. Nothing is checked here:
/// resolve_scenario() checks the merged block and names `flag` in its errors.
void set_from_flag(Scenario& scenario, const std::string& block, const std::string& key, const Json& value,
                   const std::string& flag);

}  // namespace evh::harness
