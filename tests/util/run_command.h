// Runs a command through the shell with optional standard input, capturing its output and exit
// code: e2e tests drive the real `evh` binary the way a user does.
#pragma once

#include <string>

namespace evh::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `command` with `input` on stdin. Bounded: the command gets `timeout_s` seconds.
CommandResult run_command(const std::string& command, const std::string& input = "", int timeout_s = 120);

/// `EVH_BINARY` quoted, ready to prefix arguments.
std::string evh_binary();

/// A fresh temporary directory for one test (removed at exit).
std::string temp_dir();

/// Writes `content` to `path`.
void write_file(const std::string& path, const std::string& content);

}  // namespace evh::testing
