// Progress: the live line `evh run` prints on stderr while cases run (cases run / requested,
// findings so far, cases per second). On a terminal it is one line refreshed in place at most ~10 times a
// second; in a log (not a TTY) it is a plain line every few seconds, and nothing for short runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace evh::cli {

/// True when standard error is a terminal (isatty(2)).
bool stderr_is_tty();

class ProgressPrinter {
 public:
  /// Monotonic seconds; injected so tests can drive time.
  using Clock = std::function<double()>;

  /// Seconds between refreshes on a terminal (at most ~10 a second).
  static constexpr double kTtyInterval = 0.1;
  /// Seconds between plain lines when standard error is not a terminal; a run shorter than
  /// this prints no progress at all.
  static constexpr double kLogInterval = 5.0;

  /// `out` must outlive the printer. `requested` is the planned count (0 = unknown, e.g. poll
  /// mode counts batches); `unit` names what is counted ("cases", "batches").
  ProgressPrinter(std::ostream& out, bool tty, uint64_t requested, std::string unit = "cases", Clock clock = {});
  /// Ends a line left open on the terminal, so an error printed next starts on its own line.
  ~ProgressPrinter();
  ProgressPrinter(const ProgressPrinter&) = delete;
  ProgressPrinter& operator=(const ProgressPrinter&) = delete;

  /// One more case (or batch) ran; `findings` is the total so far. Prints when due.
  void tick(std::size_t findings);
  /// The run ended: on a terminal, the final line (and a newline); in a log, the final line
  /// only if progress lines were printed before. Idempotent.
  void finish();
  /// Lines (or in-place refreshes) printed so far.
  std::size_t prints() const { return prints_; }

 private:
  std::string line(double now) const;
  void print(double now, bool final);

  std::ostream& out_;
  bool tty_;
  uint64_t requested_;
  std::string unit_;
  Clock clock_;
  double start_ = 0;        ///< construction: "done in" counts from here
  double first_ = 0;        ///< the first tick: the rate counts from here
  double last_print_ = 0;
  uint64_t done_ = 0;
  std::size_t findings_ = 0;
  std::size_t prints_ = 0;
  std::size_t last_width_ = 0;
  bool line_open_ = false;  ///< a terminal line printed without its newline
  bool finished_ = false;
};

}  // namespace evh::cli
