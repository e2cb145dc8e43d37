// Shard: one part of a run split across machines (`evh run --shard K/N`, DESIGN.md Scale). Every
// case of the whole run is made exactly as unsharded (same index, same seed split from the run
// seed); shard K delivers only the cases whose run-wide index i has i % N == K - 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "generators/error.h"
#include "generators/json.h"
#include "harness/scenario.h"

namespace evh::harness {

/// The largest N `--shard K/N` takes: bounds a typo (2/30000000), far above any CI matrix
/// (GitHub Actions runs at most 256 jobs per matrix).
inline constexpr uint64_t kMaxShardCount = 100000;

/// Part `index` of `count` (1 <= index <= count). The split is by case index, round robin: it
/// needs nothing but the index, so generated cases and --input lines split alike, and shard sizes
/// differ by at most one case.
struct Shard {
  uint64_t index = 1;  ///< K, counted from 1
  uint64_t count = 1;  ///< N

  /// Whether case `case_index` (0-based, in the whole run) falls to this shard.
  bool has(uint64_t case_index) const { return case_index % count == index - 1; }
  /// How many of the cases 0 .. total-1 fall to this shard.
  uint64_t size_of(uint64_t total) const { return total >= index ? (total - index) / count + 1 : 0; }
  /// "K/N".
  std::string to_string() const;
};

/// Parses "K/N" (whole numbers, 1 <= K <= N <= kMaxShardCount). Anything else is
/// ErrorCode::kUsage with one line naming the value and what is wanted.
Result<Shard> parse_shard(std::string_view text);

/// Sync and async modes shard by case; poll mode is refused (ErrorCode::kUsage, saying why):
/// its cases are records of one ordered simulation whose batches mix many cases, so leaving
/// cases out would change what every other case is delivered with.
Status check_shard_mode(Mode mode);

/// What a sharded run ran, for result.json's "shard": {"index", "count", "split", "runCases",
/// "cases"}. `evh report merge` checks the shards of one run against each other with it.
struct ShardRun {
  Shard shard;
  uint64_t run_cases = 0;             ///< cases of the whole (unsharded) run
  std::vector<std::size_t> cases;     ///< the run-wide indices of the cases this shard ran, ascending
  Json to_json() const;
};

/// The split's name in result.json ("split"): a merge refuses shards split another way.
inline constexpr const char* kShardSplit = "case-index-mod-count";

}  // namespace evh::harness
