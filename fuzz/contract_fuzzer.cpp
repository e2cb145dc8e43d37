// Fuzz target: response contracts (harness/contract.h), how the platform reads what a function
// returned. The first byte picks the source (catalog order); the second holds the options: bit 0
// ReportBatchItemFailures, bits 1-2 the seed of the event the response answers (a valid event of
// the source, generated once), bits 3-5 the contract (0 = the source's own, n = its variant n,
// when it has one), bits 6-7 how a failure reads (function error, timeout, crash, no answer).
// The rest is the response bytes. A verdict must be consistent (ok = no problems) and its JSON
// must survive the report writers; a failure outcome carrying the same bytes must get a status.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz/fuzz_common.h"
#include "harness/contract.h"

namespace {

using evh::harness::OutcomeKind;

constexpr OutcomeKind kFailures[] = {OutcomeKind::kFunctionError, OutcomeKind::kTimeout, OutcomeKind::kCrash,
                                     OutcomeKind::kNoAnswer};

// assess_response() turns an exception into this problem rather than throwing at the mode: for
// the fuzzer it is the bug itself (a reader that does not read defensively).
constexpr std::string_view kInternalError = "evh internal error";

void check(const evh::harness::ContractVerdict& v) {
  evh::fuzz::expect(v.ok == v.problems.empty(), "a verdict is ok exactly when it has no problem");
  for (const auto& p : v.problems) {
    evh::fuzz::expect(!p.message.empty(), "a contract problem says what is wrong");
    if (p.message.rfind(kInternalError, 0) == 0) {
      std::fprintf(stderr, "fuzz: %s\n", p.message.c_str());
      evh::fuzz::expect(false, "assessing a response never throws inside evh");
    }
  }
  evh::fuzz::expect(v.http_status == 0 || (v.http_status >= 100 && v.http_status <= 599), "a client status is an HTTP status");
  // What the trace and the finding files carry of a verdict.
  evh::Json problems = evh::Json::array();
  for (const auto& p : v.problems) problems.push_back({{"pointer", p.pointer}, {"message", p.message}});
  (void)evh::fuzz::report_dump(evh::Json{{"problems", problems}, {"reading", v.reading}, {"effective", v.effective}});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const evh::Source& source = evh::fuzz::source_at(data[0]);
  const uint8_t options = data[1];
  const bool rbif = (options & 0x01) != 0;
  const uint64_t seed = (options >> 1) & 0x03;
  const unsigned variant = (options >> 3) & 0x07;
  const OutcomeKind failure = kFailures[(options >> 6) & 0x03];
  const std::string response(reinterpret_cast<const char*>(data + 2), size - 2);
  const evh::Json& event = evh::fuzz::sample_event(source, seed);

  check(evh::harness::assess_response(source, event, response, rbif));
  if (variant > 0) {
    auto variants = evh::harness::response_variants(source);
    if (variants && variant <= variants->size())
      check(evh::harness::assess_response(source, (*variants)[variant - 1].contract, event, response, rbif));
  }

  evh::harness::Outcome o;
  o.kind = failure;
  o.status = failure == OutcomeKind::kNoAnswer ? 0 : 200;
  o.payload = response;
  const int status = evh::harness::http_status_for_failure(source, o);
  evh::fuzz::expect(status == 0 || (status >= 100 && status <= 599), "a failure's client status is an HTTP status");
  return 0;
}
