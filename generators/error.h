// Errors a user can cause, as values: every API boundary returns Result<T>.
#pragma once

#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <variant>

namespace evh {

/// What went wrong, coarse enough to pick an exit code (STYLE.md §7.10).
enum class ErrorCode {
  kUsage,        ///< bad flag, unknown id, bad value: exit 2
  kConfig,       ///< a file the user gave is malformed: exit 2
  kIo,           ///< a file could not be read or written: exit 2
  kUnreachable,  ///< the target cannot be reached at start: exit 3
  kInternal,     ///< evh itself failed: exit 3
};

const char* to_string(ErrorCode code);

/// Exit code for an error (0 pass, 1 findings, 2 usage/config, 3 unreachable/internal).
int exit_code_for(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  ///< one line, meant for the user
};

/// A value or an Error. [[nodiscard]] so that no failure is dropped silently.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/// Result for operations with no value.
struct Ok {};
using Status = Result<Ok>;

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

namespace internal {
/// Streams a message and aborts with file:line: for evh's own invariants, never user input.
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* cond) {
    os_ << file << ":" << line << ": EVH_CHECK failed: " << cond << " ";
  }
  [[noreturn]] ~CheckFailure() {
    std::cerr << os_.str() << std::endl;
    std::abort();
  }
  template <typename T>
  CheckFailure& operator<<(const T& v) {
    os_ << v;
    return *this;
  }

 private:
  std::ostringstream os_;
};
}  // namespace internal

}  // namespace evh

/// Programmer mistakes only: EVH_CHECK(i < n) << "index " << i;
#define EVH_CHECK(cond) \
  if (cond) {           \
  } else                \
    ::evh::internal::CheckFailure(__FILE__, __LINE__, #cond)
