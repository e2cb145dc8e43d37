// Fuzz target: scenario files (harness/scenario.h). The whole input is the file's text, so every
// seed is a scenario as a user writes it (examples/scenarios/). parse_scenario(), then
// resolve_scenario() in each mode against the source the document names (or infers), else one the
// bytes pick; then what the modes read from a resolved scenario: the echo, the platform block and
// the FilterCriteria. The text is read with parse_json(), as load_scenario() reads a file. Errors
// are values: nothing here may throw or crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_common.h"
#include "generators/catalog.h"
#include "generators/json.h"
#include "harness/filter.h"
#include "harness/scenario.h"

namespace {

using evh::Json;
using evh::harness::Mode;

void resolve_in(const evh::harness::Scenario& parsed, const evh::Source& source, Mode mode) {
  evh::harness::Scenario sc = parsed;
  auto st = evh::harness::resolve_scenario(sc, source, mode);
  if (!st) {
    evh::fuzz::expect(!st.error().message.empty(), "a refused scenario says why");
    return;
  }
  evh::fuzz::expect(sc.source == source.id && sc.mode == mode, "a resolved scenario names its source and mode");
  (void)evh::fuzz::report_dump(sc.to_json());  // result.json echoes it
  (void)evh::harness::platform_settings(sc);
  if (auto fc = sc.event_source_mapping.find("FilterCriteria"); fc != sc.event_source_mapping.end())
    (void)evh::harness::FilterCriteria::parse(*fc);  // as poll mode and stream mode read it
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto doc = evh::parse_json(text, "fuzz.json");  // as load_scenario() reads the file
  if (!doc) {
    evh::fuzz::expect(doc.error().message.rfind("fuzz.json:", 0) == 0, "a file that is not JSON is named with line and column");
    return 0;
  }
  auto parsed = evh::harness::parse_scenario(*doc, "fuzz.json");
  if (!parsed) {
    evh::fuzz::expect(!parsed.error().message.empty(), "a refused scenario says why");
    return 0;
  }
  const evh::Source* source = nullptr;
  if (auto found = evh::find_source(parsed->source); found) source = *found;
  // No (known) source named: one the bytes pick, as --source would.
  if (source == nullptr) source = &evh::fuzz::source_at(static_cast<uint8_t>(size ^ (size ? data[size / 2] : 0)));
  for (Mode mode : {Mode::kSync, Mode::kAsync, Mode::kPoll}) resolve_in(*parsed, *source, mode);
  return 0;
}
