// Validation: one recursive walk; oneOf/anyOf collect each branch's problems apart and report the
// closest branch when none matches.
#include "generators/validate.h"

#include <cmath>

#include "generators/codec.h"
#include "generators/text.h"

namespace evh {
namespace {

std::string expected_types(uint8_t t) {
  std::string out;
  auto add = [&](uint8_t bit, const char* name) {
    if (!(t & bit)) return;
    if (!out.empty()) out += " or ";
    out += name;
  };
  add(kTypeObject, "object");
  add(kTypeArray, "array");
  add(kTypeString, "string");
  add(kTypeInteger, "integer");
  add(kTypeNumber, "number");
  add(kTypeBoolean, "boolean");
  add(kTypeNull, "null");
  return out.empty() ? "nothing" : out;
}

bool type_ok(uint8_t t, const Json& v) {
  if (t == kTypeAny) return true;
  switch (v.type()) {
    case Json::value_t::null: return t & kTypeNull;
    case Json::value_t::boolean: return t & kTypeBoolean;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return t & (kTypeInteger | kTypeNumber);
    case Json::value_t::number_float: {
      if (t & kTypeNumber) return true;
      double d = v.get<double>();
      return (t & kTypeInteger) && std::isfinite(d) && std::floor(d) == d;
    }
    case Json::value_t::string: return t & kTypeString;
    case Json::value_t::array: return t & kTypeArray;
    case Json::value_t::object: return t & kTypeObject;
    default: return false;
  }
}

std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string short_json(const Json& v) {
  std::string s = dump(v);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

std::string check_std_format(const std::string& format, const std::string& s) {
  static const std::regex kDateTime(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))");
  static const std::regex kUuid("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  if (format == "date-time") return std::regex_match(s, kDateTime) ? "" : "not an RFC 3339 date-time";
  if (format == "uuid") return std::regex_match(s, kUuid) ? "" : "not a UUID";
  if (format == "email") return s.find('@') != std::string::npos ? "" : "not an email address";
  if (format == "uri") return s.find(':') != std::string::npos ? "" : "not a URI";
  return "";  // unknown formats are annotations only, as JSON Schema says
}

}  // namespace

void validate_value(const SchemaNode& raw, const Json& v, const std::string& ptr, std::vector<Problem>& out) {
  const SchemaNode& n = raw.resolved();
  auto add = [&](std::string msg) { out.push_back({ptr, std::move(msg), Severity::kError}); };
  if (n.types == 0) {
    add("no value is allowed here");
    return;
  }
  if (!type_ok(n.types, v)) {
    add(std::string("expected ") + expected_types(n.types) + ", got " + json_type_name(v));
    return;
  }
  if (n.const_value && *n.const_value != v) add("must be " + short_json(*n.const_value) + ", got " + short_json(v));
  if (!n.enum_values.empty()) {
    bool found = false;
    for (const auto& e : n.enum_values) found = found || e == v;
    if (!found) {
      std::string allowed;
      for (std::size_t i = 0; i < n.enum_values.size() && i < 8; ++i)
        allowed += (i ? ", " : "") + short_json(n.enum_values[i]);
      if (n.enum_values.size() > 8) allowed += ", ...";
      add(short_json(v) + " is not one of " + allowed);
    }
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (n.min_length || n.max_length) {
      std::size_t len = utf8_length(s);
      if (n.min_length && len < *n.min_length) add("shorter than " + std::to_string(*n.min_length) + " characters");
      if (n.max_length && len > *n.max_length) add("longer than " + std::to_string(*n.max_length) + " characters");
    }
    if (n.regex && !std::regex_search(s, *n.regex)) add("does not match pattern " + n.pattern);
    if (!n.format.empty()) {
      auto why = check_std_format(n.format, s);
      if (!why.empty()) add(why);
    }
  }
  if (n.evh_format && !v.is_null()) {  // null is governed by `type` alone
    auto why = n.evh_format->check(v);
    if (!why.empty()) add(why + " (" + std::string(n.evh_format->id) + ")");
  }
  if (v.is_number()) {
    double d = v.get<double>();
    if (n.minimum && d < *n.minimum) add("below the minimum " + short_json(Json(*n.minimum)));
    if (n.maximum && d > *n.maximum) add("above the maximum " + short_json(Json(*n.maximum)));
  }
  if (v.is_array()) {
    if (n.min_items && v.size() < *n.min_items) add("fewer than " + std::to_string(*n.min_items) + " items");
    if (n.max_items && v.size() > *n.max_items) add("more than " + std::to_string(*n.max_items) + " items");
    if (n.items) {
      for (std::size_t i = 0; i < v.size(); ++i) validate_value(*n.items, v[i], ptr + "/" + std::to_string(i), out);
    }
  }
  if (v.is_object()) {
    for (const auto& p : n.properties) {
      if (p.required && !v.contains(p.name)) {
        out.push_back({ptr + "/" + pointer_token(p.name), "required property is missing", Severity::kError});
      }
    }
    for (const auto& [key, child] : v.items()) {
      std::string cptr = ptr + "/" + pointer_token(key);
      if (const SchemaProperty* p = n.property(key)) {
        validate_value(*p->node, child, cptr, out);
        continue;
      }
      if (n.property_names) {
        std::vector<Problem> key_problems;
        validate_value(*n.property_names, Json(key), cptr, key_problems);
        for (auto& kp : key_problems) out.push_back({cptr, "property name: " + kp.message, Severity::kError});
      }
      if (n.additional) {
        validate_value(*n.additional, child, cptr, out);
      } else if (!n.additional_allowed) {
        out.push_back({cptr, "unexpected property", Severity::kError});
      }
    }
  }
  auto branches = [&](const std::vector<const SchemaNode*>& list, bool exactly_one) {
    if (list.empty()) return;
    std::size_t matched = 0;
    std::vector<Problem> best;
    bool have_best = false;
    for (const SchemaNode* b : list) {
      std::vector<Problem> p;
      validate_value(*b, v, ptr, p);
      if (p.empty()) {
        ++matched;
      } else if (!have_best || p.size() < best.size()) {
        best = std::move(p);
        have_best = true;
      }
    }
    if (matched == 0) {
      add("matches none of the " + std::to_string(list.size()) + " alternatives; the closest fails with:");
      for (auto& p : best) out.push_back(std::move(p));
    } else if (exactly_one && matched > 1) {
      add("matches " + std::to_string(matched) + " alternatives of a oneOf, expected exactly one");
    }
  };
  branches(n.one_of, true);
  branches(n.any_of, false);
}

const SchemaNode* closest_branch(const SchemaNode& n, const Json& v) {
  const auto& list = !n.one_of.empty() ? n.one_of : n.any_of;
  const SchemaNode* best = nullptr;
  std::size_t best_count = SIZE_MAX;
  for (const SchemaNode* b : list) {
    std::vector<Problem> p;
    validate_value(*b, v, "", p);
    if (p.size() < best_count) {
      best = &b->resolved();
      best_count = p.size();
    }
  }
  return best;
}

std::string to_string(const Problem& p) {
  return (p.pointer.empty() ? std::string("/") : p.pointer) + ": " + p.message +
         (p.severity == Severity::kConsistency ? " (consistency)" : "");
}

}  // namespace evh
