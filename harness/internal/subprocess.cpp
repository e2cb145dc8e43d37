// Subprocess: fork/execve of /bin/sh -c COMMAND in its own process group, with non-blocking
// O_CLOEXEC pipes driven by poll(). See subprocess.h for the guarantees.
#include "harness/internal/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>
#include <vector>

extern char** environ;  // NOLINT: POSIX

namespace evh::harness::internal {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr const char* kShell = "/bin/sh";
// The shell's "command not found" status; also what the child reports when execve fails.
constexpr int kExecFailedStatus = 127;
constexpr std::size_t kReadChunk = 64 * 1024;
// Stdout is the function's answer: keep more than the 6,291,556-byte response cap
// (SEMANTICS.md §1) so that an oversized answer is seen as oversized, and no more.
constexpr std::size_t kMaxStdoutBytes = 16 * 1024 * 1024;
// Stderr is diagnostics: its tail is what explains a crash.
constexpr std::size_t kMaxStderrBytes = 64 * 1024;
// Longest single sleep while waiting for an exit with nothing to read.
constexpr milliseconds kMaxWaitStep{20};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Moves a descriptor above 0..2 so that the child's dup2 onto 0..2 never clobbers another
// pipe end (evh may run with a standard stream closed).
bool raise_fd(int& fd) {
  if (fd > STDERR_FILENO) return true;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  if (moved < 0) return false;
  ::close(fd);
  fd = moved;
  return true;
}

bool make_pipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  return raise_fd(fds[0]) && raise_fd(fds[1]);
}

void set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int poll_timeout_ms(Deadline deadline) {
  auto now = steady_clock::now();
  if (now >= deadline) return 0;
  auto ms = std::chrono::ceil<milliseconds>(deadline - now).count();
  return static_cast<int>(std::min<long long>(ms, INT_MAX));
}

// write() that cannot kill evh with SIGPIPE and leaves every signal disposition alone: SIGPIPE
// is blocked in this thread for the call, and the one the write raised (if any) is consumed.
ssize_t write_no_sigpipe(int fd, const char* data, std::size_t n) {
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  ssize_t w = ::write(fd, data, n);
  int saved = errno;
  if (w < 0 && saved == EPIPE && !was_pending) {
    timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return w;
}

void record_status(Subprocess::Exit& e, int status) {
  e.exited = true;
  if (WIFEXITED(status)) {
    e.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    e.signal = WTERMSIG(status);
  }
}

}  // namespace

std::string Subprocess::Exit::describe() const {
  if (!exited) return "running";
  if (signal != 0) {
    const char* name = ::strsignal(signal);
    return "signal " + std::to_string(signal) + (name ? " (" + std::string(name) + ")" : "");
  }
  if (code >= 0) return "exit status " + std::to_string(code);
  return "exit status unknown";
}

