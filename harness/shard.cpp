// Shard parsing and the shard block of result.json.
#include "harness/shard.h"

#include <charconv>

namespace evh::harness {
namespace {

// A whole number of decimal digits only (no sign, no space), at most kMaxShardCount.
bool parse_count(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 12) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::string Shard::to_string() const { return std::to_string(index) + "/" + std::to_string(count); }

Result<Shard> parse_shard(std::string_view text) {
  const std::string quoted = "--shard '" + std::string(text) + "'";
  const auto slash = text.find('/');
  Shard s;
  if (slash == std::string_view::npos || !parse_count(text.substr(0, slash), s.index) || !parse_count(text.substr(slash + 1), s.count)) {
    std::string msg = quoted + ": use K/N, whole numbers with 1 <= K <= N (e.g. --shard 2/3 runs the second of three parts)";
    if (slash == std::string_view::npos) msg += "; a stream's shard count is --shards";
    return make_error(ErrorCode::kUsage, msg);
  }
  if (s.count == 0) return make_error(ErrorCode::kUsage, quoted + ": N must be at least 1 (the number of shards)");
  if (s.count > kMaxShardCount)
    return make_error(ErrorCode::kUsage, quoted + ": N must be at most " + std::to_string(kMaxShardCount));
  const std::string n = std::to_string(s.count);
  if (s.index == 0) return make_error(ErrorCode::kUsage, quoted + ": K counts from 1 (the shards are 1/" + n + " to " + n + "/" + n + ")");
  if (s.index > s.count)
    return make_error(ErrorCode::kUsage, quoted + ": K must be at most N (the shards are 1/" + n + " to " + n + "/" + n + ")");
  return s;
}

Status check_shard_mode(Mode mode) {
  if (mode != Mode::kPoll) return Ok{};
  return make_error(ErrorCode::kUsage,
                    "--shard: poll mode cannot be sharded: it is one ordered simulation whose batches mix records of many cases, so "
                    "leaving cases out changes what the others are delivered with; shard sync or async runs");
}

Json ShardRun::to_json() const {
  Json ids = Json::array();
  for (std::size_t i : cases) ids.push_back(i);
  return Json{{"index", shard.index}, {"count", shard.count}, {"split", kShardSplit}, {"runCases", run_cases}, {"cases", std::move(ids)}};
}

}  // namespace evh::harness
