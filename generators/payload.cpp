// Payload contracts and encodings.
#include "generators/payload.h"

#include "generators/codec.h"
#include "generators/embedded.h"
#include "generators/generate.h"

namespace evh {
namespace {

// Changes leaf values of a sample, keeping its shape and types, so seeds vary but stay parseable.
void perturb(Json& v, Rng& rng) {
  if (v.is_object()) {
    for (auto& [_, child] : v.items()) perturb(child, rng);
  } else if (v.is_array()) {
    for (auto& child : v) perturb(child, rng);
  } else if (!rng.chance(0.3)) {
    return;
  } else if (v.is_number_integer()) {
    v = v.get<int64_t>() + rng.range(-3, 3);
  } else if (v.is_number_float()) {
    v = v.get<double>() * (0.5 + rng.unit());
  } else if (v.is_string() && !v.get_ref<const std::string&>().empty()) {
    std::string s = v.get<std::string>();
    s[rng.below(s.size())] = static_cast<char>('a' + rng.below(26));
    v = codec::is_utf8(s) ? s : v.get<std::string>();
  }
}

}  // namespace

const PayloadContract& PayloadContract::builtin() {
  static const PayloadContract contract = [] {
    const auto* file = embedded::find(embedded::payload_files(), "default.schema.json");
    EVH_CHECK(file) << "default payload schema not embedded";
    auto doc = parse_json(file->contents, "default.schema.json");
    EVH_CHECK(doc.ok()) << doc.error().message;
    auto c = from_json(*doc, "default.schema.json");
    EVH_CHECK(c.ok()) << c.error().message;
    c->user_given_ = false;
    return *c;
  }();
  return contract;
}

Result<PayloadContract> PayloadContract::from_json(const Json& schema_doc, const std::string& what) {
  auto s = Schema::load(schema_doc, what);
  if (!s) return s.error();
  PayloadContract c;
  c.schema_ = std::move(*s);
  c.user_given_ = true;
  return c;
}

Result<PayloadContract> PayloadContract::load(const std::string& schema_path,
                                              const std::vector<std::string>& sample_paths) {
  PayloadContract c;
  c.user_given_ = true;
  if (!schema_path.empty()) {
    auto doc = load_json_file(schema_path);
    if (!doc) return doc.error();
    auto s = Schema::load(*doc, schema_path);
    if (!s) return s.error();
    c.schema_ = std::move(*s);
  }
  bool any_json = false;
  for (const auto& path : sample_paths) {
    auto text = read_file(path);
    if (!text) return text.error();
    Payload p;
    auto parsed = parse_json(*text, path);
    if (parsed) {
      p.value = std::move(*parsed);
      any_json = true;
    } else {
      if (c.schema_) return parsed.error();  // a schema means JSON payloads: the sample must be JSON
      if (!codec::is_utf8(*text)) return make_error(ErrorCode::kConfig, path + ": sample payload is not UTF-8 text");
      p.value = *text;
      p.raw_text = true;
    }
    if (c.schema_ && !p.raw_text) {
      std::vector<Problem> problems;
      validate_value(c.schema_->root(), p.value, "", problems);
      if (!problems.empty())
        return make_error(ErrorCode::kConfig, path + ": sample does not match the payload schema: " + to_string(problems[0]));
    }
    c.samples_.push_back(std::move(p));
  }
  c.json_ = c.schema_.has_value() || any_json || sample_paths.empty();
  if (!c.schema_ && c.samples_.empty()) return builtin();
  return c;
}

Payload PayloadContract::generate(Rng& rng, GenContext& ctx) const {
  if (!samples_.empty() && (!schema_ || rng.chance(0.5))) {
    Payload p = rng.pick(samples_);
    if (!p.raw_text && rng.chance(0.5)) {
      perturb(p.value, rng);
      if (schema_) {
        // Keep perturbations only when they still satisfy the schema.
        std::vector<Problem> problems;
        validate_value(schema_->root(), p.value, "", problems);
        if (!problems.empty()) p = rng.pick(samples_);
      }
    }
    return p;
  }
  GenOptions options;
  return Payload{generate_value(schema_->root(), rng, ctx, options), false};
}

void PayloadContract::validate(const Payload& payload, const std::string& pointer, std::vector<Problem>& out) const {
  if (!json_ || !schema_) {
    if (json_ && payload.raw_text) out.push_back({pointer, "payload is not JSON", Severity::kError});
    return;
  }
  if (payload.raw_text) {
    out.push_back({pointer, "payload is not JSON", Severity::kError});
    return;
  }
  std::vector<Problem> inner;
  validate_value(schema_->root(), payload.value, "", inner);
  for (auto& p : inner) out.push_back({pointer, "payload" + (p.pointer.empty() ? std::string() : " " + p.pointer) + ": " + p.message, Severity::kError});
}

Json to_ddb_json(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return Json{{"NULL", true}};
    case Json::value_t::boolean: return Json{{"BOOL", v.get<bool>()}};
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return Json{{"N", dump(v)}};
    case Json::value_t::string: return Json{{"S", v.get<std::string>()}};
    case Json::value_t::array: {
      Json l = Json::array();
      for (const auto& e : v) l.push_back(to_ddb_json(e));
      return Json{{"L", l}};
    }
    case Json::value_t::object: {
      Json m = Json::object();
      for (const auto& [k, e] : v.items()) m[k] = to_ddb_json(e);
      return Json{{"M", m}};
    }
    default: return Json{{"NULL", true}};
  }
}

