// The live progress line of `evh run` (cli/progress.h), driven by a fake clock: refreshed in place
// at most ~10 times a second on a terminal, sparse plain lines in logs, and a final line.
#include "cli/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

namespace evh::cli {
namespace {

struct FakeClock {
  double now = 100.0;
  ProgressPrinter::Clock fn() {
    return [this] { return now; };
  }
};

std::size_t count(const std::string& s, char c) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), c)); }

TEST(ProgressPrinter, TerminalRefreshesInPlaceAtMostTenTimesASecond) {
  std::ostringstream out;
  FakeClock clock;
  ProgressPrinter p(out, /*tty=*/true, 1000, "cases", clock.fn());
  // 1000 cases over 1 s, one every millisecond: about 10 refreshes, never 1000.
  for (int i = 0; i < 1000; ++i) {
    clock.now += 0.001;
    p.tick(i / 100);
  }
  EXPECT_GE(p.prints(), 9u);
  EXPECT_LE(p.prints(), 11u);
  EXPECT_EQ(count(out.str(), '\r'), p.prints());
  EXPECT_EQ(count(out.str(), '\n'), 0u) << "refreshes stay on one line";
  p.finish();
  const std::string text = out.str();
  EXPECT_EQ(count(text, '\n'), 1u);
  // The final line: everything ran, the findings, the rate, and a newline.
  const std::string last = text.substr(text.rfind('\r') + 1);
  EXPECT_EQ(last.rfind("evh: cases 1000/1000, findings 9, 1000 cases/s, done in 1.0 s", 0), 0u) << last;
  EXPECT_EQ(last.back(), '\n');
}

TEST(ProgressPrinter, TerminalBlanksWhatALongerLineLeft) {
  std::ostringstream out;
  FakeClock clock;
  ProgressPrinter p(out, true, 0, "batches", clock.fn());
  clock.now += 0.5;
  p.tick(0);  // "evh: batches 1, findings 0" (no rate from one batch)
  for (int i = 0; i < 99999; ++i) p.tick(0);
  clock.now += 0.2;
  p.tick(0);  // "evh: batches 100001, findings 0, 500000 batches/s"
  clock.now += 1000000;
  p.tick(0);  // "evh: batches 100002, findings 0, 0.1 batches/s": shorter, padded with blanks
  ASSERT_EQ(p.prints(), 3u);
  const std::string text = out.str();
  const auto third = text.rfind('\r');
  const auto second = text.rfind('\r', third - 1);
  EXPECT_EQ(text.substr(second + 1, third - second - 1), "evh: batches 100001, findings 0, 500000 batches/s");
  EXPECT_EQ(text.substr(third + 1), "evh: batches 100002, findings 0, 0.1 batches/s   ");
}

TEST(ProgressPrinter, LogGetsNothingForAShortRun) {
  std::ostringstream out;
  FakeClock clock;
  ProgressPrinter p(out, /*tty=*/false, 100, "cases", clock.fn());
  for (int i = 0; i < 100; ++i) {
    clock.now += 0.01;  // a 1-second run
    p.tick(0);
  }
  p.finish();
  EXPECT_EQ(out.str(), "");
}

TEST(ProgressPrinter, LogGetsPlainLinesEveryFewSecondsAndAFinalLine) {
  std::ostringstream out;
  FakeClock clock;
  {
    ProgressPrinter p(out, /*tty=*/false, 160, "cases", clock.fn());
    for (int i = 0; i < 160; ++i) {
      clock.now += 0.125;  // a 20-second run (exact in binary): a line every 5 s
      p.tick(1);
    }
    p.finish();
    p.finish();  // idempotent
  }
  const std::string text = out.str();
  EXPECT_EQ(text.find('\r'), std::string::npos) << "no carriage returns in logs";
  EXPECT_EQ(count(text, '\n'), 5u) << text;  // at 5, 10, 15, 20 s, then the final line
  EXPECT_NE(text.find("evh: cases 40/160, findings 1, 8.0 cases/s\n"), std::string::npos) << text;
  EXPECT_NE(text.find("evh: cases 160/160, findings 1, 8.0 cases/s, done in 20.0 s\n"), std::string::npos) << text;
}

TEST(ProgressPrinter, UnfinishedTerminalLineIsEndedOnDestruction) {
  std::ostringstream out;
  FakeClock clock;
  {
    ProgressPrinter p(out, true, 10, "cases", clock.fn());
    clock.now += 1;
    p.tick(0);
  }
  EXPECT_EQ(out.str().back(), '\n') << "an error printed next starts on its own line";
}

}  // namespace
}  // namespace evh::cli
