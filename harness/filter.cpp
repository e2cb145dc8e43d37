#include "harness/filter.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include "generators/codec.h"

namespace evh::harness {
namespace {

// SEMANTICS.md §5: each Pattern is 0–4096 characters.
constexpr std::size_t kMaxPatternChars = 4096;
// SEMANTICS.md §8.5: the message AWS returns (400 InvalidParameterValueException) for a pattern
// that is null, a plain string, a value not in an array, an empty array or malformed JSON.
constexpr const char* kInvalidPattern = "Invalid filter pattern definition.";
constexpr const char* kOr = "$or";
constexpr const char* kPrefix = "prefix";
constexpr const char* kSuffix = "suffix";
constexpr const char* kEqualsIgnoreCase = "equals-ignore-case";
constexpr const char* kAnythingBut = "anything-but";
constexpr const char* kNumeric = "numeric";
constexpr const char* kExists = "exists";
// SEMANTICS.md §5 table / §9: EventBridge operators that Pipes (the proxy for ESM support) lists
// as unsupported (wildcard) or does not list (cidr). Refused by name rather than silently
// matching nothing, so a user knows the platform would not accept them either.
constexpr const char* kUnsupportedOperators[] = {"wildcard", "cidr"};

// ---------------------------------------------------------------------------------------------
// Validation: returns an empty string when valid, else the reason (without the index prefix).

std::string where(const std::string& path) { return path.empty() ? "the pattern" : "\"" + path + "\""; }

std::string invalid(const std::string& why) { return std::string(kInvalidPattern) + " (" + why + ")"; }

bool is_unsupported(const std::string& op) {
  return std::any_of(std::begin(kUnsupportedOperators), std::end(kUnsupportedOperators),
                     [&](const char* u) { return op == u; });
}

std::string unsupported(const std::string& op, const std::string& path) {
  return "operator \"" + op + "\" at " + where(path) +
         " is not supported by Lambda event filtering (SEMANTICS.md §5, §9)";
}

// `prefix`/`suffix` take a string or {"equals-ignore-case": string} (§5 table).
std::string check_affix(const std::string& op, const Json& v, const std::string& path) {
  if (v.is_string()) return "";
  if (v.is_object() && v.size() == 1 && v.begin().key() == kEqualsIgnoreCase && v.begin()->is_string()) return "";
  return invalid("\"" + op + "\" at " + where(path) + " needs a string");
}

std::string check_numeric(const Json& v, const std::string& path) {
  const std::string bad = invalid("\"numeric\" at " + where(path) + " needs [op, number] or a range");
  if (!v.is_array() || (v.size() != 2 && v.size() != 4)) return bad;
  for (std::size_t i = 0; i < v.size(); i += 2) {
    if (!v[i].is_string() || !v[i + 1].is_number()) return bad;
    const std::string op = v[i].get<std::string>();
    if (op != "=" && op != "<" && op != "<=" && op != ">" && op != ">=") return bad;
  }
  if (v.size() == 4) {
    // A range is a lower bound then an upper bound (EventBridge numeric matching).
    const std::string lo = v[0].get<std::string>(), hi = v[2].get<std::string>();
    if ((lo != ">" && lo != ">=") || (hi != "<" && hi != "<=")) return bad;
  }
  return "";
}

std::string check_anything_but(const Json& v, const std::string& path, const FilterLimits& limits) {
  if (v.is_string() || v.is_number()) return "";
  if (v.is_array()) {
    if (v.empty()) return invalid("\"anything-but\" at " + where(path) + " has an empty list");
    for (const auto& e : v) {
      if (!e.is_string() && !e.is_number())
        return invalid("\"anything-but\" at " + where(path) + " lists only strings or numbers");
    }
    return "";
  }
  if (v.is_object() && v.size() == 1) {
    const std::string op = v.begin().key();
    if (op == kPrefix || op == kSuffix || op == kEqualsIgnoreCase) {
      // SEMANTICS.md §5/§9: nested anything-but is "no" for Pipes, not confirmed for ESMs.
      if (!limits.nested_anything_but) return unsupported("anything-but/" + op, path);
      if (!v.begin()->is_string()) return invalid("\"anything-but\" " + op + " at " + where(path) + " needs a string");
      return "";
    }
    if (is_unsupported(op)) return unsupported("anything-but/" + op, path);
    return "unknown operator \"anything-but/" + op + "\" at " + where(path);
  }
  return invalid("\"anything-but\" at " + where(path) + " needs a value, a list or an operator");
}

std::string check_matcher(const Json& m, const std::string& path, const FilterLimits& limits) {
  if (m.is_string() || m.is_number() || m.is_boolean() || m.is_null()) return "";
  if (!m.is_object() || m.size() != 1) return invalid("a matcher at " + where(path) + " is not a value or one operator");
  const std::string op = m.begin().key();
  const Json& v = m.begin().value();
  if (op == kPrefix || op == kSuffix) return check_affix(op, v, path);
  if (op == kEqualsIgnoreCase) return v.is_string() ? "" : invalid("\"equals-ignore-case\" at " + where(path) + " needs a string");
  if (op == kAnythingBut) return check_anything_but(v, path, limits);
  if (op == kNumeric) return check_numeric(v, path);
  if (op == kExists) return v.is_boolean() ? "" : invalid("\"exists\" at " + where(path) + " needs true or false");
  if (is_unsupported(op)) return unsupported(op, path);
  return "unknown operator \"" + op + "\" at " + where(path);
}

std::string check_object(const Json& p, const std::string& path, const FilterLimits& limits) {
  if (!p.is_object()) return invalid(where(path) + " is not a JSON object");
  for (auto it = p.begin(); it != p.end(); ++it) {
    const std::string key = it.key();
    const std::string sub = path.empty() ? key : path + "." + key;
    const Json& v = it.value();
    if (key == kOr) {
      if (!v.is_array() || v.empty()) return invalid("\"$or\" at " + where(path) + " needs a list of patterns");
      for (const auto& alt : v) {
        if (auto e = check_object(alt, path, limits); !e.empty()) return e;
      }
    } else if (v.is_object()) {
      if (auto e = check_object(v, sub, limits); !e.empty()) return e;
    } else if (v.is_array()) {
      if (v.empty()) return invalid("the list at " + where(sub) + " is empty");
      for (const auto& m : v) {
        if (auto e = check_matcher(m, sub, limits); !e.empty()) return e;
      }
    } else {
      return invalid("the value at " + where(sub) + " is not in an array");
    }
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// Matching.

std::string lower(std::string_view s) {
  // ASCII folding; EventBridge folds Unicode case too (documented deviation).
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool starts_with(std::string_view s, std::string_view p, bool fold) {
  if (s.size() < p.size()) return false;
  return fold ? lower(s.substr(0, p.size())) == lower(p) : s.substr(0, p.size()) == p;
}

bool ends_with(std::string_view s, std::string_view p, bool fold) {
  if (s.size() < p.size()) return false;
  const auto tail = s.substr(s.size() - p.size());
  return fold ? lower(tail) == lower(p) : tail == p;
}

// Exact match of a pattern value against a leaf. SEMANTICS.md §5: matching is exact and
// character-wise; Lambda's docs say numbers compare as text (300 ≠ 300.0), so numbers compare
// by their serialisation. Types never cross (the string "101" is not the number 101).
bool equal_leaf(const Json& pat, const Json& leaf) {
  if (pat.is_string()) return leaf.is_string() && pat.get_ref<const std::string&>() == leaf.get_ref<const std::string&>();
  if (pat.is_number()) return leaf.is_number() && pat.dump() == leaf.dump();
  if (pat.is_boolean()) return leaf.is_boolean() && pat.get<bool>() == leaf.get<bool>();
  if (pat.is_null()) return leaf.is_null();
  return false;
}

bool affix_matches(const Json& arg, const Json& leaf, bool prefix) {
  if (!leaf.is_string()) return false;
  const std::string& s = leaf.get_ref<const std::string&>();
  const bool fold = arg.is_object();
  const std::string& p = fold ? arg.begin()->get_ref<const std::string&>() : arg.get_ref<const std::string&>();
  return prefix ? starts_with(s, p, fold) : ends_with(s, p, fold);
}

bool numeric_matches(const Json& conds, const Json& leaf) {
  // SEMANTICS.md §8.5: numeric matches JSON numbers only; DynamoDB's {"N":"101"} is a string.
  if (!leaf.is_number()) return false;
  const double x = leaf.get<double>();
  for (std::size_t i = 0; i + 1 < conds.size(); i += 2) {
    const std::string& op = conds[i].get_ref<const std::string&>();
    const double y = conds[i + 1].get<double>();
    const bool ok = op == "=" ? x == y : op == "<" ? x < y : op == "<=" ? x <= y : op == ">" ? x > y : x >= y;
    if (!ok) return false;
  }
  return true;
}

bool anything_but_matches(const Json& arg, const Json& leaf) {
  if (arg.is_object()) {
    // Nested form: the leaf must be a string that does not have the prefix/suffix/value.
    if (!leaf.is_string()) return false;
    const std::string op = arg.begin().key();
    const std::string& s = leaf.get_ref<const std::string&>();
    const std::string& p = arg.begin()->get_ref<const std::string&>();
    if (op == kPrefix) return !starts_with(s, p, false);
    if (op == kSuffix) return !ends_with(s, p, false);
    return lower(s) != lower(p);  // equals-ignore-case
  }
  if (arg.is_array()) {
    return std::none_of(arg.begin(), arg.end(), [&](const Json& v) { return equal_leaf(v, leaf); });
  }
  return !equal_leaf(arg, leaf);
}

// One matcher against one present leaf.
bool matcher_matches_leaf(const Json& m, const Json& leaf) {
  if (!m.is_object()) return equal_leaf(m, leaf);
  const std::string op = m.begin().key();
  const Json& v = m.begin().value();
  if (op == kPrefix) return affix_matches(v, leaf, true);
  if (op == kSuffix) return affix_matches(v, leaf, false);
  if (op == kEqualsIgnoreCase) return leaf.is_string() && lower(leaf.get_ref<const std::string&>()) == lower(v.get_ref<const std::string&>());
  if (op == kAnythingBut) return anything_but_matches(v, leaf);
  if (op == kNumeric) return numeric_matches(v, leaf);
  if (op == kExists) return v.get<bool>();  // a leaf is present
  return false;
}

// The leaves under a field: the value itself, or an array's non-object elements (flattened).
void collect_leaves(const Json& v, std::vector<const Json*>& out) {
  if (v.is_array()) {
    for (const auto& e : v) collect_leaves(e, out);
  } else if (!v.is_object()) {
    out.push_back(&v);
  }
}

bool object_matches(const Json& pattern, const Json* value);

// A field pattern that is a list of matchers (OR'ed) against the field's value (nullptr: absent).
bool list_matches(const Json& matchers, const Json* value) {
  std::vector<const Json*> leaves;
  if (value != nullptr) collect_leaves(*value, leaves);
  if (leaves.empty()) {
    // No leaf here: the key is absent, or its value is an object (or holds only objects).
    // Only {"exists": false} matches. SEMANTICS.md §8.5 (recorded on DynamoDB): `exists: false`
    // on a key whose value is a {"S": …} map still matches, because exists looks at leaves only;
    // likewise {"exists": true} and plain values do not match such a map (the type level is needed).
    return std::any_of(matchers.begin(), matchers.end(), [](const Json& m) {
      return m.is_object() && m.begin().key() == kExists && !m.begin()->get<bool>();
    });
  }
  for (const auto& m : matchers) {
    for (const Json* leaf : leaves) {
      if (matcher_matches_leaf(m, *leaf)) return true;
    }
  }
  return false;
}

// A nested pattern object against a field's value; an array value matches when any element does.
bool nested_matches(const Json& pattern, const Json* value) {
  if (value != nullptr && value->is_array()) {
    bool any_object = false;
    for (const auto& e : *value) {
      if (!e.is_object() && !e.is_array()) continue;
      any_object = true;
      if (nested_matches(pattern, &e)) return true;
    }
    return any_object ? false : object_matches(pattern, nullptr);
  }
  return object_matches(pattern, value != nullptr && value->is_object() ? value : nullptr);
}

// Every key of the pattern must match (AND); `$or` needs one alternative.
bool object_matches(const Json& pattern, const Json* value) {
  for (auto it = pattern.begin(); it != pattern.end(); ++it) {
    const std::string& key = it.key();
    const Json& p = it.value();
    if (key == kOr) {
      const bool any = std::any_of(p.begin(), p.end(), [&](const Json& alt) { return object_matches(alt, value); });
      if (!any) return false;
      continue;
    }
    const Json* child = nullptr;
    if (value != nullptr && value->is_object()) {
      auto f = value->find(key);
      if (f != value->end()) child = &*f;
    }
    const bool ok = p.is_object() ? nested_matches(p, child) : list_matches(p, child);
    if (!ok) return false;
  }
  return true;
}

// Decodes a base64 payload field in place: JSON object/array → parsed, other UTF-8 text → the
// string, not base64 or not UTF-8 → removed so only metadata can match (SEMANTICS.md §5).
void decode_field(Json& view, const char* name) {
  auto it = view.find(name);
  if (it == view.end() || !it->is_string()) return;
  auto bytes = codec::base64_decode(it->get_ref<const std::string&>());
  if (!bytes || !codec::is_utf8(*bytes)) {
    view.erase(name);
    return;
  }
  Json parsed = parse_untrusted(*bytes);
  if (!parsed.is_discarded() && (parsed.is_object() || parsed.is_array())) {
    *it = std::move(parsed);
  } else {
    *it = std::move(*bytes);
  }
}

}  // namespace

Result<FilterCriteria> FilterCriteria::parse(const Json& filter_criteria, const FilterLimits& limits) {
  FilterCriteria out;
  // `FilterCriteria: {}` removes the filters (§5); null/absent means none were set.
  if (filter_criteria.is_null()) return out;
  if (!filter_criteria.is_object()) return make_error(ErrorCode::kConfig, "FilterCriteria: must be an object {\"Filters\": [...]}");
  auto filters = filter_criteria.find("Filters");
  if (filters == filter_criteria.end() || filters->is_null()) return out;
  if (!filters->is_array()) return make_error(ErrorCode::kConfig, "FilterCriteria.Filters: must be a list");
  // SEMANTICS.md §5: up to 5 filters per ESM (quota increase to 10).
  if (filters->size() > limits.max_filters) {
    return make_error(ErrorCode::kConfig, "FilterCriteria.Filters[" + std::to_string(limits.max_filters) + "]: " +
                                              std::to_string(filters->size()) + " filters given, at most " +
                                              std::to_string(limits.max_filters) + " allowed (SEMANTICS.md §5)");
  }
  for (std::size_t i = 0; i < filters->size(); ++i) {
    const std::string name = "FilterCriteria.Filters[" + std::to_string(i) + "].Pattern: ";
    const Json& f = (*filters)[i];
    if (!f.is_object()) return make_error(ErrorCode::kConfig, name + "filter must be an object {\"Pattern\": \"...\"}");
    auto pat = f.find("Pattern");
    if (pat == f.end()) return make_error(ErrorCode::kConfig, name + invalid("no Pattern"));
    FilterPattern fp;
    // A Pattern is JSON text; a scenario may also give the object itself (serialised here).
    fp.text = pat->is_string() ? pat->get<std::string>() : (pat->is_object() ? dump(*pat) : pat->dump());
    if (fp.text.size() > kMaxPatternChars) {
      return make_error(ErrorCode::kConfig, name + std::to_string(fp.text.size()) + " characters, at most " +
                                                std::to_string(kMaxPatternChars) + " allowed (SEMANTICS.md §5)");
    }
    // Duplicate keys: the last one wins (§5), which is what the parser does.
    fp.pattern = parse_untrusted(fp.text);
    if (fp.pattern.is_discarded()) return make_error(ErrorCode::kConfig, name + invalid("malformed JSON"));
    if (auto e = check_object(fp.pattern, "", limits); !e.empty()) return make_error(ErrorCode::kConfig, name + e);
    out.filters_.push_back(std::move(fp));
  }
  return out;
}

bool FilterCriteria::matches(const Json& view) const {
  if (filters_.empty()) return true;
  return std::any_of(filters_.begin(), filters_.end(), [&](const FilterPattern& f) { return pattern_matches(f.pattern, view); });
}

bool FilterCriteria::matches_record(const Json& record, DataKey key) const {
  if (filters_.empty()) return true;
  return matches(filter_view(record, key));
}

bool pattern_matches(const Json& pattern, const Json& view) {
  return object_matches(pattern, view.is_object() ? &view : nullptr);
}

Json filter_view(const Json& record, DataKey key) {
  switch (key) {
    case DataKey::kBody: {
      Json view = record;
      auto it = view.find("body");
      if (it != view.end() && it->is_string()) {
        // SEMANTICS.md §5/§8.5: a JSON body is filtered as JSON; any other body stays a plain
        // string, which a JSON (object) pattern on `body` never matches.
        Json parsed = parse_untrusted(it->get_ref<const std::string&>());
        if (!parsed.is_discarded() && (parsed.is_object() || parsed.is_array())) *it = std::move(parsed);
      }
      return view;
    }
    case DataKey::kData: {
      // The ESM filters the stream record before wrapping it in the event's `kinesis` object.
      auto k = record.is_object() ? record.find("kinesis") : record.end();
      Json view = (k != record.end() && k->is_object()) ? *k : record;
      if (view.is_object()) decode_field(view, "data");
      return view;
    }
    case DataKey::kValueKey: {
      Json view = record;
      if (view.is_object()) {
        decode_field(view, "value");
        decode_field(view, "key");
      }
      return view;
    }
    case DataKey::kDynamodb:  // §8.5: no decoding; typed values, N values stay strings.
    case DataKey::kNone:
      return record;
  }
  return record;
}

}  // namespace evh::harness
