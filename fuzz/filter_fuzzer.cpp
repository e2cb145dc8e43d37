// Fuzz target: event filtering (harness/filter.h), the EventBridge-syntax patterns of an event
// source mapping's FilterCriteria. Input, decoded with FuzzedDataProvider: the last byte holds the
// options (data key, nested anything-but allowed, 5 or 10 filters); then the pattern texts, one
// per line, as a FuzzedDataProvider string (a backslash and another character end it, "\\" is a
// backslash); the rest is the record (JSON; other bytes are an SQS body). Each pattern is also
// given as the object itself, as a scenario file may. A criteria that parses is matched against
// the record's filter view for every data key, and must agree with pattern_matches().
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_common.h"
#include "generators/json.h"
#include "harness/filter.h"

namespace {

using evh::Json;
using evh::harness::DataKey;
using evh::harness::FilterCriteria;

constexpr DataKey kKeys[] = {DataKey::kBody, DataKey::kData, DataKey::kDynamodb, DataKey::kValueKey, DataKey::kNone};

void match_all(const FilterCriteria& fc, const Json& record) {
  for (DataKey key : kKeys) {
    const Json view = evh::harness::filter_view(record, key);
    bool any = false;
    for (const auto& f : fc.filters()) any = evh::harness::pattern_matches(f.pattern, view) || any;
    evh::fuzz::expect(fc.matches(view) == (fc.empty() || any), "FilterCriteria::matches ORs its filters");
    evh::fuzz::expect(fc.matches_record(record, key) == fc.matches(view), "matches_record matches the filter view");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  const uint8_t options = fdp.ConsumeIntegral<uint8_t>();
  const std::string patterns = fdp.ConsumeRandomLengthString();
  const std::string rest = fdp.ConsumeRemainingBytesAsString();

  evh::harness::FilterLimits limits;
  limits.nested_anything_but = (options & 0x01) == 0;
  limits.max_filters = (options & 0x02) ? 10 : 5;
  const bool as_objects = (options & 0x04) != 0;

  Json filters = Json::array();
  std::size_t pos = 0;
  while (pos <= patterns.size()) {
    auto nl = patterns.find('\n', pos);
    std::string line = patterns.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    Json pattern = line;
    if (as_objects) {  // {"Pattern": {...}}: the object itself (serialised by parse())
      Json parsed = Json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (!parsed.is_discarded()) pattern = std::move(parsed);
    }
    filters.push_back(Json{{"Pattern", std::move(pattern)}});
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  Json record = Json::parse(rest, nullptr, /*allow_exceptions=*/false);
  if (record.is_discarded()) {
    // Not JSON: an SQS message whose body is the bytes, as text (invalid UTF-8 replaced).
    record = Json{{"body", Json::parse(Json(rest).dump(-1, ' ', false, Json::error_handler_t::replace))}};
  }

  auto fc = FilterCriteria::parse(Json{{"Filters", filters}}, limits);
  if (!fc) {
    evh::fuzz::expect(!fc.error().message.empty(), "a refused pattern says why");
    return 0;
  }
  match_all(*fc, record);
  // The canonical Filters text, as the ESM echoes it, parses the same way again.
  Json echoed = Json::array();
  for (const auto& f : fc->filters()) echoed.push_back(Json{{"Pattern", f.text}});
  auto again = FilterCriteria::parse(Json{{"Filters", echoed}}, limits);
  evh::fuzz::expect(again.ok(), "an accepted pattern's text is accepted again");
  return 0;
}
