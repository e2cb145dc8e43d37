// `evh run`'s live progress as logs and terminals meet it: stderr redirected to a file gets no
// carriage return (no garbage in CI logs); a pseudo-terminal gets the line refreshed in place.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "tests/util/run_command.h"

namespace evh {
namespace {

using testing::evh_binary;
using testing::read_text;
using testing::run_command;
using testing::temp_dir;

TEST(RunProgress, StderrRedirectedToAFileHasNoCarriageReturns) {
  const std::string dir = temp_dir();
  const std::string err = dir + "/stderr.txt";
  auto r = run_command(evh_binary() + " run --source apigw-http --mode sync --target builtin:apigw-echo --cases 200 --seed 5 --report-dir " +
                       dir + "/report 2>" + err);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const std::string text = read_text(err);
  EXPECT_EQ(text.rfind("evh: seed=5 ", 0), 0u) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  EXPECT_EQ(text.find("\x1b"), std::string::npos) << text;
}

TEST(RunProgress, TerminalGetsTheLineRefreshedInPlace) {
  if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "script(1) (util-linux) is not installed";
  const std::string dir = temp_dir();
  // script(1) runs evh on a pseudo-terminal; stdout (the summary) goes to a file.
  const std::string cmd = evh_binary() + " run --source apigw-http --mode sync --target builtin:apigw-echo --cases 50 --seed 5 --report-dir " +
                          dir + "/report >" + dir + "/out.txt";
  auto r = run_command("script -qec \"" + cmd + "\" /dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  // The final line, after a carriage return, with everything counted.
  EXPECT_NE(r.out.find("\revh: cases 50/50, findings 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("done in "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace evh
