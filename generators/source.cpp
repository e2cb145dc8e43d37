// Reading the x-evh-source block.
#include "generators/source.h"

#include <map>

namespace evh {

const char* to_string(InvocationModel m) {
  switch (m) {
    case InvocationModel::kSyncPush: return "sync-push";
    case InvocationModel::kAsyncPush: return "async-push";
    case InvocationModel::kPollQueue: return "poll-queue";
    case InvocationModel::kPollStream: return "poll-stream";
    case InvocationModel::kPollBroker: return "poll-broker";
  }
  return "?";
}

const char* to_string(InvocationType t) { return t == InvocationType::kEvent ? "Event" : "RequestResponse"; }

const char* to_string(PayloadEncoding e) {
  switch (e) {
    case PayloadEncoding::kNone: return "none";
    case PayloadEncoding::kText: return "text";
    case PayloadEncoding::kBase64: return "base64";
    case PayloadEncoding::kGzipBase64: return "gzip-base64";
    case PayloadEncoding::kJson: return "json";
    case PayloadEncoding::kDdbJson: return "ddb-json";
    case PayloadEncoding::kJsonStrings: return "json-strings";
  }
  return "?";
}

const Json* find_at(const Json& v, std::string_view pointer) {
  const Json* cur = &v;
  if (pointer.empty()) return cur;
  for (const auto& tok : split_pointer(pointer)) {
    if (cur->is_object()) {
      auto it = cur->find(tok);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      if (tok.empty() || tok.find_first_not_of("0123456789") != std::string::npos) return nullptr;
      std::size_t i = std::stoul(tok);
      if (i >= cur->size()) return nullptr;
      cur = &(*cur)[i];
    } else {
      return nullptr;
    }
  }
  return cur;
}

Json* find_at(Json& v, std::string_view pointer) {
  return const_cast<Json*>(find_at(static_cast<const Json&>(v), pointer));
}

std::vector<std::string> record_pointers(const Source& source, const Json& event) {
  std::vector<std::string> out;
  if (!source.batched()) {
    out.emplace_back();
    return out;
  }
  const Json* recs = find_at(event, source.identity.records);
  if (!recs) return out;
  if (source.identity.grouped) {
    if (!recs->is_object()) return out;
    for (const auto& [key, group] : recs->items()) {
      if (!group.is_array()) continue;
      for (std::size_t i = 0; i < group.size(); ++i)
        out.push_back(source.identity.records + "/" + pointer_token(key) + "/" + std::to_string(i));
    }
  } else if (recs->is_array()) {
    out.reserve(recs->size());
    for (std::size_t i = 0; i < recs->size(); ++i) out.push_back(source.identity.records + "/" + std::to_string(i));
  }
  return out;
}

namespace {

template <typename E>
bool parse_enum(const Json& block, const char* key, const std::map<std::string, E>& table, E& out, std::string& err) {
  const Json* v = find_at(block, key);
  if (!v || !v->is_string() || !table.count(v->get<std::string>())) {
    std::string names;
    for (const auto& [k, _] : table) names += (names.empty() ? "" : "|") + k;
    err = std::string("x-evh-source/") + key + " must be one of " + names;
    return false;
  }
  out = table.at(v->get<std::string>());
  return true;
}

std::size_t get_size(const Json& block, const char* ptr, std::size_t fallback) {
  const Json* v = find_at(block, ptr);
  return v && v->is_number_unsigned() ? v->get<std::size_t>() : fallback;
}

std::string get_string(const Json& block, const char* ptr) {
  const Json* v = find_at(block, ptr);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

}  // namespace

Result<Source> load_source(const Json& doc, const std::string& what, SourceHooks hooks) {
  auto schema = Schema::load(doc, what);
  if (!schema) return schema.error();
  if (!doc.is_object() || !doc.contains("x-evh-source") || !doc["x-evh-source"].is_object())
    return make_error(ErrorCode::kConfig, what + ": missing the x-evh-source object");
  const Json& b = doc["x-evh-source"];
  Source s;
  s.schema = std::move(*schema);
  s.meta = b;
  s.hooks = hooks;
  s.id = get_string(b, "/id");
  if (s.id.empty()) return make_error(ErrorCode::kConfig, what + ": x-evh-source/id is missing");
  s.title = get_string(b, "/title");
  s.summary = get_string(b, "/summary");
  s.service = get_string(b, "/service");
  std::string err;
  static const std::map<std::string, InvocationModel> kModels = {{"sync-push", InvocationModel::kSyncPush},
                                                                {"async-push", InvocationModel::kAsyncPush},
                                                                {"poll-queue", InvocationModel::kPollQueue},
                                                                {"poll-stream", InvocationModel::kPollStream},
                                                                {"poll-broker", InvocationModel::kPollBroker}};
  static const std::map<std::string, InvocationType> kTypes = {{"RequestResponse", InvocationType::kRequestResponse},
                                                              {"Event", InvocationType::kEvent}};
  static const std::map<std::string, PayloadEncoding> kEncodings = {
      {"none", PayloadEncoding::kNone},       {"text", PayloadEncoding::kText},
      {"base64", PayloadEncoding::kBase64},   {"gzip-base64", PayloadEncoding::kGzipBase64},
      {"json", PayloadEncoding::kJson},       {"ddb-json", PayloadEncoding::kDdbJson},
      {"json-strings", PayloadEncoding::kJsonStrings}};
  if (!parse_enum(b, "/invocation/model", kModels, s.model, err) ||
      !parse_enum(b, "/invocation/type", kTypes, s.type, err))
    return make_error(ErrorCode::kConfig, what + ": " + err);
  s.identity.records = get_string(b, "/identity/records");
  s.identity.grouped = find_at(b, "/identity/grouped") && find_at(b, "/identity/grouped")->is_boolean() &&
                       find_at(b, "/identity/grouped")->get<bool>();
  s.identity.id = get_string(b, "/identity/id");
  s.identity.ordering_key = get_string(b, "/identity/orderingKey");
  s.identity.payload = get_string(b, "/identity/payload");
  s.identity.base64_flag = get_string(b, "/identity/base64Flag");
  if (find_at(b, "/identity/encoding") && !parse_enum(b, "/identity/encoding", kEncodings, s.identity.encoding, err))
    return make_error(ErrorCode::kConfig, what + ": " + err);
  if (!s.identity.payload.empty() && s.identity.encoding == PayloadEncoding::kNone)
    return make_error(ErrorCode::kConfig, what + ": identity/payload is set but identity/encoding is none");
  s.limits.max_event_bytes = get_size(b, "/limits/maxEventBytes", 0);
  s.limits.max_record_bytes = get_size(b, "/limits/maxRecordBytes", 0);
  s.limits.min_payload_bytes = get_size(b, "/limits/minPayloadBytes", 0);
  s.limits.max_batch_records = get_size(b, "/limits/maxBatchRecords", s.batched() ? 10000 : 1);
  s.limits.max_response_bytes = get_size(b, "/limits/maxResponseBytes", 0);
  if (s.limits.max_event_bytes == 0)
    return make_error(ErrorCode::kConfig, what + ": x-evh-source/limits/maxEventBytes is missing");
  if (const Json* d = find_at(b, "/defaults"); d && d->is_object()) s.defaults = *d;
  s.response.contract = get_string(b, "/response/contract");
  s.response.read_by = get_string(b, "/response/readBy");
  if (s.response.contract.empty())
    return make_error(ErrorCode::kConfig, what + ": x-evh-source/response/contract is missing");
  if (const Json* rs = find_at(b, "/response/schema")) {
    auto r = Schema::load(*rs, what + "#/x-evh-source/response/schema");
    if (!r) return r.error();
    s.response.schema = std::move(*r);
  }
  if (s.batched()) {
    std::vector<std::string> path;
    for (const auto& tok : split_pointer(s.identity.records)) path.push_back(tok);
    if (s.identity.grouped) path.push_back("+");
    s.records_node = s.schema.find(path);
    if (!s.records_node || !(s.records_node->types & kTypeArray))
      return make_error(ErrorCode::kConfig, what + ": identity/records '" + s.identity.records +
                                                  "' does not name an array in the schema");
  }
  return s;
}

}  // namespace evh
