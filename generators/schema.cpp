// Schema loading: one pass over the document, $refs resolved after all nodes exist.
#include "generators/schema.h"

#include <functional>
#include <map>

namespace evh {

const SchemaProperty* SchemaNode::property(std::string_view name) const {
  for (const auto& p : properties)
    if (p.name == name) return &p;
  return nullptr;
}

std::vector<std::string> split_pointer(std::string_view pointer) {
  std::vector<std::string> out;
  if (pointer.empty()) return out;
  std::size_t i = pointer[0] == '/' ? 1 : 0;
  std::string cur;
  for (; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      out.push_back(cur);
      cur.clear();
    } else if (pointer[i] == '~' && i + 1 < pointer.size()) {
      cur += pointer[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      cur += pointer[i];
    }
  }
  return out;
}

namespace {

class Loader {
 public:
  Loader(std::deque<SchemaNode>& nodes, const Json& doc, std::string what)
      : nodes_(nodes), doc_(doc), what_(std::move(what)) {}

  Result<const SchemaNode*> run() {
    const SchemaNode* root = parse(doc_, "");
    if (!error_.empty()) return make_error(ErrorCode::kConfig, what_ + ": " + error_);
    // Index loop: parsing a target can queue more refs.
    for (std::size_t i = 0; i < pending_refs_.size(); ++i) {
      auto [node, target] = pending_refs_[i];
      auto it = by_pointer_.find(target);
      if (it != by_pointer_.end()) {
        node->ref = it->second;
        continue;
      }
      const Json* j = lookup(target);
      if (!j) return make_error(ErrorCode::kConfig, what_ + ": $ref '#" + target + "' points nowhere");
      node->ref = parse(*j, target);
      if (!error_.empty()) return make_error(ErrorCode::kConfig, what_ + ": " + error_);
    }
    // A cycle of refs that never reaches a real node would loop forever in resolved().
    for (auto& [node, target] : pending_refs_) {
      const SchemaNode* n = node;
      for (int hops = 0; n->ref; ++hops) {
        if (hops > 64) return make_error(ErrorCode::kConfig, what_ + ": $ref cycle at '#" + target + "'");
        n = n->ref;
      }
    }
    return root;
  }

 private:
  const Json* lookup(const std::string& pointer) const {
    const Json* cur = &doc_;
    for (const auto& tok : split_pointer(pointer)) {
      if (!cur->is_object() || !cur->contains(tok)) return nullptr;
      cur = &(*cur)[tok];
    }
    return cur;
  }

  void fail(const std::string& at, const std::string& msg) {
    if (error_.empty()) error_ = "at '" + (at.empty() ? std::string("/") : at) + "': " + msg;
  }

  std::optional<std::size_t> get_size(const Json& j, const char* key, const std::string& at) {
    if (!j.contains(key)) return std::nullopt;
    const Json& v = j[key];
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0)) {
      fail(at, std::string(key) + " must be a non-negative integer");
      return std::nullopt;
    }
    return v.get<std::size_t>();
  }

  std::optional<double> get_number(const Json& j, const char* key, const std::string& at) {
    if (!j.contains(key)) return std::nullopt;
    if (!j[key].is_number()) {
      fail(at, std::string(key) + " must be a number");
      return std::nullopt;
    }
    return j[key].get<double>();
  }

  uint8_t parse_type(const Json& t, const std::string& at) {
    auto one = [&](const Json& s) -> uint8_t {
      if (!s.is_string()) {
        fail(at, "type must be a string or an array of strings");
        return 0;
      }
      static const std::map<std::string, uint8_t> kTypes = {
          {"null", kTypeNull},     {"boolean", kTypeBoolean}, {"integer", kTypeInteger}, {"number", kTypeNumber},
          {"string", kTypeString}, {"array", kTypeArray},     {"object", kTypeObject}};
      auto it = kTypes.find(s.get<std::string>());
      if (it == kTypes.end()) {
        fail(at, "unknown type '" + s.get<std::string>() + "'");
        return 0;
      }
      return it->second;
    };
    if (t.is_array()) {
      uint8_t bits = 0;
      for (const auto& s : t) bits |= one(s);
      return bits;
    }
    return one(t);
  }

