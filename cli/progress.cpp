// Progress: the live line of `evh run` (see progress.h).
#include "cli/progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <sstream>

namespace evh::cli {

bool stderr_is_tty() { return ::isatty(STDERR_FILENO) == 1; }

namespace {

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string format_rate(double per_second) {
  char buf[32];
  std::snprintf(buf, sizeof buf, per_second >= 10 ? "%.0f" : "%.1f", per_second);
  return buf;
}

}  // namespace

ProgressPrinter::ProgressPrinter(std::ostream& out, bool tty, uint64_t requested, std::string unit, Clock clock)
    : out_(out), tty_(tty), requested_(requested), unit_(std::move(unit)), clock_(clock ? std::move(clock) : Clock(steady_seconds)) {
  start_ = clock_();
  last_print_ = start_;
}

ProgressPrinter::~ProgressPrinter() {
  if (line_open_) out_ << "\n" << std::flush;
}

void ProgressPrinter::tick(std::size_t findings) {
  const double now = clock_();
  if (done_++ == 0) first_ = now;
  findings_ = findings;
  if (finished_) return;
  if (now - last_print_ >= (tty_ ? kTtyInterval : kLogInterval)) print(now, false);
}

void ProgressPrinter::finish() {
  if (finished_) return;
  finished_ = true;
  // A log gets a final line only when it got progress lines: short runs stay silent there.
  if (tty_ ? (done_ > 0 || line_open_) : prints_ > 0) print(clock_(), true);
}

std::string ProgressPrinter::line(double now) const {
  std::ostringstream s;
  s << "evh: " << unit_ << " " << done_;
  if (requested_ > 0) s << "/" << requested_;
  s << ", findings " << findings_;
  // The rate counts from the first case, so the time spent generating cases before it does not
  // drag it down.
  const double elapsed = now - first_;
  if (done_ > 1 && elapsed > 0) s << ", " << format_rate(static_cast<double>(done_ - 1) / elapsed) << " " << unit_ << "/s";
  return s.str();
}

void ProgressPrinter::print(double now, bool final) {
  std::string text = line(now);
  if (final) {
    char buf[48];
    std::snprintf(buf, sizeof buf, ", done in %.1f s", now - start_);
    text += buf;
  }
  if (tty_) {
    // Refresh in place: back to column 0, and blank what a longer previous line left.
    const std::size_t width = text.size();
    if (width < last_width_) text.append(last_width_ - width, ' ');
    last_width_ = width;
    out_ << '\r' << text;
    if (final) out_ << '\n';
    line_open_ = !final;
  } else {
    out_ << text << '\n';
  }
  out_ << std::flush;
  last_print_ = now;
  ++prints_;
}

}  // namespace evh::cli
