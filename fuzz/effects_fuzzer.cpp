// Fuzz target: what a handler reports and returns, as the invariants judge it. The effects channel
// (harness/effects.h: one object, an array, {"effects": [...]} or JSON Lines) is parsed with
// parse_effects() and collected by an EffectsSink as every target does, then every invariant
// (harness/invariant.h) judges one case run whose attempts carry those effects and the response.
// Input: the first byte picks the source (catalog order); the second holds the options: bit 0
// ReportBatchItemFailures, bit 1 async, bits 2-3 the outcome (success, function error, timeout,
// crash), bit 4 a second delivery with the same effects, bits 5-6 the seed of the event (a valid
// event of the source, generated once). Then, decoded with FuzzedDataProvider, the response as a
// string and the effects text as the rest. Findings must survive the report writers.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_common.h"
#include "generators/case.h"
#include "harness/contract.h"
#include "harness/effects.h"
#include "harness/invariant.h"
#include "harness/outcome.h"

namespace {

using evh::Json;
using evh::harness::OutcomeKind;

constexpr OutcomeKind kOutcomes[] = {OutcomeKind::kSuccess, OutcomeKind::kFunctionError, OutcomeKind::kTimeout,
                                     OutcomeKind::kCrash};
constexpr const char* kRequestIds[] = {"c6af9ac6-7b61-11e6-9a41-93e812345678", "d7b0ab17-8c72-22f7-ab52-a4f923456789"};

evh::harness::Attempt attempt(int number, const evh::Source& source, const Json& event, OutcomeKind kind,
                              const std::string& response, const std::vector<Json>& effects, bool rbif) {
  evh::harness::Attempt a;
  a.number = number;
  a.request_id = kRequestIds[number - 1];
  a.at_ms = 1700000000000 + 1000 * number;
  a.invoked = true;
  a.outcome.kind = kind;
  a.outcome.payload = response;
  a.outcome.duration_ms = 10;
  // As every target tags them: the effects of this invocation, with its request id.
  evh::harness::EffectsSink sink;
  sink.set_current(a.request_id);
  for (const auto& e : effects) sink.add(e);
  a.outcome.effects = sink.take();
  if (kind == OutcomeKind::kSuccess) {
    a.verdict = evh::harness::assess_response(source, event, response, rbif);
    a.client_status = a.verdict->http_status;
  } else {
    a.outcome.function_error = "Unhandled";
    a.outcome.error_type = kind == OutcomeKind::kTimeout ? "Sandbox.Timedout" : kind == OutcomeKind::kCrash ? "Runtime.ExitError" : "Error";
    a.outcome.error_message = response;  // as a runtime reports a body that is not JSON: the bytes
    a.client_status = evh::harness::http_status_for_failure(source, a.outcome);
  }
  a.outcome.make_text_utf8();  // as invoke_once() does with every target's outcome
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const evh::Source& source = evh::fuzz::source_at(data[0]);
  const uint8_t options = data[1];
  const bool rbif = (options & 0x01) != 0;
  const bool async = (options & 0x02) != 0;
  const OutcomeKind kind = kOutcomes[(options >> 2) & 0x03];
  const bool redelivered = (options & 0x10) != 0;
  const uint64_t seed = (options >> 5) & 0x03;
  FuzzedDataProvider fdp(data + 2, size - 2);
  const std::string response = fdp.ConsumeRandomLengthString();
  const std::string text = fdp.ConsumeRemainingBytesAsString();

  auto effects = evh::harness::parse_effects(text, "effects");
  if (!effects) {
    evh::fuzz::expect(effects.error().message.rfind("effects", 0) == 0, "an effects error names the channel");
    return 0;
  }

  evh::Case kase;
  kase.source = source.id;
  kase.seed = seed;
  kase.event = evh::fuzz::sample_event(source, seed);

  evh::harness::CaseRun run;
  run.kase = &kase;
  run.attempts.push_back(attempt(1, source, kase.event, kind, response, *effects, rbif));
  if (redelivered) run.attempts.push_back(attempt(2, source, kase.event, kind, response, *effects, rbif));
  for (const auto& a : run.attempts)
    for (const auto& e : a.outcome.effects) run.effects.push_back(e);
  if (async) run.condition = kind == OutcomeKind::kSuccess ? "Success" : "RetriesExhausted";

  const std::vector<Json> trace;
  evh::harness::InvariantContext ctx{source};
  ctx.report_batch_item_failures = rbif;
  ctx.async = async;
  ctx.trace = &trace;
  std::vector<evh::harness::Finding> findings;
  std::vector<evh::harness::RunFinding> run_findings;
  const std::vector<const evh::harness::CaseRun*> runs{&run};
  for (const auto& inv : evh::harness::invariants()) {
    if (inv.check != nullptr) (void)inv.check(run, ctx, findings);
    if (inv.check_runs != nullptr) (void)inv.check_runs(runs, ctx, run_findings);
  }
  for (const auto& f : findings) (void)evh::fuzz::report_dump(f.to_json());
  for (const auto& f : run_findings) (void)evh::fuzz::report_dump(f.finding.to_json());
  for (const auto& a : run.attempts) (void)evh::fuzz::report_dump(a.outcome.to_json());
  return 0;
}
