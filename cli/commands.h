// The subcommands of `evh`, each a function from parsed options to an exit code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace evh::cli {

struct GenerateOptions {
  std::string source;
  int64_t count = 1;
  std::optional<uint64_t> seed;
  std::string mutate = "none";
  std::string payload_schema;
  std::vector<std::string> payload_samples;
  int64_t batch_size = -1;
  bool with_meta = false;
  std::string output = "-";
};

struct ValidateOptions {
  std::string source;
  std::vector<std::string> files;
  std::string payload_schema;
  bool strict = false;
  int64_t coverage = 0;  ///< also generate this many events and report fields they never produce
};

int list(const std::string& what, bool json);
int describe(const std::string& source, bool json);
int generate(const GenerateOptions& o);
int validate(const ValidateOptions& o);

struct RunOptions {
  std::string scenario;  ///< scenario or event-source definition file ("" = none)
  std::string source;
  std::string mode;
  std::string target;
  std::optional<uint64_t> cases;
  std::optional<uint64_t> seed;
  std::string mutate;
  std::string payload_schema;
  std::vector<std::string> payload_samples;
  int64_t batch_size = -1;
  std::string faults;
  bool faults_given = false;
  std::string invariants;
  std::string exclude_invariants;
  std::string invocation_type;
  std::string effects_cmd;
  bool effects_cmd_each = false;
  std::string report_dir = "evh-report";
  std::string format = "json";
  int concurrency = 1;
  // Producer and stream shape (docs/scenario.md "workload", "stream"): each overrides its key
  // in the scenario; resolve_scenario() checks the result.
  std::optional<int64_t> records;              ///< --records: workload.records
  std::optional<int64_t> keys;                 ///< --keys: workload.keys
  std::string arrival;                         ///< --arrival: workload.arrival ("" = not given)
  std::optional<double> rate;                  ///< --rate: workload.ratePerSecond
  std::optional<double> producer_duplicates;   ///< --producer-duplicates: workload.duplicates
  std::optional<int64_t> shards;               ///< --shards: stream.ShardCount
  std::optional<int64_t> partitions;           ///< --partitions: stream.NumPartitions
  std::string input;                           ///< --input: an exact workload (JSON Lines)
  std::string async_payload_limit;             ///< --async-payload-limit: 1MB | 256KB
  bool no_shrink = false;                      ///< --no-shrink: findings keep the case as found (RunConfig::shrink)
  bool progress = true;                        ///< live progress on stderr (cli/progress.h); off for `evh demo`
  std::string shard;                           ///< --shard K/N ("" = the whole run; harness/shard.h)
};

int run(const RunOptions& o);

struct ReportMergeOptions {
  std::vector<std::string> shards;        ///< each shard's report directory or its result.json
  std::string report_dir = "evh-report";  ///< where the merged result.json, trace.jsonl and findings/ go
  std::string format = "json";            ///< --format list, as evh run's
  bool allow_missing = false;             ///< write a report (never a pass) when shards are missing
};

/// `evh report merge`: joins the result.json of the shards of one run (`evh run --shard K/N`)
/// into one report. 0 every invariant held, 1 findings (or gave up, or shards missing),
/// 2 a shard's result is unreadable, malformed, unsharded or of another run, 3 writing failed.
int report_merge(const ReportMergeOptions& o);

struct ReplayOptions {
  std::string finding;     ///< a findings/<invariant>/<sha1>.json file, or a handler fuzzer input (crash-<sha1>)
  std::string target;      ///< "" = the finding's target
  std::string report_dir;  ///< "" = write nothing; else result.json and trace.jsonl of the replay
};

/// `evh replay`: 0 FIXED, 1 STILL FAILING, 2 bad finding file, 3 target unreachable.
int replay(const ReplayOptions& o);

struct DemoOptions {
  std::string report_dir = "evh-demo";  ///< one subdirectory per run, plus index.md and index.html
  std::optional<uint64_t> seed;         ///< "" = kDemoSeed, so the demo gives the same table every time
};

/// The demo's seed when --seed is not given (scripts/demo.sh uses the same).
inline constexpr uint64_t kDemoSeed = 20261123;

/// `evh demo`: the correct and buggy example handlers over six sources, every report format.
/// 0 when every correct handler passed and every buggy one was caught by its invariant, 1
/// otherwise, 2 when the report directory cannot be made.
int demo(const DemoOptions& o);

/// A fresh run seed (the only non-deterministic draw evh makes).
uint64_t draw_seed();

/// Prints "evh: <message>" on stderr and returns the exit code for the error.
int fail(int code, const std::string& message);

}  // namespace evh::cli
