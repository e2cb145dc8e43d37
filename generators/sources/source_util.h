// Small helpers for source hooks: reading and writing record fields defensively (hooks also
// run on mutated events and must never throw).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "generators/codec.h"
#include "generators/format.h"
#include "generators/json.h"
#include "generators/source.h"
#include "generators/validate.h"

namespace evh::sources {

/// The string at `key` of an object, or "" when absent or not a string.
inline std::string str(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(std::string(key));
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// The array at `pointer`, or nullptr.
inline Json* array_at(Json& event, std::string_view pointer) {
  Json* a = find_at(event, pointer);
  return a && a->is_array() ? a : nullptr;
}
inline const Json* array_at(const Json& event, std::string_view pointer) {
  const Json* a = find_at(event, pointer);
  return a && a->is_array() ? a : nullptr;
}

/// Appends a consistency problem.
inline void report(std::vector<Problem>& out, std::string pointer, std::string message) {
  out.push_back({std::move(pointer), std::move(message), Severity::kConsistency});
}

/// Field `index` of an ARN, ':'-separated and 0-based (3 = region, 4 = account); "" when absent.
inline std::string arn_field(std::string_view arn, std::size_t index) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < index; ++i) {
    start = arn.find(':', start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  std::size_t end = arn.find(':', start);
  return std::string(arn.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
}

/// Compares decimal digit strings numerically (sequence numbers exceed 64 bits).
inline int compare_decimal(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a[0] == '0') a.remove_prefix(1);
  while (b.size() > 1 && b[0] == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

}  // namespace evh::sources
