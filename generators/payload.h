// Payload: the user's own domain message inside a record (SQS body, Kinesis data, EventBridge
// detail, HTTP body). Handlers parse it, so evh generates it from the user's JSON Schema and/or
// sample files, then encodes it as the source carries it (payload_codec below).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "generators/gen_context.h"
#include "generators/json.h"
#include "generators/rng.h"
#include "generators/schema.h"
#include "generators/source.h"
#include "generators/validate.h"

namespace evh {

/// A payload value: JSON, or raw text when a sample file was not JSON.
struct Payload {
  Json value;
  bool raw_text = false;  ///< `value` is a string to carry verbatim (not serialised JSON)
};

class PayloadContract {
 public:
  /// The built-in contract: JSON objects of a small order-like message (payloads/default.schema.json).
  static const PayloadContract& builtin();

  /// From a JSON Schema file and/or sample files (either may be empty). Samples must be valid
  /// under the schema when both are given: a bad seed stops the run.
  static Result<PayloadContract> load(const std::string& schema_path, const std::vector<std::string>& sample_paths);
  static Result<PayloadContract> from_json(const Json& schema_doc, const std::string& what);

  /// A payload: a sample (often perturbed, keeping its shape) or a value from the schema.
  Payload generate(Rng& rng, GenContext& ctx) const;

  /// Whether payloads must be JSON (false only when every sample is plain text and there is no schema).
  bool json() const { return json_; }
  /// Appends problems of a decoded payload (`pointer` is the payload field in the event).
  void validate(const Payload& payload, const std::string& pointer, std::vector<Problem>& out) const;
  const std::optional<Schema>& schema() const { return schema_; }
  bool user_given() const { return user_given_; }

 private:
  std::optional<Schema> schema_;
  std::vector<Payload> samples_;
  bool json_ = true;
  bool user_given_ = false;
};

/// Encodes a payload into the JSON value a record carries for `encoding`.
Json encode_payload(const Payload& payload, PayloadEncoding encoding);

/// Decodes a record's payload field; nullopt with `why` set when it cannot be decoded
/// (bad base64, truncated gzip, not a DynamoDB map ...).
std::optional<Payload> decode_payload(const Json& field, PayloadEncoding encoding, std::string* why = nullptr);

/// The payload(s) one record carries: one, or the user records of a KPL-aggregated Kinesis
/// record. Honours the record's base64 flag (HTTP isBase64Encoded). nullopt with `why` when the
/// field is missing or cannot be decoded.
std::optional<std::vector<Payload>> record_payloads(const Source& source, const Json& record, std::string* why = nullptr);

/// Replaces a record's payload, encoded as the source (and the record's base64 flag) says.
void set_record_payload(const Source& source, Json& record, const Payload& payload);

/// Plain JSON → DynamoDB attribute-value JSON ({"S": ...}, {"N": "..."}, {"M": {...}} ...), and back.
Json to_ddb_json(const Json& value);
std::optional<Json> from_ddb_json(const Json& attribute_value);
/// An item (object of attribute values) → plain JSON object.
std::optional<Json> ddb_item_to_json(const Json& item);

}  // namespace evh
