// Subprocess: a child process in its own process group, with pipes, bounded reads and a kill
// that takes the whole group down. Used by the exec, exec-persistent and runtime-api targets.
// Every wait is bounded by a deadline; nothing here blocks forever.
//
// Whatever call is waiting (write_stdin, read_line, read_all, wait) drains both output pipes
// into buffers, so a chatty child never blocks on a full pipe while evh waits for something
// else. Writes to stdin block SIGPIPE in the calling thread only for the duration of the write
// (a pending SIGPIPE from a closed pipe is consumed): evh's signal dispositions never change.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "generators/error.h"

namespace evh::harness::internal {

using Deadline = std::chrono::steady_clock::time_point;

class Subprocess {
 public:
  struct Options {
    std::string command;                     ///< run as /bin/sh -c COMMAND
    std::map<std::string, std::string> env;  ///< added to (and overriding) evh's environment
    bool pipe_stdin = true;                  ///< false: the child reads /dev/null
    bool pipe_stdout = true;                 ///< false: the child's stdout goes to evh's stderr
                                             ///< (child output never mixes with evh's own stdout)
    bool pipe_stderr = true;                 ///< false: the child inherits evh's stderr
  };

  struct Exit {
    bool exited = false;      ///< the process has ended (and was reaped)
    int code = -1;            ///< exit status when it exited normally
    int signal = 0;           ///< the signal that ended it, 0 if none
    std::string describe() const;  ///< "exit status 1", "signal 11 (Segmentation fault)"
  };

  Subprocess() = default;
  Subprocess(Subprocess&&) noexcept;
  Subprocess& operator=(Subprocess&&) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();  ///< kills and reaps the group if still running

  /// Starts the child. Fails (kInternal) only when fork/pipe fail; a command that does not
  /// exist still starts (the shell exits 127), as Lambda would see it.
  static Result<Subprocess> spawn(const Options& options);

  int pid() const { return pid_; }
  bool running();

  /// Writes all of `data` to stdin (false on EPIPE or deadline).
  bool write_stdin(std::string_view data, Deadline deadline);
  void close_stdin();

  /// Reads one line from stdout (without '\n'; a trailing '\r' is kept); nullopt on EOF or
  /// deadline (see `timed_out`). Only complete lines are returned: an unterminated tail at EOF
  /// stays buffered for read_all.
  std::optional<std::string> read_line(Deadline deadline, bool* timed_out = nullptr);
  /// Reads stdout and stderr until both reach EOF or the deadline, and appends what was read
  /// (including what earlier calls buffered) to `out` and `err`. Returns false on deadline.
  /// Stdout is buffered up to 16 MiB (beyond that it is read and dropped); stderr keeps its
  /// last 64 KiB.
  bool read_all(std::string& out, std::string& err, Deadline deadline);
  /// Takes the stderr collected so far (its last 64 KiB); "" when stderr is not piped.
  std::string take_stderr();

  /// Waits for the exit until the deadline; the exit is cached once seen.
  Exit wait(Deadline deadline);
  /// Non-blocking check.
  Exit poll();
  /// SIGKILL to the whole process group (also after the leader exited: its background
  /// children go too), then reaps. Idempotent.
  Exit kill();

 private:
  int pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  std::string out_buf_;   // stdout read but not yet returned
  std::string err_buf_;   // stderr tail
  bool group_killed_ = false;
  Exit exit_;
  void close_fds();
  // Waits (at most until `deadline`) for output or, when `stdin_ready` is given, for stdin to
  // accept data; reads whatever output is ready into the buffers. No-op past the deadline.
  void pump(Deadline deadline, bool* stdin_ready = nullptr);
  void read_ready(int& fd, bool is_stdout);
};

}  // namespace evh::harness::internal
