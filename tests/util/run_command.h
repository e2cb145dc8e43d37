// Runs a command through the shell with optional standard input, capturing its output and exit
// code: e2e tests drive the real `evh` binary the way a user does.
#pragma once

#include <cstddef>
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

/// The whole file at `path` ("" when it cannot be read).
std::string read_text(const std::string& path);

/// Newlines in `s`.
std::size_t count_lines(const std::string& s);

/// Bad input gets exactly one line on stderr, "evh: ...", naming the problem, and `code`.
void expect_one_clear_line(const CommandResult& r, int code, const std::string& must_contain);

}  // namespace evh::testing
