// Report merge: the result.json of the shards of one run (`evh run --shard K/N`) joined into the
// result model of the whole run, from which every report format is then rendered.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "generators/error.h"
#include "generators/json.h"

namespace evh::cli {

/// One shard's result as read from disk.
struct ShardReport {
  std::string dir;   ///< its report directory: finding files and trace.jsonl are read from here
  std::string path;  ///< its result.json
  Json result;
};

/// Reads a shard's report directory (DIR/result.json) or result.json itself. Unreadable is
/// ErrorCode::kIo, not JSON ErrorCode::kConfig; both name the file.
Result<ShardReport> read_shard_report(const std::string& dir_or_file);

/// The merged result and the finding files it names.
struct MergedReport {
  Json result;  ///< the result model of the whole run; "merged" says which shards it joins
  /// Finding files to copy: {the shard's file, the file under the merged report directory}.
  std::vector<std::pair<std::string, std::string>> copies;
};

/// Checks that `shards` are distinct shards of one run (same evh, source, mode, target, seed,
/// configuration, faults, invariants, shard count, split and run size, each with exactly its
/// cases) and merges them. Case counts, invocations and each invariant's exercised and findings
/// counts add; each invariant's status and the verdict come from the rules the run uses
/// (harness::InvariantVerdict::status, harness::RunResult::verdict_of); findings are joined in case
/// order and point to `out_dir`/findings/...; effects and destination messages are concatenated;
/// virtualMs adds in sync mode (cases run one after another) and is the longest shard's in async
/// mode (cases overlap in time); realSeconds adds (the compute spent). Missing shards are an
/// error unless `allow_missing`: the merged result then gave up ("incomplete: ..."), never a pass.
/// Any mismatch or malformed result is ErrorCode::kConfig naming the file.
Result<MergedReport> merge_shard_reports(const std::vector<ShardReport>& shards, const std::string& out_dir, bool allow_missing);

}  // namespace evh::cli