  const SchemaNode* parse(const Json& j, const std::string& at) {
    nodes_.emplace_back();
    SchemaNode* n = &nodes_.back();
    n->pointer = at;
    by_pointer_[at] = n;
    if (j.is_boolean()) {
      // true = anything; false = nothing (modelled as an impossible enum).
      if (!j.get<bool>()) n->types = 0;
      return n;
    }
    if (!j.is_object()) {
      fail(at, "a schema must be an object or a boolean");
      return n;
    }
    static const std::vector<std::string> kKnown = {
        "type", "properties", "required", "additionalProperties", "propertyNames", "items", "minItems", "maxItems", "enum",
        "const", "pattern", "minLength", "maxLength", "minimum", "maximum", "oneOf", "anyOf", "format",
        "$ref", "$defs", "definitions", "examples", "title", "description", "$schema", "$id", "$comment",
        "default", "x-evh-format", "x-evh-template", "x-evh-presence", "x-evh-example-rate", "x-evh-boundary", "x-evh-source",
        "x-evh-note"};
    for (const auto& [key, _] : j.items()) {
      bool known = false;
      for (const auto& k : kKnown) known = known || k == key;
      if (!known) fail(at, "unsupported keyword '" + key + "'");
    }
    if (j.contains("$ref")) {
      const Json& r = j["$ref"];
      if (!r.is_string() || r.get<std::string>().rfind("#", 0) != 0) {
        fail(at, "$ref must be a local reference starting with '#'");
        return n;
      }
      pending_refs_.emplace_back(n, r.get<std::string>().substr(1));
    }
    if (j.contains("type")) n->types = parse_type(j["type"], at);
    if (j.contains("properties")) {
      if (!j["properties"].is_object()) {
        fail(at, "properties must be an object");
      } else {
        for (const auto& [name, sub] : j["properties"].items()) {
          n->properties.push_back({name, parse(sub, at + "/properties/" + pointer_token(name)), false});
        }
      }
    }
    if (j.contains("required")) {
      if (!j["required"].is_array()) fail(at, "required must be an array");
      for (const auto& r : j["required"]) {
        if (!r.is_string()) {
          fail(at, "required entries must be strings");
          continue;
        }
        bool found = false;
        for (auto& p : n->properties) {
          if (p.name == r.get<std::string>()) {
            p.required = true;
            found = true;
          }
        }
        if (!found) fail(at, "required property '" + r.get<std::string>() + "' has no schema in properties");
      }
    }
    if (j.contains("additionalProperties")) {
      const Json& a = j["additionalProperties"];
      if (a.is_boolean()) {
        n->additional_allowed = a.get<bool>();
      } else {
        n->additional = parse(a, at + "/additionalProperties");
      }
    }
    if (j.contains("propertyNames")) n->property_names = parse(j["propertyNames"], at + "/propertyNames");
    if (j.contains("items")) n->items = parse(j["items"], at + "/items");
    n->min_items = get_size(j, "minItems", at);
    n->max_items = get_size(j, "maxItems", at);
    n->min_length = get_size(j, "minLength", at);
    n->max_length = get_size(j, "maxLength", at);
    n->minimum = get_number(j, "minimum", at);
    n->maximum = get_number(j, "maximum", at);
    if (j.contains("enum")) {
      if (!j["enum"].is_array() || j["enum"].empty()) fail(at, "enum must be a non-empty array");
      for (const auto& v : j["enum"]) n->enum_values.push_back(v);
    }
    if (j.contains("const")) n->const_value = j["const"];
    if (j.contains("pattern")) {
      if (!j["pattern"].is_string()) {
        fail(at, "pattern must be a string");
      } else {
        n->pattern = j["pattern"].get<std::string>();
        try {
          n->regex = std::make_shared<std::regex>(n->pattern, std::regex::ECMAScript | std::regex::optimize);
        } catch (const std::regex_error& e) {
          fail(at, "pattern is not a valid regular expression: " + std::string(e.what()));
        }
      }
    }
    for (const char* key : {"oneOf", "anyOf"}) {
      if (!j.contains(key)) continue;
      if (!j[key].is_array() || j[key].empty()) {
        fail(at, std::string(key) + " must be a non-empty array");
        continue;
      }
      auto& list = std::string(key) == "oneOf" ? n->one_of : n->any_of;
      for (std::size_t i = 0; i < j[key].size(); ++i)
        list.push_back(parse(j[key][i], at + "/" + key + "/" + std::to_string(i)));
    }
    if (j.contains("format")) n->format = j["format"].is_string() ? j["format"].get<std::string>() : "";
    if (j.contains("x-evh-format")) {
      const Json& f = j["x-evh-format"];
      n->evh_format = f.is_string() ? find_format(f.get<std::string>()) : nullptr;
      if (!n->evh_format) fail(at, "unknown x-evh-format " + f.dump() + " (see `evh describe --formats`)");
    }
    if (j.contains("x-evh-template")) {
      if (!j["x-evh-template"].is_string()) {
        fail(at, "x-evh-template must be a string");
      } else {
        n->tmpl = j["x-evh-template"].get<std::string>();
        auto bad = check_template(n->tmpl);
        if (!bad.empty()) fail(at, "x-evh-template has an unknown placeholder " + bad);
      }
    }
    if (j.contains("x-evh-presence")) {
      auto p = get_number(j, "x-evh-presence", at);
      if (p && (*p < 0 || *p > 1)) fail(at, "x-evh-presence must be between 0 and 1");
      if (p) n->presence = *p;
    }
    if (j.contains("x-evh-example-rate")) {
      auto p = get_number(j, "x-evh-example-rate", at);
      if (p && (*p < 0 || *p > 1)) fail(at, "x-evh-example-rate must be between 0 and 1");
      if (p) n->example_rate = *p;
    }
    if (j.contains("x-evh-boundary")) n->boundary = j["x-evh-boundary"].is_boolean() && j["x-evh-boundary"].get<bool>();
    if (j.contains("examples")) {
      if (!j["examples"].is_array()) fail(at, "examples must be an array");
      for (const auto& e : j["examples"]) n->examples.push_back(e);
    }
    for (const char* defs : {"$defs", "definitions"}) {
      if (!j.contains(defs)) continue;
      if (!j[defs].is_object()) {
        fail(at, std::string(defs) + " must be an object");
        continue;
      }
      for (const auto& [name, sub] : j[defs].items()) parse(sub, at + "/" + defs + "/" + pointer_token(name));
    }
    if (n->min_items && n->max_items && *n->min_items > *n->max_items) fail(at, "minItems > maxItems");
    if (n->min_length && n->max_length && *n->min_length > *n->max_length) fail(at, "minLength > maxLength");
    if (n->minimum && n->maximum && *n->minimum > *n->maximum) fail(at, "minimum > maximum");
    return n;
  }

  std::deque<SchemaNode>& nodes_;
  const Json& doc_;
  std::string what_;
  std::string error_;
  std::map<std::string, SchemaNode*> by_pointer_;
  std::vector<std::pair<SchemaNode*, std::string>> pending_refs_;
};

}  // namespace

Result<Schema> Schema::load(const Json& doc, const std::string& what) {
  Schema s;
  s.nodes_ = std::make_shared<std::deque<SchemaNode>>();
  s.doc_ = std::make_shared<const Json>(doc);
  Loader loader(*s.nodes_, *s.doc_, what);
  auto root = loader.run();
  if (!root) return root.error();
  s.root_ = *root;
  return s;
}

const SchemaNode* Schema::find(const std::vector<std::string>& path) const {
  const SchemaNode* n = &root_->resolved();
  for (const auto& tok : path) {
    if (tok == "*") {
      if (!n->items) return nullptr;
      n = &n->items->resolved();
    } else if (tok == "+") {
      if (!n->additional) return nullptr;
      n = &n->additional->resolved();
    } else {
      const SchemaProperty* p = n->property(tok);
      if (!p) return nullptr;
      n = &p->node->resolved();
    }
  }
  return n;
}

}  // namespace evh
