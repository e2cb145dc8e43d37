// Factories of the out-of-process target kinds; make_target (target.cpp) dispatches to them.
#pragma once

#include <memory>
#include <string>

#include "generators/error.h"
#include "harness/target.h"

namespace evh::harness::internal {

/// http://HOST:PORT[/path]: the Invoke API (Lambda and RIE dialects, SEMANTICS.md §1, §8).
Result<std::unique_ptr<Target>> make_http_target(const std::string& url, const TargetOptions& options);
/// runtime-api:CMD: evh serves the Runtime API 2018-06-01 and starts CMD (SEMANTICS.md §8).
Result<std::unique_ptr<Target>> make_runtime_api_target(const std::string& command, const TargetOptions& options);
/// exec:CMD: one process per invocation; event on stdin, result on stdout (docs/exec-protocol.md).
Result<std::unique_ptr<Target>> make_exec_target(const std::string& command, const TargetOptions& options);
/// exec-persistent:CMD: one process, newline-delimited JSON (docs/exec-protocol.md).
Result<std::unique_ptr<Target>> make_exec_persistent_target(const std::string& command, const TargetOptions& options);

}  // namespace evh::harness::internal
