// Shared by the kinesis and dynamodb-streams sources: tumbling-window fields (SEMANTICS.md §3.5), ARN parts,
// ISO-8601 parsing and sorted record times. Header-only, so it needs no build change.
#pragma once

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "generators/sources/source_util.h"

namespace evh::sources {

/// The top-level fields a tumbling-window invocation adds, in the order AWS sends them (SEMANTICS.md §3.5).
inline constexpr const char* kWindowFields[] = {
    "window", "state", "shardId", "eventSourceARN", "isFinalInvokeForWindow", "isWindowTerminatedEarly"};

/// Epoch milliseconds of "YYYY-MM-DDTHH:MM:SS[.fff](Z|+00:00)", or nullopt.
inline std::optional<int64_t> parse_iso8601_ms(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, n = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6) return std::nullopt;
  std::size_t i = static_cast<std::size_t>(n);
  int64_t ms = 0;
  if (i < s.size() && s[i] == '.') {
    int64_t scale = 100;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10) ms += (s[i] - '0') * scale;
  }
  std::string zone = s.substr(i);
  if (zone != "Z" && zone != "+00:00" && zone != "+0000") return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

/// Part `index` (0-based) of a colon-separated ARN ("arn:aws:kinesis:REGION:ACCOUNT:stream/x"), or "".
inline std::string arn_part(const std::string& arn, std::size_t index) {
  if (arn.rfind("arn:", 0) != 0) return {};
  std::size_t start = 0;
  for (std::size_t k = 0; k < index; ++k) {
    start = arn.find(':', start);
    if (start == std::string::npos) return {};
    ++start;
  }
  std::size_t end = arn.find(':', start);
  return arn.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

/// `count` times in [lo, hi), sorted: record times within one batch only move forward.
inline std::vector<int64_t> sorted_times(Rng& rng, std::size_t count, int64_t lo, int64_t hi) {
  std::vector<int64_t> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back(rng.range(lo, std::max(lo, hi - 1)));
  std::sort(out.begin(), out.end());
  return out;
}

/// True when the generated event asks for a tumbling-window invocation.
inline bool has_window_fields(const Json& event) {
  if (!event.is_object()) return false;
  for (const char* f : kWindowFields)
    if (event.contains(f)) return true;
  return false;
}

/// Draws an aligned window [start, end) in epoch ms that ended before "now" or is still open
/// (TumblingWindowInSeconds 1-900, aligned on arrival time; SEMANTICS.md §3.5).
inline std::pair<int64_t, int64_t> draw_window(Rng& rng, const GenContext& ctx) {
  static constexpr int64_t kSeconds[] = {30, 60, 120, 300, 900};
  int64_t len = kSeconds[rng.below(5)] * 1000;
  int64_t start = (ctx.now_ms - rng.range(0, 3 * len)) / len * len;
  return {start, start + len};
}

/// Writes the six window fields after Records, consistent with the batch's shard and stream.
inline void set_window_fields(Json& event, Rng& rng, std::pair<int64_t, int64_t> window, const std::string& shard,
                              const std::string& arn) {
  Json state = event.contains("state") && event["state"].is_object() ? event["state"] : Json::object();
  if (rng.chance(0.2)) state = Json::object();  // the first invoke of a window starts with empty state
  bool early = rng.chance(0.05);
  bool final_invoke = early || rng.chance(0.3);
  for (const char* f : kWindowFields) event.erase(f);
  event["window"] = {{"start", iso8601(window.first, false)}, {"end", iso8601(window.second, false)}};
  event["state"] = state;
  event["shardId"] = shard;
  event["eventSourceARN"] = arn;
  event["isFinalInvokeForWindow"] = final_invoke;
  event["isWindowTerminatedEarly"] = early;
}

/// Removes every window field (a batch without a tumbling window carries none).
inline void clear_window_fields(Json& event) {
  for (const char* f : kWindowFields) event.erase(f);
}

/// After a legal mutation (no draws): an incomplete window group is dropped; a complete one follows the records'
/// shard and stream and, when record times (epoch ms; may be empty) left it, is re-aligned around them or dropped.
inline void refresh_window(Json& event, const std::string& shard, const std::string& arn,
                           const std::vector<int64_t>& times) {
  if (!has_window_fields(event)) return;
  const Json* w = find_at(event, "/window");
  auto start = w && w->is_object() ? parse_iso8601_ms(str(*w, "start")) : std::nullopt;
  auto end = w && w->is_object() ? parse_iso8601_ms(str(*w, "end")) : std::nullopt;
  bool complete = start && end && *end > *start;
  for (const char* f : kWindowFields) complete = complete && (std::string(f) == "state" || event.contains(f));
  if (!complete) {
    clear_window_fields(event);
    return;
  }
  if (!shard.empty()) event["shardId"] = shard;
  if (!arn.empty()) event["eventSourceARN"] = arn;
  if (times.empty()) return;
  auto [lo, hi] = std::minmax_element(times.begin(), times.end());
  if (*lo >= *start && *hi < *end) return;
  int64_t len = *end - *start;
  int64_t aligned = *lo / len * len;
  if (*hi >= aligned + len) {
    clear_window_fields(event);
    return;
  }
  event["window"] = {{"start", iso8601(aligned, false)}, {"end", iso8601(aligned + len, false)}};
}

/// Checks the window fields against each other and the records' shard and stream; returns the window
/// [start, end) in epoch ms when it can be read.
inline std::optional<std::pair<int64_t, int64_t>> check_window(const Json& event, const std::string& records_shard,
                                                               const std::string& records_arn,
                                                               std::vector<Problem>& out) {
  if (!has_window_fields(event)) return std::nullopt;
  bool has_window = event.contains("window");
  for (const char* f : kWindowFields) {
    std::string name(f);
    if (name == "state" || name == "window") continue;
    if (has_window && !event.contains(f)) report(out, "/" + name, "is missing although the event carries a window");
    if (!has_window && event.contains(f))
      report(out, "/" + name, "is a tumbling-window field but the event has no window");
  }
  std::string shard = str(event, "shardId"), arn = str(event, "eventSourceARN");
  if (!shard.empty() && !records_shard.empty() && shard != records_shard)
    report(out, "/shardId", "is not the shard of the records");
  if (!arn.empty() && !records_arn.empty() && arn != records_arn)
    report(out, "/eventSourceARN", "is not the stream of the records");
  auto early = event.find("isWindowTerminatedEarly");
  auto final_invoke = event.find("isFinalInvokeForWindow");
  if (early != event.end() && early->is_boolean() && early->get<bool>() && final_invoke != event.end() &&
      final_invoke->is_boolean() && !final_invoke->get<bool>())
    report(out, "/isFinalInvokeForWindow", "is false although the window was terminated early");
  auto w = event.find("window");
  if (w == event.end() || !w->is_object()) return std::nullopt;
  auto start = parse_iso8601_ms(str(*w, "start")), end = parse_iso8601_ms(str(*w, "end"));
  if (!start || !end) return std::nullopt;
  if (*end <= *start) {
    report(out, "/window/end", "is not after window.start");
    return std::nullopt;
  }
  if (*end - *start > 900000) report(out, "/window", "is longer than the 900 s maximum TumblingWindowInSeconds");
  return std::make_pair(*start, *end);
}

}  // namespace evh::sources