Subprocess::Subprocess(Subprocess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      in_(std::exchange(o.in_, -1)),
      out_(std::exchange(o.out_, -1)),
      err_(std::exchange(o.err_, -1)),
      out_buf_(std::move(o.out_buf_)),
      err_buf_(std::move(o.err_buf_)),
      group_killed_(o.group_killed_),
      exit_(std::move(o.exit_)) {}

Subprocess& Subprocess::operator=(Subprocess&& o) noexcept {
  if (this != &o) {
    if (pid_ > 0) kill();
    close_fds();
    pid_ = std::exchange(o.pid_, -1);
    in_ = std::exchange(o.in_, -1);
    out_ = std::exchange(o.out_, -1);
    err_ = std::exchange(o.err_, -1);
    out_buf_ = std::move(o.out_buf_);
    err_buf_ = std::move(o.err_buf_);
    group_killed_ = o.group_killed_;
    exit_ = std::move(o.exit_);
  }
  return *this;
}

Subprocess::~Subprocess() {
  if (pid_ > 0) kill();
  close_fds();
}

void Subprocess::close_fds() {
  close_fd(in_);
  close_fd(out_);
  close_fd(err_);
}

Result<Subprocess> Subprocess::spawn(const Options& options) {
  // Everything the child needs is built before fork: after fork in a threaded process only
  // async-signal-safe calls are allowed (no allocation).
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  for (const auto& [k, v] : options.env) env[k] = v;
  std::vector<std::string> env_strings;
  env_strings.reserve(env.size());
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string shell = kShell, dash_c = "-c", command = options.command;
  char* argv[] = {shell.data(), dash_c.data(), command.data(), nullptr};

  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  int devnull = -1;
  auto cleanup = [&] {
    for (int* fd : {&in[0], &in[1], &out[0], &out[1], &err[0], &err[1], &devnull}) close_fd(*fd);
  };
  bool ok = (!options.pipe_stdin || make_pipe(in)) && (!options.pipe_stdout || make_pipe(out)) &&
            (!options.pipe_stderr || make_pipe(err));
  if (ok && !options.pipe_stdin) {
    devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ok = devnull >= 0 && raise_fd(devnull);
  }
  if (!ok) {
    std::string why = std::strerror(errno);
    cleanup();
    return make_error(ErrorCode::kInternal, "cannot create pipes for '" + options.command + "': " + why);
  }
  // Past this many descriptors the fallback close loop in the child would take too long; the
  // pipes evh cares about are O_CLOEXEC anyway.
  const long open_max = std::min<long>(::sysconf(_SC_OPEN_MAX), 65536);

  pid_t pid = ::fork();
  if (pid < 0) {
    std::string why = std::strerror(errno);
    cleanup();
    return make_error(ErrorCode::kInternal, "cannot start '" + options.command + "': fork: " + why);
  }
  if (pid == 0) {
    // Child: its own process group, so that kill() reaches everything it starts.
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGPIPE, &dfl, nullptr);  // ignored dispositions survive execve: restore it
    ::dup2(options.pipe_stdin ? in[0] : devnull, STDIN_FILENO);
    ::dup2(options.pipe_stdout ? out[1] : STDERR_FILENO, STDOUT_FILENO);
    if (options.pipe_stderr) ::dup2(err[1], STDERR_FILENO);
    // Sockets and files evh opened without O_CLOEXEC (servers on other threads) must not leak
    // into the child: a leaked connection would never look closed to its peer.
    if (::close_range(STDERR_FILENO + 1, ~0U, 0) != 0) {
      for (long fd = STDERR_FILENO + 1; fd < open_max; ++fd) ::close(static_cast<int>(fd));
    }
    ::execve(kShell, argv, envp.data());
    ::_exit(kExecFailedStatus);
  }
  // Parent: also set the group here, so a kill() right after spawn reaches the child even if it
  // has not run yet (EACCES once it has exec'd is harmless: it did it itself).
  ::setpgid(pid, pid);
  Subprocess p;
  p.pid_ = pid;
  if (options.pipe_stdin) {
    close_fd(in[0]);
    p.in_ = std::exchange(in[1], -1);
    set_nonblocking(p.in_);
  }
  if (options.pipe_stdout) {
    close_fd(out[1]);
    p.out_ = std::exchange(out[0], -1);
    set_nonblocking(p.out_);
  }
  if (options.pipe_stderr) {
    close_fd(err[1]);
    p.err_ = std::exchange(err[0], -1);
    set_nonblocking(p.err_);
  }
  cleanup();
  return p;
}

bool Subprocess::running() { return pid_ > 0 && !poll().exited; }

void Subprocess::read_ready(int& fd, bool is_stdout) {
  char buf[kReadChunk];
  ssize_t r = ::read(fd, buf, sizeof buf);
  if (r > 0) {
    auto n = static_cast<std::size_t>(r);
    if (is_stdout) {
      if (out_buf_.size() < kMaxStdoutBytes) out_buf_.append(buf, std::min(n, kMaxStdoutBytes - out_buf_.size()));
    } else {
      err_buf_.append(buf, n);
      if (err_buf_.size() > kMaxStderrBytes) err_buf_.erase(0, err_buf_.size() - kMaxStderrBytes);
    }
  } else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    close_fd(fd);  // EOF (or a broken pipe: nothing more will come)
  }
}

