// Markdown: the result model as a compliance checklist a reviewer reads in a pull request.
#pragma once

#include <string>

#include "generators/json.h"

namespace evh::reports {

/// Renders `result` (one result object, or an array of them): a title, the verdict, the
/// statistics, then per run (source × mode) a checklist line per invariant —
/// "- ✔ `id` — held …", "- ✘ `id` — violated …", "- – `id` — not exercised …" with its counts and
/// the platform behaviour it checks — and the findings, each with its replay command.
/// Pure: no file is read.
std::string render_markdown(const Json& result);

/// The checklist mark for a verdict status: ✔ held, ✘ violated, – not exercised.
const char* status_mark(const std::string& status);

}  // namespace evh::reports
