// Fuzz target: finding files (harness/finding_file.h), the one document `evh replay` reads. The
// whole input is the file's text; seeds are finding files real runs wrote. A file that parses
// gives a replay configuration, and the replay runs as `evh replay` runs it (against an in-process
// handler that answers null, so what is exercised is evh delivering the file's case in the file's
// mode and scenario); its result and finding files must survive the report writers.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_common.h"
#include "harness/context.h"
#include "harness/finding_file.h"
#include "harness/run.h"
#include "harness/target.h"

namespace {

evh::Json answer_null(const evh::Json&, evh::harness::Context&) { return nullptr; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto f = evh::harness::parse_finding(text, "findings/fuzz.json");
  if (!f) {
    evh::fuzz::expect(f.error().message.rfind("findings/fuzz.json", 0) == 0, "a finding-file error starts with the path");
    return 0;
  }
  evh::fuzz::expect(f->source != nullptr && f->invariant != nullptr, "a parsed finding names its source and invariant");
  const evh::harness::RunConfig config = evh::harness::replay_config(*f, "builtin:fuzz");
  evh::fuzz::expect(config.input.size() == 1, "replay delivers exactly the finding's case");

  evh::harness::EffectsSink sink;
  evh::harness::TargetOptions options;
  options.function = config.scenario.function;
  options.effects = &sink;
  auto target = evh::harness::make_in_process_target(answer_null, "builtin:fuzz", options);
  auto result = evh::harness::run(config, *target, sink);
  if (!result) return 0;  // e.g. a mode the source cannot use: an error, as evh replay reports it
  (void)evh::fuzz::report_dump(result->to_json());
  for (const auto& finding : result->findings)
    (void)evh::fuzz::report_dump(evh::harness::finding_document(finding, *result, config));
  return 0;
}
