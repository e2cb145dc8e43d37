// VirtualClock: the only clock of a run (STYLE.md §7.8). Modes advance it; nothing sleeps.
// Hours of platform time (retries, visibility timeouts, windows) run in microseconds.
#pragma once

#include <cstdint>

namespace evh::harness {

/// 2026-01-01T00:00:00Z: the default virtual epoch a run starts at.
inline constexpr int64_t kDefaultEpochMs = 1767225600000;

class VirtualClock {
 public:
  explicit VirtualClock(int64_t start_ms = kDefaultEpochMs) : now_ms_(start_ms), start_ms_(start_ms) {}
  int64_t now_ms() const { return now_ms_; }
  /// Milliseconds since the run started.
  int64_t elapsed_ms() const { return now_ms_ - start_ms_; }
  void advance(int64_t ms) { now_ms_ += ms > 0 ? ms : 0; }
  /// Moves to `t` if it is later (events scheduled in the past run now).
  void advance_to(int64_t t) { if (t > now_ms_) now_ms_ = t; }

 private:
  int64_t now_ms_;
  int64_t start_ms_;
};

}  // namespace evh::harness
