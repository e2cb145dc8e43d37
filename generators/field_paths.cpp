// Field path collection, walking the value and its schema together.
#include "generators/field_paths.h"

#include "generators/validate.h"

namespace evh {
namespace {

void walk(const SchemaNode* raw, const Json& v, const std::string& path, const std::string& payload_suffix,
          std::set<std::string>& out) {
  const SchemaNode* n = raw ? &raw->resolved() : nullptr;
  if (n && (!n->one_of.empty() || !n->any_of.empty())) {
    const SchemaNode* b = closest_branch(*n, v);
    n = b ? &b->resolved() : n;
    // A branch may itself hold the properties; keep the parent's when it has them.
    if (raw && !raw->resolved().properties.empty() && n->properties.empty()) n = &raw->resolved();
  }
  if (!payload_suffix.empty() && path == payload_suffix) return;  // the payload's inside is the user's message, not the source's shape
  if (v.is_object()) {
    for (const auto& [key, child] : v.items()) {
      const SchemaNode* sub = nullptr;
      std::string tok = pointer_token(key);
      if (n) {
        if (const SchemaProperty* p = n->property(key)) {
          sub = p->node;
        } else if (n->additional) {
          sub = n->additional;
          tok.assign(1, '+');
        }
      }
      std::string child_path;
      child_path.reserve(path.size() + 1 + tok.size());
      child_path.append(path).append(1, '/').append(tok);
      out.insert(child_path);
      walk(sub, child, child_path, payload_suffix, out);
    }
  } else if (v.is_array()) {
    for (const auto& child : v) walk(n ? n->items : nullptr, child, path + "/*", payload_suffix, out);
  }
}

}  // namespace

void collect_field_paths(const Source& source, const Json& event, std::set<std::string>& out) {
  std::string payload_suffix;
  if (!source.identity.payload.empty()) {
    // Records sit at /records/*/ (or /records/+/*/ when grouped); normalise the payload pointer.
    std::string records;
    if (source.batched()) records = source.identity.records + (source.identity.grouped ? "/+/*" : "/*");
    payload_suffix = records + source.identity.payload;
  }
  walk(&source.schema.root(), event, "", payload_suffix, out);
}

}  // namespace evh
