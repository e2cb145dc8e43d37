// Command runner for e2e tests: stdin from a file, stdout/stderr to files, `timeout` bounds it.
#include "tests/util/run_command.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "generators/json.h"

namespace evh::testing {

std::string temp_dir() {
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("evh-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  return dir.string();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::string evh_binary() { return std::string("'") + EVH_BINARY + "'"; }

CommandResult run_command(const std::string& command, const std::string& input, int timeout_s) {
  std::string dir = temp_dir();
  write_file(dir + "/in", input);
  std::string full = "timeout " + std::to_string(timeout_s) + " sh -c " + "'" + [&] {
    std::string escaped;
    for (char c : command) escaped += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return escaped;
  }() + "' <" + dir + "/in >" + dir + "/out 2>" + dir + "/err";
  int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(dir + "/out").value();
  r.err = read_file(dir + "/err").value();
  std::filesystem::remove_all(dir);
  return r;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

void expect_one_clear_line(const CommandResult& r, int code, const std::string& must_contain) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("evh: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(must_contain), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("terminate"), std::string::npos) << r.err;
}

}  // namespace evh::testing
