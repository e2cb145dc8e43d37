// JUnit XML: the result model as test suites CI servers display (one <testsuite> per source ×
// mode, one <testcase> per invariant id).
#pragma once

#include <string>

#include "generators/json.h"

namespace evh::reports {

/// Renders `result` (one result object, or an array of them) as a JUnit XML document:
/// `<testsuites>` with one `<testsuite name="sqs poll">` per run and one
/// `<testcase classname="sqs.poll" name="<invariant id>">` per invariant verdict. A violated
/// invariant holds a `<failure>` listing its findings (message, case, mutations, replay command);
/// one that was not exercised holds `<skipped/>`. The counts (tests, failures, skipped) are those
/// of the result's verdicts; a run that gave up is reported in the suite's properties and
/// system-err, never as a pass. Pure: no file is read.
std::string render_junit(const Json& result);

}  // namespace evh::reports