void Subprocess::pump(Deadline deadline, bool* stdin_ready) {
  if (stdin_ready) *stdin_ready = false;
  pollfd fds[3];
  nfds_t n = 0;
  int in_at = -1, out_at = -1, err_at = -1;
  if (stdin_ready && in_ >= 0) {
    in_at = static_cast<int>(n);
    fds[n++] = pollfd{in_, POLLOUT, 0};
  }
  if (out_ >= 0) {
    out_at = static_cast<int>(n);
    fds[n++] = pollfd{out_, POLLIN, 0};
  }
  if (err_ >= 0) {
    err_at = static_cast<int>(n);
    fds[n++] = pollfd{err_, POLLIN, 0};
  }
  // With no descriptor this is a bounded sleep: the caller waits for an exit.
  int r = ::poll(n ? fds : nullptr, n, poll_timeout_ms(deadline));
  if (r <= 0) return;  // deadline, or EINTR: the caller's loop checks the time
  constexpr short kReadable = POLLIN | POLLHUP | POLLERR;
  if (in_at >= 0 && (fds[in_at].revents & (POLLOUT | POLLERR | POLLHUP))) *stdin_ready = true;
  if (out_at >= 0 && (fds[out_at].revents & kReadable)) read_ready(out_, true);
  if (err_at >= 0 && (fds[err_at].revents & kReadable)) read_ready(err_, false);
}

bool Subprocess::write_stdin(std::string_view data, Deadline deadline) {
  std::size_t off = 0;
  while (off < data.size()) {
    if (in_ < 0 || steady_clock::now() >= deadline) return false;
    bool ready = false;
    pump(deadline, &ready);
    if (!ready) continue;
    ssize_t w = write_no_sigpipe(in_, data.data() + off, data.size() - off);
    if (w > 0) {
      off += static_cast<std::size_t>(w);
    } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      continue;
    } else {
      close_fd(in_);  // EPIPE: the child closed its stdin (or exited)
      return false;
    }
  }
  return in_ >= 0;
}

void Subprocess::close_stdin() { close_fd(in_); }

std::optional<std::string> Subprocess::read_line(Deadline deadline, bool* timed_out) {
  if (timed_out) *timed_out = false;
  while (true) {
    auto nl = out_buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = out_buf_.substr(0, nl);
      out_buf_.erase(0, nl + 1);
      return line;
    }
    if (out_ < 0) return std::nullopt;  // EOF: an unterminated tail stays for read_all
    if (steady_clock::now() >= deadline) {
      if (timed_out) *timed_out = true;
      return std::nullopt;
    }
    pump(deadline);
  }
}

bool Subprocess::read_all(std::string& out, std::string& err, Deadline deadline) {
  bool eof = false;
  while (true) {
    if (out_ < 0 && err_ < 0) {
      eof = true;
      break;
    }
    if (steady_clock::now() >= deadline) break;
    pump(deadline);
  }
  out += out_buf_;
  err += err_buf_;
  out_buf_.clear();
  err_buf_.clear();
  return eof;
}

std::string Subprocess::take_stderr() { return std::exchange(err_buf_, std::string()); }

Subprocess::Exit Subprocess::poll() {
  if (pid_ <= 0 || exit_.exited) return exit_;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    record_status(exit_, status);
  } else if (r < 0 && errno == ECHILD) {
    exit_.exited = true;  // reaped elsewhere (SIGCHLD ignored): the status is unknown
  }
  return exit_;
}

Subprocess::Exit Subprocess::wait(Deadline deadline) {
  milliseconds step{1};
  while (true) {
    if (pid_ <= 0 || poll().exited) return exit_;
    auto now = steady_clock::now();
    if (now >= deadline) return exit_;
    // Drains output while waiting: a child blocked on a full pipe would never exit.
    pump(std::min<Deadline>(deadline, now + step));
    step = std::min(step * 2, kMaxWaitStep);
  }
}

Subprocess::Exit Subprocess::kill() {
  if (pid_ <= 0) return exit_;
  if (!group_killed_) {
    group_killed_ = true;
    if (::kill(-pid_, SIGKILL) != 0 && !exit_.exited) ::kill(pid_, SIGKILL);
  }
  if (!exit_.exited) {
    int status = 0;
    pid_t r;
    do {
      r = ::waitpid(pid_, &status, 0);  // bounded: SIGKILL cannot be caught
    } while (r < 0 && errno == EINTR);
    if (r == pid_) {
      record_status(exit_, status);
    } else {
      exit_.exited = true;
    }
  }
  return exit_;
}

}  // namespace evh::harness::internal
