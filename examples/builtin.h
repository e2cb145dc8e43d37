// The example handlers that ship with evh, as one table (STYLE.md §7.4): `--target builtin:NAME`.
// Each exists twice, with the same behaviour: here in C++ (in-process) and in
// examples/node/handlers.js (for the HTTP, Runtime API and subprocess targets), so that one
// seed gives the same verdicts through every target kind.
#pragma once

#include <string>
#include <vector>

#include "harness/context.h"

namespace evh::examples {

struct BuiltinHandler {
  const char* name;
  const char* summary;  ///< what it does, and for the buggy ones, the bug
  bool buggy;           ///< deliberately wrong: evh must report it
  harness::Handler handler;
};

const std::vector<BuiltinHandler>& builtin_handlers();
/// nullptr when no handler has that name.
const harness::Handler* find_builtin(const std::string& name);

}  // namespace evh::examples
