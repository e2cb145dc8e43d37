// FilterCriteria: the event filtering an event source mapping applies before a record joins a
// batch (SEMANTICS.md §5, recorded behaviour §8.5). Patterns use the EventBridge content-filtering
// syntax, restricted to the operators Lambda ESMs accept. Filters are OR'ed; a record matching
// none is discarded by the caller (SQS: deleted; streams/Kafka: skipped past).
//
//   auto fc = FilterCriteria::parse(esm["FilterCriteria"]);          // refuses what AWS refuses
//   if (fc->matches(filter_view(record, DataKey::kBody))) { ... }   // keep the record
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "generators/error.h"
#include "generators/json.h"

namespace evh::harness {

/// How a source presents its payload to the filter (SEMANTICS.md §5 "Data key per source").
enum class DataKey {
  kBody,      ///< SQS: `body` parsed when it is a JSON object/array, else stays the raw string
  kData,      ///< Kinesis, Amazon MQ: `data` base64-decoded, then parsed when JSON (§8.5)
  kDynamodb,  ///< DynamoDB: record as is; typed values ({"N":"101"} stays a string) (§8.5)
  kValueKey,  ///< Kafka: `value` and `key` base64-decoded, then parsed when JSON
  kNone,      ///< record as is (tests, sources without a data key)
};

/// One filter: the parsed pattern and the text it came from (as the ESM echoes it back).
struct FilterPattern {
  Json pattern;
  std::string text;
};

/// Limits and switches for parse(). Defaults are AWS's (SEMANTICS.md §5).
struct FilterLimits {
  std::size_t max_filters = 5;  ///< quota, raisable to 10 (§5)
  /// `anything-but` with `prefix`/`suffix`/`equals-ignore-case` inside: EventBridge Pipes says
  /// unsupported, ESM support is not confirmed (§5 table, §9); accepted unless set false.
  bool nested_anything_but = true;
};

class FilterCriteria {
 public:
  /// From an ESM's `{"Filters":[{"Pattern":"<json text>"}]}` (`{}` or null = no filtering).
  /// Refuses with ErrorCode::kConfig and a one-line message naming the filter index what AWS
  /// refuses: too many filters, a Pattern over 4096 chars, an invalid pattern ("Invalid filter
  /// pattern definition.", §8.5), an operator Lambda does not support (named: wildcard, cidr, …).
  static Result<FilterCriteria> parse(const Json& filter_criteria, const FilterLimits& limits = {});
  static Result<FilterCriteria> parse(const Json& filter_criteria, std::size_t max_filters) {
    FilterLimits l;
    l.max_filters = max_filters;
    return parse(filter_criteria, l);
  }

  /// No filters: every record passes.
  bool empty() const { return filters_.empty(); }
  const std::vector<FilterPattern>& filters() const { return filters_; }

  /// True when `view` (see filter_view) matches at least one filter, or there are no filters.
  bool matches(const Json& view) const;
  /// matches(filter_view(record, key)).
  bool matches_record(const Json& record, DataKey key) const;

 private:
  std::vector<FilterPattern> filters_;
};

/// The record as the ESM shows it to the filter: the source's data key decoded per §5/§8.5.
/// A Kinesis event record (with a `kinesis` object) is filtered on that object's fields, as the
/// ESM filters the stream record before wrapping it. A payload that is not base64 or not UTF-8
/// is removed from the view, so only metadata can match (Kafka/MQ rule, §5).
Json filter_view(const Json& record, DataKey key);

/// True when one pattern (already validated by parse) matches `view`.
bool pattern_matches(const Json& pattern, const Json& view);

}  // namespace evh::harness
