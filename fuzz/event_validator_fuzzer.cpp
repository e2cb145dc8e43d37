// Fuzz target: event validation (generators/event_validator.h), what `evh validate` and the
// conformance checks run on any event a user hands in. The first byte picks the source (catalog
// order), the rest is the event's JSON text: validate_event() plain and strict (payload contract
// and the source's consistency check), then the same bytes as a case (Case::from_json, the
// --with-meta line) and the response contract's view of the batch (record ids).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz/fuzz_common.h"
#include "generators/case.h"
#include "generators/event_validator.h"
#include "generators/payload.h"
#include "harness/contract.h"

namespace {
constexpr std::string_view kCheckThrew = "consistency check could not read the event";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const evh::Source& source = evh::fuzz::source_at(data[0]);
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto parsed = evh::parse_json(text, "event.json");  // as `evh validate` reads a file
  if (!parsed) {
    evh::fuzz::expect(parsed.error().message.rfind("event.json:", 0) == 0, "a file that is not JSON is named with line and column");
    return 0;
  }
  const evh::Json& event = *parsed;

  auto plain = evh::validate_event(source, event);
  for (const auto& p : plain) (void)evh::to_string(p);
  (void)evh::is_valid(plain, /*strict=*/false);

  evh::ValidateOptions strict;
  strict.payload = &evh::PayloadContract::builtin();
  strict.consistency = true;
  strict.event_bytes = text.size();
  auto problems = evh::validate_event(source, event, strict);
  for (const auto& p : problems) {
    // validate_event() reports a consistency check that threw instead of failing: for the
    // fuzzer it is the bug itself (hooks must read any JSON without throwing, generators/source.h).
    if (p.message.rfind(kCheckThrew, 0) == 0) {
      std::fprintf(stderr, "fuzz: %s: %s\n", source.id.c_str(), p.message.c_str());
      evh::fuzz::expect(false, "a source's consistency check reads any JSON without throwing");
    }
    (void)evh::to_string(p);
  }
  (void)evh::is_valid(problems, /*strict=*/true);

  for (const auto& pointer : evh::record_pointers(source, event)) {
    const evh::Json* rec = evh::find_at(event, pointer);
    if (rec == nullptr) continue;
    std::string why;
    (void)evh::record_payloads(source, *rec, &why);
  }
  (void)evh::harness::batch_item_ids(source, event);

  auto kase = evh::Case::from_json(event, "fuzz.jsonl:1");
  if (kase) {
    (void)kase->chain();
    (void)evh::fuzz::report_dump(kase->to_json());
  }
  return 0;
}
