// evh::gtest: property-test your own C++ handler in GoogleTest (a satellite: the core libraries
// never link GoogleTest). EVH_CONTRACT_TEST draws events of a source with RapidCheck, delivers
// each through the harness in-process and fails with the finding and its `evh replay` line;
// check_handler() runs a whole seeded run and returns the findings for your own asserts.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>  // after gtest.h, which it uses

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "generators/case.h"
#include "generators/json.h"
#include "harness/context.h"
#include "harness/run.h"

namespace evh::gtest {

/// How a handler is checked. Designated initializers keep call sites short:
/// `{.mode = "poll", .faults = "duplicate-delivery"}` (members in this order).
struct CheckOptions {
  std::string mode;            ///< sync | async | poll; "" = how the source invokes (poll for SQS, Kinesis ...)
  std::string mutate = "any";  ///< none | legal | illegal | any: which cases besides valid ones
  std::string faults;          ///< fault plan, `evh run --faults` syntax ("" = none)
  std::string invariants;      ///< only these ids, comma-separated ("" = every invariant)
  Json scenario = Json::object();  ///< scenario keys with AWS's names (docs/scenario.md): eventSourceMapping, queue, function ...
  uint64_t cases = 50;         ///< check_handler(): generated cases (EVH_CONTRACT_TEST: one per property run)
  uint64_t seed = 1;           ///< check_handler(): the run seed, so a failing test fails the same way again
  std::string findings_dir;    ///< where finding files go; "" = $EVH_FINDINGS_DIR, else ./evh-findings
  std::string name = "handler";  ///< the function name in traces and finding files
};

/// What check_handler() found.
struct CheckResult {
  std::string error;  ///< non-empty: the check could not run (unknown source, bad option); no findings then
  std::vector<harness::FindingRecord> findings;  ///< each with its case (seed, mutations, event)
  std::vector<std::string> files;                ///< the finding file of each finding ("" when not written)
  uint64_t cases_run = 0;

  /// True when it ran and nothing was found.
  bool ok() const { return error.empty() && findings.empty(); }
  /// The invariant ids of the findings, in order (repeats kept).
  std::vector<std::string> invariants() const;
  /// One paragraph per finding: invariant, message, mutation chain and the replay line; or the error.
  std::string describe() const;
};

/// Runs `options.cases` seeded cases of `source` through the harness against `handler`
/// (in-process, on the virtual clock) and returns what the invariants found. Each finding is
/// also written as a finding file that `evh replay FILE --target ...` reads.
CheckResult check_handler(const std::string& source, const harness::Handler& handler, const CheckOptions& options = {});

/// For EVH_CONTRACT_TEST's optional last argument: `options()` or `options({.mode = "sync"})`.
inline CheckOptions options() { return {}; }
inline CheckOptions options(CheckOptions o) { return o; }

/// Any callable taking (const Json&, Context&) or just (const Json&) as a Handler.
template <typename F>
harness::Handler to_handler(F&& f) {
  if constexpr (std::is_invocable_v<F&, const Json&, harness::Context&>) {
    return harness::Handler(std::forward<F>(f));
  } else {
    static_assert(std::is_invocable_v<F&, const Json&>, "a handler takes (const evh::Json&, evh::harness::Context&) or (const evh::Json&)");
    return [g = std::forward<F>(f)](const Json& event, harness::Context&) -> Json { return g(event); };
  }
}

namespace internal {

/// The body of EVH_CONTRACT_TEST: draws one case of `source` (valid, or mutated per
/// options.mutate), delivers it alone through harness::run, and fails the property with each
/// finding's message and replay line (RC_FAIL). An unknown source or option fails too.
void check_one_generated(const std::string& source, const harness::Handler& handler, const CheckOptions& options);

}  // namespace internal

}  // namespace evh::gtest

/// A RapidCheck property in GoogleTest (RC_GTEST_PROP) that the handler keeps every invariant
/// of the source's contract for generated events:
///   EVH_CONTRACT_TEST(Orders, KeepsTheSqsContract, "sqs", handle_orders);
///   EVH_CONTRACT_TEST(Orders, SurvivesDuplicates, "sqs", handle_orders, {.faults = "duplicate-delivery"});
#define EVH_CONTRACT_TEST(Suite, Name, source, handler, ...)                                                  \
  RC_GTEST_PROP(Suite, Name, ()) {                                                                            \
    ::evh::gtest::internal::check_one_generated(source, ::evh::gtest::to_handler(handler),                     \
                                                ::evh::gtest::options(__VA_ARGS__));                           \
  }
