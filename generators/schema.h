// Schema: the JSON-Schema subset evh reads, parsed once into a node tree that the three engines
// (generate.h, validate.h, the mutators) walk. Supported keywords: type, properties, required,
// additionalProperties, propertyNames, items, minItems, maxItems, enum, const, pattern, minLength, maxLength,
// minimum, maximum, oneOf, anyOf, format, $ref (local, to $defs/definitions), examples; and the
// evh annotations x-evh-format (format.h), x-evh-template (generation template),
// x-evh-presence (probability an optional property is generated, 0..1), x-evh-example-rate
// (probability a value is drawn from `examples`), x-evh-boundary
// (false: never mix boundary values into this value).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "generators/format.h"
#include "generators/json.h"

namespace evh {

/// JSON types as bits, so a node can allow several (`"type": ["string", "null"]`).
enum TypeBits : uint8_t {
  kTypeNull = 1,
  kTypeBoolean = 2,
  kTypeInteger = 4,
  kTypeNumber = 8,  ///< includes integers when validating
  kTypeString = 16,
  kTypeArray = 32,
  kTypeObject = 64,
  kTypeAny = 127,
};

struct SchemaNode;

struct SchemaProperty {
  std::string name;
  const SchemaNode* node = nullptr;
  bool required = false;
};

struct SchemaNode {
  uint8_t types = kTypeAny;
  std::vector<SchemaProperty> properties;
  bool additional_allowed = true;
  const SchemaNode* additional = nullptr;  ///< schema of additional properties, if any
  const SchemaNode* property_names = nullptr;  ///< propertyNames: schema of keys (a string schema)
  const SchemaNode* items = nullptr;
  std::optional<std::size_t> min_items, max_items;
  std::vector<Json> enum_values;
  std::optional<Json> const_value;
  std::string pattern;
  std::shared_ptr<const std::regex> regex;
  std::optional<std::size_t> min_length, max_length;
  std::optional<double> minimum, maximum;
  std::vector<const SchemaNode*> one_of, any_of;
  std::string format;                   ///< JSON Schema "format" (date-time, uri, email, ...)
  const Format* evh_format = nullptr;   ///< x-evh-format
  std::string tmpl;                     ///< x-evh-template
  std::vector<Json> examples;
  double presence = -1;                 ///< x-evh-presence; -1 = engine default
  double example_rate = -1;             ///< x-evh-example-rate; -1 = engine default (1 with a pattern)
  bool boundary = true;                 ///< x-evh-boundary
  const SchemaNode* ref = nullptr;      ///< resolved $ref (all other keywords then ignored)
  std::string pointer;                  ///< where this node sits in the schema document

  /// Follows $ref chains.
  const SchemaNode& resolved() const {
    const SchemaNode* n = this;
    while (n->ref) n = n->ref;
    return *n;
  }
  const SchemaProperty* property(std::string_view name) const;
};

/// A loaded schema. Nodes are owned by the Schema; copies share them.
class Schema {
 public:
  /// Parses `doc`; `what` names the document in errors (e.g. "sqs.schema.json").
  static Result<Schema> load(const Json& doc, const std::string& what);

  const SchemaNode& root() const { return *root_; }
  /// The node at a path of property names / "*" (array items) / "+" (additional properties).
  const SchemaNode* find(const std::vector<std::string>& path) const;
  const Json& document() const { return *doc_; }

 private:
  std::shared_ptr<std::deque<SchemaNode>> nodes_;
  std::shared_ptr<const Json> doc_;
  const SchemaNode* root_ = nullptr;
};

/// Splits a JSON pointer into unescaped tokens ("/a~1b/c" → {"a/b", "c"}).
std::vector<std::string> split_pointer(std::string_view pointer);

}  // namespace evh