std::optional<Json> from_ddb_json(const Json& av) {
  if (!av.is_object() || av.size() != 1) return std::nullopt;
  auto first = av.begin();
  const std::string& type = first.key();
  const Json& val = first.value();
  if (type == "S" && val.is_string()) return val;
  if (type == "N" && val.is_string()) {
    auto n = parse_untrusted(val.get<std::string>());
    if (n.is_discarded() || !n.is_number()) return std::nullopt;
    return n;
  }
  if (type == "BOOL" && val.is_boolean()) return val;
  if (type == "NULL" && val.is_boolean()) return Json(nullptr);
  if (type == "B" && val.is_string()) return val;
  if ((type == "SS" || type == "NS" || type == "BS") && val.is_array()) {
    for (const auto& e : val)
      if (!e.is_string()) return std::nullopt;
    return val;
  }
  if (type == "L" && val.is_array()) {
    Json out = Json::array();
    for (const auto& e : val) {
      auto d = from_ddb_json(e);
      if (!d) return std::nullopt;
      out.push_back(*d);
    }
    return out;
  }
  if (type == "M" && val.is_object()) return ddb_item_to_json(val);
  return std::nullopt;
}

std::optional<Json> ddb_item_to_json(const Json& item) {
  if (!item.is_object()) return std::nullopt;
  Json out = Json::object();
  for (const auto& [k, av] : item.items()) {
    auto d = from_ddb_json(av);
    if (!d) return std::nullopt;
    out[k] = *d;
  }
  return out;
}

namespace {

// CloudFormation passes every scalar of ResourceProperties as a string (SEMANTICS.md §6.4).
Json stringify_scalars(const Json& v) {
  if (v.is_object() || v.is_array()) {
    Json out = v;
    for (auto& child : out) child = stringify_scalars(child);
    return out;
  }
  if (v.is_string() || v.is_null()) return v;
  return dump(v);
}

}  // namespace

Json encode_payload(const Payload& p, PayloadEncoding encoding) {
  auto text = [&] { return p.raw_text && p.value.is_string() ? p.value.get<std::string>() : dump(p.value); };
  switch (encoding) {
    case PayloadEncoding::kNone: return nullptr;
    case PayloadEncoding::kText: return text();
    case PayloadEncoding::kBase64: return codec::base64_encode(text());
    case PayloadEncoding::kGzipBase64: return codec::base64_encode(codec::gzip_compress(text()));
    case PayloadEncoding::kJson: return p.raw_text ? Json(text()) : p.value;
    case PayloadEncoding::kJsonStrings: return stringify_scalars(p.raw_text ? Json(text()) : p.value);
    case PayloadEncoding::kDdbJson: {
      if (p.value.is_object()) {
        Json item = Json::object();
        for (const auto& [k, v] : p.value.items()) item[k] = to_ddb_json(v);
        return item;
      }
      return Json{{"value", to_ddb_json(p.raw_text ? Json(text()) : p.value)}};
    }
  }
  return nullptr;
}

