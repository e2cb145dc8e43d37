// Command runner for e2e tests: stdin from a file, stdout/stderr to files, `timeout` bounds it.
#include "tests/util/run_command.h"

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

}  // namespace evh::testing