std::optional<Payload> decode_payload(const Json& field, PayloadEncoding encoding, std::string* why) {
  auto fail = [&](const char* msg) -> std::optional<Payload> {
    if (why) *why = msg;
    return std::nullopt;
  };
  auto from_text = [](const std::string& text) {
    Json j = parse_untrusted(text);
    if (j.is_discarded()) return Payload{text, true};
    return Payload{std::move(j), false};
  };
  switch (encoding) {
    case PayloadEncoding::kNone: return fail("the source carries no payload");
    case PayloadEncoding::kText:
      if (!field.is_string()) return fail("payload is not a string");
      return from_text(field.get<std::string>());
    case PayloadEncoding::kBase64: {
      if (!field.is_string()) return fail("payload is not a base64 string");
      auto raw = codec::base64_decode(field.get<std::string>());
      if (!raw) return fail("payload is not valid base64");
      return from_text(*raw);
    }
    case PayloadEncoding::kGzipBase64: {
      if (!field.is_string()) return fail("payload is not a base64 string");
      auto raw = codec::base64_decode(field.get<std::string>());
      if (!raw) return fail("payload is not valid base64");
      auto text = codec::inflate_auto(*raw);
      if (!text) return fail("payload is not a complete gzip stream");
      return from_text(*text);
    }
    case PayloadEncoding::kJson:
    case PayloadEncoding::kJsonStrings: return Payload{field, false};
    case PayloadEncoding::kDdbJson: {
      auto j = ddb_item_to_json(field);
      if (!j) return fail("payload is not a DynamoDB attribute-value map");
      return Payload{std::move(*j), false};
    }
  }
  return fail("unknown encoding");
}

std::optional<std::vector<Payload>> record_payloads(const Source& source, const Json& record, std::string* why) {
  const Json* field = find_at(record, source.identity.payload);
  if (source.identity.payload.empty() || !field) {
    if (why) *why = "record has no payload field";
    return std::nullopt;
  }
  const Json* flag = source.identity.base64_flag.empty() ? nullptr : find_at(record, source.identity.base64_flag);
  PayloadEncoding enc = source.identity.encoding;
  if (flag && flag->is_boolean() && flag->get<bool>() && enc == PayloadEncoding::kText) enc = PayloadEncoding::kBase64;
  // No body: null, or an empty string (HTTP requests without one, empty Kinesis data). The
  // payload contract speaks of bodies that are there; body.empty tests handlers on the rest.
  bool empty_text = field->is_string() && field->get_ref<const std::string&>().empty();
  if ((field->is_null() || empty_text) &&
      (enc == PayloadEncoding::kText || enc == PayloadEncoding::kBase64 || enc == PayloadEncoding::kGzipBase64))
    return std::vector<Payload>{};
  if (enc == PayloadEncoding::kBase64 && field->is_string()) {
    auto raw = codec::base64_decode(field->get_ref<const std::string&>());
    if (raw) {
      if (auto parts = codec::kpl_deaggregate(*raw)) {
        std::vector<Payload> out;
        for (const auto& p : *parts) out.push_back(*decode_payload(Json(p), PayloadEncoding::kText));
        return out;
      }
    }
  }
  auto p = decode_payload(*field, enc, why);
  if (!p) return std::nullopt;
  return std::vector<Payload>{std::move(*p)};
}

void set_record_payload(const Source& source, Json& record, const Payload& payload) {
  if (source.identity.payload.empty()) return;
  Json* flag = source.identity.base64_flag.empty() ? nullptr : find_at(record, source.identity.base64_flag);
  PayloadEncoding enc = source.identity.encoding;
  if (flag && flag->is_boolean() && flag->get<bool>() && enc == PayloadEncoding::kText) enc = PayloadEncoding::kBase64;
  record[Json::json_pointer(source.identity.payload)] = encode_payload(payload, enc);
}

}  // namespace evh
