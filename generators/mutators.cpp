// THE table of mutators and the dispatcher. Every mutator reads the source's spec (identity,
// limits, schema), never a source id, so each one applies to every source whose events have
// the shape it needs, and returns nullopt elsewhere.
#include "generators/mutation.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <regex>

#include "generators/codec.h"
#include "generators/event_generator.h"
#include "generators/event_validator.h"
#include "generators/validate.h"

namespace evh {

const char* to_string(MutationKind k) { return k == MutationKind::kIllegal ? "illegal" : "legal-edge"; }

Result<MutateFilter> parse_mutate_filter(std::string_view s) {
  if (s == "none") return MutateFilter::kNone;
  if (s == "legal") return MutateFilter::kLegal;
  if (s == "illegal") return MutateFilter::kIllegal;
  if (s == "any") return MutateFilter::kAny;
  return make_error(ErrorCode::kUsage, "--mutate must be none, legal, illegal or any, not '" + std::string(s) + "'");
}

namespace {

using Opt = std::optional<Json>;

// ---- shared primitives --------------------------------------------------------------------

/// A present object property and the schema node that describes it.
struct Site {
  std::string ptr;
  const SchemaNode* node;  ///< resolved
  bool required;
};

void collect_sites(const SchemaNode* raw, const Json& v, const std::string& ptr, const std::vector<std::string>& skip,
                   std::vector<Site>& out) {
  if (!raw) return;
  const SchemaNode* n = &raw->resolved();
  if (!n->one_of.empty() || !n->any_of.empty()) {
    const SchemaNode* b = closest_branch(*n, v);
    if (b && !(b->properties.empty() && !n->properties.empty())) n = b;
  }
  for (const auto& s : skip)
    if (s == ptr) return;  // the payload's inside belongs to the user's contract
  if (v.is_object()) {
    for (const auto& [key, child] : v.items()) {
      std::string cptr = ptr + "/" + pointer_token(key);
      const SchemaProperty* p = n->property(key);
      const SchemaNode* sub = p ? p->node : n->additional;
      if (!sub) continue;
      out.push_back({cptr, &sub->resolved(), p && p->required});
      collect_sites(sub, child, cptr, skip, out);
    }
  } else if (v.is_array() && n->items) {
    for (std::size_t i = 0; i < v.size(); ++i) collect_sites(n->items, v[i], ptr + "/" + std::to_string(i), skip, out);
  }
}

std::vector<std::string> payload_pointers(const Json& ev, const Source& src) {
  std::vector<std::string> out;
  if (src.identity.payload.empty()) return out;
  for (const auto& rp : record_pointers(src, ev)) {
    const Json* rec = find_at(ev, rp);
    if (rec && find_at(*rec, src.identity.payload)) out.push_back(rp + src.identity.payload);
  }
  return out;
}

std::vector<Site> sites(const Json& ev, MutationContext& mc) {
  std::vector<Site> out;
  collect_sites(&mc.source.schema.root(), ev, "", payload_pointers(ev, mc.source), out);
  return out;
}

template <typename Pred>
const Site* pick_site(std::vector<Site>& all, Rng& rng, Pred pred) {
  std::vector<const Site*> ok;
  for (const auto& s : all)
    if (pred(s)) ok.push_back(&s);
  return ok.empty() ? nullptr : ok[rng.below(ok.size())];
}

void erase_at(Json& ev, const std::string& ptr) {
  auto cut = ptr.rfind('/');
  Json* parent = find_at(ev, ptr.substr(0, cut));
  std::string key = split_pointer(ptr.substr(cut)).at(0);
  if (!parent) return;
  if (parent->is_object()) {
    parent->erase(key);
  } else if (parent->is_array()) {
    parent->erase(static_cast<std::size_t>(std::stoul(key)));
  }
}

void refresh(Json& ev, MutationContext& mc) {
  if (mc.source.hooks.refresh) mc.source.hooks.refresh(ev);
}

/// Rewrites the payload of one record (picked at random) with `f(payload) -> optional<Payload>`.
template <typename F>
Opt with_payload(const Json& ev, MutationContext& mc, F f) {
  const Source& src = mc.source;
  if (src.identity.encoding == PayloadEncoding::kNone || src.identity.payload.empty()) return std::nullopt;
  auto rps = record_pointers(src, ev);
  std::vector<std::string> usable;
  for (const auto& rp : rps) {
    const Json* rec = find_at(ev, rp);
    if (rec && find_at(*rec, src.identity.payload)) usable.push_back(rp);
  }
  if (usable.empty()) return std::nullopt;
  const std::string& rp = mc.rng.pick(usable);
  Json out = ev;
  Json* rec = find_at(out, rp);
  auto payloads = record_payloads(src, *rec);
  if (!payloads || payloads->size() != 1) return std::nullopt;
  std::optional<Payload> changed = f((*payloads)[0], *rec);
  if (!changed) return std::nullopt;
  // Copies of this record (at-least-once duplicates) carry the same payload: change them all,
  // or a legal edge would turn a duplicate into two records with one id.
  const Json* id = src.identity.id.empty() ? nullptr : find_at(ev, rp + src.identity.id);
  const Json* before = find_at(ev, rp + src.identity.payload);
  for (const auto& other : usable) {
    if (other == rp || !id || !before) continue;
    const Json* oid = find_at(ev, other + src.identity.id);
    const Json* opay = find_at(ev, other + src.identity.payload);
    if (oid && opay && *oid == *id && *opay == *before) set_record_payload(src, *find_at(out, other), *changed);
  }
  set_record_payload(src, *rec, *changed);
  refresh(out, mc);
  return out;
}

std::string payload_text(const Payload& p) {
  return p.raw_text && p.value.is_string() ? p.value.get<std::string>() : dump(p.value);
}

bool text_encoding(const Source& s) {
  return s.identity.encoding == PayloadEncoding::kText || s.identity.encoding == PayloadEncoding::kBase64 ||
         s.identity.encoding == PayloadEncoding::kGzipBase64;
}

/// Sets the record payload field to raw bytes `text` under the source's encoding (may be non-JSON).
Opt with_payload_text(const Json& ev, MutationContext& mc, const std::function<std::optional<std::string>(const std::string&)>& f) {
  if (!text_encoding(mc.source)) return std::nullopt;
  return with_payload(ev, mc, [&](const Payload& p, Json&) -> std::optional<Payload> {
    auto t = f(payload_text(p));
    if (!t) return std::nullopt;
    return Payload{*t, true};
  });
}

// Timestamps: epoch formats shift numerically; ISO-8601 strings are parsed and re-printed.
std::optional<int64_t> parse_iso_ms(const std::string& s, bool& with_ms) {
  static const std::regex re(R"((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.(\d{3}))?Z)");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return std::nullopt;
  std::tm tm{};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  tm.tm_hour = std::stoi(m[4]);
  tm.tm_min = std::stoi(m[5]);
  tm.tm_sec = std::stoi(m[6]);
  with_ms = m[8].matched;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + (with_ms ? std::stoi(m[8]) : 0);
}

bool is_time_format(const SchemaNode* n) {
  if (!n || !n->evh_format) return false;
  auto id = n->evh_format->id;
  return id == "iso8601" || id == "iso8601-ms" || id == "epoch-s" || id == "epoch-ms" || id == "epoch-ms-string" ||
         id == "epoch-s-float";
}

/// Shifts every timestamp of the event by `delta_ms`, keeping each one's format, so their order holds.
Opt shift_times(const Json& ev, MutationContext& mc, int64_t delta_ms) {
  auto all = sites(ev, mc);
  Json out = ev;
  int changed = 0;
  for (const auto& s : all) {
    if (!is_time_format(s.node)) continue;
    Json* v = find_at(out, s.ptr);
    if (!v) continue;
    auto id = s.node->evh_format->id;
    if (id == "epoch-ms" && v->is_number_integer()) {
      *v = v->get<int64_t>() + delta_ms;
    } else if (id == "epoch-s" && v->is_number_integer()) {
      *v = v->get<int64_t>() + delta_ms / 1000;
    } else if (id == "epoch-s-float" && v->is_number()) {
      *v = std::round((v->get<double>() + static_cast<double>(delta_ms) / 1000.0) * 1000.0) / 1000.0;
    } else if (id == "epoch-ms-string" && v->is_string()) {
      auto t = std::strtoll(v->get<std::string>().c_str(), nullptr, 10) + delta_ms;
      if (t < 0) continue;
      *v = std::to_string(t);
    } else if (v->is_string()) {
      bool with_ms = false;
      auto t = parse_iso_ms(v->get<std::string>(), with_ms);
      if (!t || *t + delta_ms < 0) continue;
      *v = iso8601(*t + delta_ms, with_ms);
    } else {
      continue;
    }
    ++changed;
  }
  if (!changed) return std::nullopt;
  refresh(out, mc);
  return out;
}

Json* records_container(Json& ev, const Source& src) { return src.batched() ? find_at(ev, src.identity.records) : nullptr; }

/// A fresh event of `n` records from the generator, with this mutation's randomness.
Json regenerate(MutationContext& mc, int64_t n) {
  EventGenerator gen(mc.source, mc.payload);
  gen.set_batch_size(n);
  Rng rng = mc.rng.split();
  GenContext ctx = mc.ctx;
  return gen.generate_event(rng, ctx);
}

std::size_t size_of(const Json& ev) { return dump(ev).size(); }

/// Pads one record's payload with JSON whitespace (meaning unchanged) to reach `target_event_bytes`.
Opt pad_payload_to(const Json& ev, MutationContext& mc, std::size_t target_event_bytes, std::size_t record_cap) {
  if (!text_encoding(mc.source)) return std::nullopt;
  std::size_t now = size_of(ev);
  if (target_event_bytes <= now) return std::nullopt;
  if (mc.source.identity.encoding == PayloadEncoding::kGzipBase64) return std::nullopt;  // gzip would shrink padding
  return with_payload(ev, mc, [&](const Payload& p, Json& rec) -> std::optional<Payload> {
    const Json* field = find_at(rec, mc.source.identity.payload);
    std::size_t field_now = field && field->is_string() ? field->get_ref<const std::string&>().size() : 0;
    // Spaces serialise 1:1, so the event grows by exactly what the field grows.
    std::size_t grow = target_event_bytes - now;
    if (record_cap) {
      if (record_cap <= field_now) return std::nullopt;
      grow = std::min(grow, record_cap - field_now);
    }
    std::string text = payload_text(p);
    std::size_t add = grow;
    if (mc.source.identity.encoding == PayloadEncoding::kBase64) {
      // base64 writes 4 characters per 3 bytes: the most raw bytes whose encoding fits `grow`.
      std::size_t target_encoded = field_now + grow;
      std::size_t raw_total = target_encoded / 4 * 3;
      if (raw_total <= text.size()) return std::nullopt;
      add = raw_total - text.size();
    }
    if (add == 0) return std::nullopt;
    text.append(add, ' ');
    return Payload{text, true};
  });
}

// ---- legal edges --------------------------------------------------------------------------

Opt body_empty(const Json& ev, MutationContext& mc) {
  if (mc.source.limits.min_payload_bytes > 0) return std::nullopt;
  return with_payload_text(ev, mc, [](const std::string&) -> std::optional<std::string> { return std::string(); });
}

Opt body_whitespace(const Json& ev, MutationContext& mc) {
  return with_payload_text(ev, mc, [](const std::string& t) -> std::optional<std::string> {
    if (t.empty()) return std::nullopt;
    return " \n\t" + t + "\r\n ";
  });
}

Opt body_null(const Json& ev, MutationContext& mc) {
  const Source& src = mc.source;
  if (src.identity.payload.empty()) return std::nullopt;
  auto all = sites(ev, mc);
  for (const auto& p : payload_pointers(ev, src)) {
    // The payload field's own schema node decides whether null is allowed.
    for (const auto& s : all) {
      if (s.ptr == p && (s.node->types & kTypeNull) && s.node->types != kTypeAny) {
        Json out = ev;
        *find_at(out, p) = nullptr;
        if (!src.identity.base64_flag.empty()) {
          std::string rp = p.substr(0, p.size() - src.identity.payload.size());
          if (Json* flag = find_at(out, rp + src.identity.base64_flag); flag && flag->is_boolean()) *flag = false;
        }
        refresh(out, mc);
        return out;
      }
    }
  }
  return std::nullopt;
}

Opt body_max_size(const Json& ev, MutationContext& mc) {
  const auto& l = mc.source.limits;
  // The largest event the platform sends, leaving the record under its own cap (SEMANTICS.md §1, §3.1).
  return pad_payload_to(ev, mc, l.max_event_bytes, l.max_record_bytes);
}

Opt body_unicode(const Json& ev, MutationContext& mc) {
  static const char* kSamples[] = {"h\u00e9llo w\u00f6rld", "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8",
                                   "emoji \U0001F680\U0001F525 ok", "\u202eRTL override\u202c", "combining e\u0301\u0301",
                                   "zero\u200bwidth", "\u0645\u0631\u062d\u0628\u0627"};
  const char* sample = kSamples[mc.rng.below(std::size(kSamples))];
  return with_payload(ev, mc, [&](const Payload& p, Json&) -> std::optional<Payload> {
    Payload out = p;
    if (p.raw_text) {
      out.value = p.value.get<std::string>() + sample;
      return out;
    }
    // Append to one string leaf of the payload, then keep it only if the contract still holds.
    std::vector<Json*> leaves;
    std::function<void(Json&)> walk = [&](Json& v) {
      if (v.is_string()) leaves.push_back(&v);
      if (v.is_structured())
        for (auto& c : v) walk(c);
    };
    walk(out.value);
    if (leaves.empty()) return std::nullopt;
    Json* leaf = leaves[mc.rng.below(leaves.size())];
    *leaf = leaf->get<std::string>() + sample;
    if (mc.payload.schema()) {
      std::vector<Problem> problems;
      validate_value(mc.payload.schema()->root(), out.value, "", problems);
      if (!problems.empty()) return std::nullopt;
    }
    return out;
  });
}

Opt field_drop_optional(const Json& ev, MutationContext& mc) {
  auto all = sites(ev, mc);
  auto payloads = payload_pointers(ev, mc.source);
  const Site* s = pick_site(all, mc.rng, [&](const Site& x) {
    if (x.required) return false;
    for (const auto& p : payloads)
      if (x.ptr == p) return false;  // dropping the payload is body.* territory
    return true;
  });
  if (!s) return std::nullopt;
  Json out = ev;
  erase_at(out, s->ptr);
  refresh(out, mc);
  return out;
}

Opt field_extra_unknown(const Json& ev, MutationContext& mc) {
  // Objects that allow undeclared properties: AWS adds fields over time.
  auto all = sites(ev, mc);
  std::vector<std::string> targets;
  const SchemaNode& root = mc.source.schema.root().resolved();
  if (ev.is_object() && root.additional_allowed && !root.additional && root.one_of.empty() && root.any_of.empty())
    targets.push_back("");
  for (const auto& s : all) {
    const Json* v = find_at(ev, s.ptr);
    if (v && v->is_object() && s.node->additional_allowed && !s.node->additional && !s.node->property_names &&
        !s.node->properties.empty() && s.node->one_of.empty() && s.node->any_of.empty())
      targets.push_back(s.ptr);
  }
  if (targets.empty()) return std::nullopt;
  Json out = ev;
  Json* obj = find_at(out, mc.rng.pick(targets));
  (*obj)["evhAddedField"] = Json{{"addedBy", "platform"}, {"version", 2}};
  refresh(out, mc);
  return out;
}

Opt field_null_allowed(const Json& ev, MutationContext& mc) {
  auto all = sites(ev, mc);
  auto payloads = payload_pointers(ev, mc.source);
  const Site* s = pick_site(all, mc.rng, [&](const Site& x) {
    if (!(x.node->types & kTypeNull) || x.node->types == kTypeAny) return false;
    if (!x.node->one_of.empty() || !x.node->any_of.empty() || x.node->const_value || !x.node->enum_values.empty()) return false;
    const Json* v = find_at(ev, x.ptr);
    for (const auto& p : payloads)
      if (x.ptr == p) return false;
    return v && !v->is_null();
  });
  if (!s) return std::nullopt;
  Json out = ev;
  *find_at(out, s->ptr) = nullptr;
  refresh(out, mc);
  return out;
}

Opt batch_single(const Json& ev, MutationContext& mc) {
  if (!mc.source.batched()) return std::nullopt;
  auto rps = record_pointers(mc.source, ev);
  if (rps.size() < 2) return std::nullopt;
  Json out = ev;
  Json* recs = records_container(out, mc.source);
  if (mc.source.identity.grouped) {
    // Keep the first record of the first group.
    std::string first_key = recs->begin().key();
    Json one = Json::object();
    one[first_key] = Json::array({(*recs)[first_key][0]});
    *recs = one;
  } else {
    *recs = Json::array({(*recs)[0]});
  }
  return out;
}

Opt batch_max_size(const Json& ev, MutationContext& mc) {
  if (!mc.source.batched()) return std::nullopt;
  auto rps = record_pointers(mc.source, ev);
  if (rps.empty()) return std::nullopt;
  const auto& l = mc.source.limits;
  std::size_t per_record = std::max<std::size_t>(1, size_of(ev) / rps.size());
  // As many records as BatchSize allows and the payload cap admits (SEMANTICS.md §3: 6 MB).
  std::size_t n = std::min<std::size_t>(l.max_batch_records, l.max_event_bytes * 9 / 10 / per_record);
  if (n <= rps.size()) return std::nullopt;
  // A whole new batch: records carry fields tied to the envelope (a tumbling window's shard and
  // bounds), so splicing fresh records into the old envelope would break it. The generator
  // cuts the batch at the payload cap as the platform does.
  Json out = regenerate(mc, static_cast<int64_t>(n));
  if (record_pointers(mc.source, out).size() <= rps.size()) return std::nullopt;
  return out;
}

bool order_promised(const Source& s) {
  return !s.identity.ordering_key.empty() || s.model == InvocationModel::kPollStream;
}

Opt batch_duplicate_record(const Json& ev, MutationContext& mc) {
  // At-least-once delivery: the same message again (SEMANTICS.md §2, §3). Only where records
  // carry no sequence that a copy would break.
  if (!mc.source.batched() || mc.source.identity.grouped || order_promised(mc.source)) return std::nullopt;
  Json out = ev;
  Json* recs = records_container(out, mc.source);
  if (!recs || !recs->is_array() || recs->empty() || recs->size() >= mc.source.limits.max_batch_records) return std::nullopt;
  std::size_t i = mc.rng.below(recs->size());
  Json copy = (*recs)[i];
  // A redelivered SQS message keeps its id and gets a new receipt handle (SEMANTICS.md §8.4).
  if (copy.is_object() && copy.contains("receiptHandle")) copy["receiptHandle"] = "AQEB" + mc.rng.chars(140, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
  recs->insert(recs->begin() + static_cast<std::ptrdiff_t>(i + 1), copy);
  return out;
}

Opt batch_reorder(const Json& ev, MutationContext& mc) {
  if (!mc.source.batched() || mc.source.identity.grouped || order_promised(mc.source)) return std::nullopt;
  Json out = ev;
  Json* recs = records_container(out, mc.source);
  if (!recs || !recs->is_array() || recs->size() < 2) return std::nullopt;
  for (std::size_t i = recs->size() - 1; i > 0; --i) std::swap((*recs)[i], (*recs)[mc.rng.below(i + 1)]);
  return out;
}

Opt receive_count_high(const Json& ev, MutationContext& mc) {
  Json out = ev;
  bool any = false;
  for (const auto& rp : record_pointers(mc.source, ev)) {
    Json* c = find_at(out, rp + "/attributes/ApproximateReceiveCount");
    if (c && c->is_string() && mc.rng.chance(0.7)) {
      *c = std::to_string(mc.rng.range(2, 1000));  // redelivered many times: near the redrive threshold
      any = true;
    }
  }
  if (!any) return std::nullopt;
  return out;
}

Opt timestamp_far_future(const Json& ev, MutationContext& mc) {
  return shift_times(ev, mc, int64_t{70} * 365 * 24 * 3600 * 1000);
}

Opt timestamp_backlog(const Json& ev, MutationContext& mc) {
  // Records that waited in a stream or queue for days (Kinesis retention up to 7 days).
  return shift_times(ev, mc, -int64_t{6} * 24 * 3600 * 1000 - mc.rng.range(0, 3600000));
}

Opt s3_key_url_encoded(const Json& ev, MutationContext& mc) {
  static const char* kKeys[] = {"reports/2026 Q1/daily summary (final).csv", "uploads/caf\u00e9 men\u00fc+special.json",
                                "a b/c&d=e?f#g.txt", "\u65e5\u672c/\u30d5\u30a1\u30a4\u30eb name.png"};
  Json out = ev;
  bool any = false;
  for (const auto& rp : record_pointers(mc.source, ev)) {
    Json* key = find_at(out, rp + "/s3/object/key");
    if (key && key->is_string()) {
      *key = codec::url_form_encode(kKeys[mc.rng.below(std::size(kKeys))]);  // SEMANTICS.md §6.12
      any = true;
    }
  }
  if (!any) return std::nullopt;
  return out;
}

Opt apigw_multi_value_headers(const Json& ev, MutationContext& mc) {
  Json out = ev;
  Json* mv = find_at(out, "/multiValueHeaders");
  Json* h = find_at(out, "/headers");
  if (!mv || !mv->is_object()) return std::nullopt;
  std::string a = find_format("ipv4")->generate(mc.rng, mc.ctx).get<std::string>();
  std::string b = find_format("ipv4")->generate(mc.rng, mc.ctx).get<std::string>();
  (*mv)["X-Forwarded-For"] = Json::array({a, b});
  (*mv)["Accept"] = Json::array({"application/json", "text/plain"});
  // Payload 1.0 puts the last value of a repeated header in `headers` (SEMANTICS.md §6.1).
  if (h && h->is_object()) {
    (*h)["X-Forwarded-For"] = b;
    (*h)["Accept"] = "text/plain";
  }
  return out;
}

Opt apigw_base64_body(const Json& ev, MutationContext& mc) {
  const Source& src = mc.source;
  if (src.identity.base64_flag.empty() || src.batched()) return std::nullopt;
  Json out = ev;
  Json* flag = find_at(out, src.identity.base64_flag);
  Json* body = find_at(out, src.identity.payload);
  if (!flag || !flag->is_boolean() || flag->get<bool>() || !body || !body->is_string()) return std::nullopt;
  *body = codec::base64_encode(body->get<std::string>());
  *flag = true;
  return out;
}

Opt headers_case_mixed(const Json& ev, MutationContext& mc) {
  // Payload 1.0 and ALB pass header names as the client sent them; 2.0 lower-cases them.
  if (find_at(ev, "/version") && *find_at(ev, "/version") == "2.0") return std::nullopt;
  const Json* h = find_at(ev, "/headers");
  if (!h || !h->is_object() || h->empty()) return std::nullopt;
  Json out = ev;
  std::vector<std::string> names;
  for (const auto& [k, _] : h->items()) names.push_back(k);
  const std::string& name = mc.rng.pick(names);
  std::string mixed = name;
  for (auto& c : mixed) c = static_cast<char>(mc.rng.chance(0.5) ? std::toupper(static_cast<unsigned char>(c)) : std::tolower(static_cast<unsigned char>(c)));
  if (mixed == name) return std::nullopt;
  for (const char* map : {"/headers", "/multiValueHeaders"}) {
    Json* m = find_at(out, map);
    if (m && m->is_object() && m->contains(name) && !m->contains(mixed)) {
      Json v = (*m)[name];
      m->erase(name);
      (*m)[mixed] = v;
    }
  }
  return out;
}

Opt kinesis_aggregated_record(const Json& ev, MutationContext& mc) {
  // A KPL producer packs several user records into one Kinesis record.
  std::vector<std::string> rps;
  for (const auto& rp : record_pointers(mc.source, ev))
    if (const Json* d = find_at(ev, rp + "/kinesis/data"); d && d->is_string()) rps.push_back(rp);
  if (rps.empty()) return std::nullopt;
  Json out = ev;
  Json& rec = *find_at(out, mc.rng.pick(rps));
  Json& data = rec["kinesis"]["data"];
  auto raw = codec::base64_decode(data.get<std::string>());
  if (!raw) return std::nullopt;
  std::vector<std::string> parts{*raw};
  for (int64_t i = mc.rng.range(1, 3); i > 0; --i) parts.push_back(payload_text(mc.payload.generate(mc.rng, mc.ctx)));
  const Json* pk = find_at(rec, "/kinesis/partitionKey");
  data = codec::base64_encode(codec::kpl_aggregate({pk && pk->is_string() ? pk->get<std::string>() : "pk"}, parts));
  return out;
}

Opt ddb_remove_no_newimage(const Json& ev, MutationContext& mc) {
  Json out = ev;
  std::vector<Json*> recs;
  for (const auto& rp : record_pointers(mc.source, out))
    if (Json* r = find_at(out, rp); r && find_at(*r, "/dynamodb/Keys")) recs.push_back(r);
  if (recs.empty()) return std::nullopt;
  Json& r = *recs[mc.rng.below(recs.size())];
  Json& d = r["dynamodb"];
  // A delete: the old image (when the view has one) and no new image.
  if (d.contains("NewImage")) d["OldImage"] = d["NewImage"];
  d.erase("NewImage");
  if (!d.contains("OldImage")) d["OldImage"] = d["Keys"];
  d["StreamViewType"] = "NEW_AND_OLD_IMAGES";
  r["eventName"] = "REMOVE";
  refresh(out, mc);
  return out;
}

Opt ddb_keys_only(const Json& ev, MutationContext& mc) {
  Json out = ev;
  bool any = false;
  for (const auto& rp : record_pointers(mc.source, out)) {
    Json* d = find_at(out, rp + "/dynamodb");
    if (!d || !d->is_object() || !d->contains("Keys")) continue;
    d->erase("NewImage");
    d->erase("OldImage");
    (*d)["StreamViewType"] = "KEYS_ONLY";
    any = true;
  }
  if (!any) return std::nullopt;
  refresh(out, mc);
  return out;
}

Opt fifo_single_group(const Json& ev, MutationContext& mc) {
  Json out = ev;
  auto rps = record_pointers(mc.source, out);
  std::string group;
  std::vector<Json*> attrs;
  for (const auto& rp : rps) {
    Json* a = find_at(out, rp + "/attributes");
    if (!a || !a->is_object() || !a->contains("MessageGroupId")) return std::nullopt;
    attrs.push_back(a);
  }
  if (attrs.size() < 2) return std::nullopt;
  group = (*attrs[0])["MessageGroupId"].is_string() ? (*attrs[0])["MessageGroupId"].get<std::string>() : "group-1";
  // One group: sequence numbers increase in batch order (SEMANTICS.md §3.1 FIFO).
  // 20-digit FIFO sequence numbers: a fixed prefix and an increasing 17-digit tail.
  uint64_t base = 10000000000000000ULL + mc.rng.below(1000000) * 1000;
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    (*attrs[i])["MessageGroupId"] = group;
    if (attrs[i]->contains("SequenceNumber")) (*attrs[i])["SequenceNumber"] = "188" + std::to_string(base + i * 17);
  }
  refresh(out, mc);
  return out;
}

// ---- illegal input ------------------------------------------------------------------------

Opt body_not_json(const Json& ev, MutationContext& mc) {
  if (!mc.payload.json()) return std::nullopt;
  static const char* kTexts[] = {"not json {", "<xml>order</xml>", "{\"orderId\": ", "undefined", "\xef\xbb\xbf{}x"};
  std::string t = kTexts[mc.rng.below(std::size(kTexts))];
  return with_payload_text(ev, mc, [&](const std::string&) -> std::optional<std::string> { return t; });
}

Opt payload_contract_violation(const Json& ev, MutationContext& mc) {
  if (!mc.payload.schema()) return std::nullopt;
  const SchemaNode& root = mc.payload.schema()->root().resolved();
  return with_payload(ev, mc, [&](const Payload& p, Json&) -> std::optional<Payload> {
    if (p.raw_text || !p.value.is_object()) return std::nullopt;
    Payload out = p;
    std::vector<std::string> required;
    for (const auto& prop : root.properties)
      if (prop.required && out.value.contains(prop.name)) required.push_back(prop.name);
    if (!required.empty() && mc.rng.chance(0.5)) {
      out.value.erase(mc.rng.pick(required));
    } else if (!required.empty()) {
      std::string k = mc.rng.pick(required);
      out.value[k] = out.value[k].is_string() ? Json(12345) : Json("not-the-declared-type");
    } else {
      return std::nullopt;
    }
    return out;
  });
}

Opt payload_base64_invalid(const Json& ev, MutationContext& mc) {
  auto all = sites(ev, mc);
  std::vector<std::string> targets;
  for (const auto& s : all)
    if (s.node->evh_format && (s.node->evh_format->id == "base64" || s.node->evh_format->id == "gzip-base64")) targets.push_back(s.ptr);
  if (mc.source.identity.encoding == PayloadEncoding::kBase64 || mc.source.identity.encoding == PayloadEncoding::kGzipBase64)
    for (const auto& p : payload_pointers(ev, mc.source)) targets.push_back(p);
  if (targets.empty()) return std::nullopt;
  Json out = ev;
  Json* v = find_at(out, mc.rng.pick(targets));
  if (!v || !v->is_string()) return std::nullopt;
  *v = "!!not*base64@@" + mc.rng.chars(5, "#$%&*");
  return out;
}

Opt payload_gzip_truncated(const Json& ev, MutationContext& mc) {
  auto all = sites(ev, mc);
  std::vector<std::string> targets;
  for (const auto& s : all)
    if (s.node->evh_format && s.node->evh_format->id == "gzip-base64") targets.push_back(s.ptr);
  if (mc.source.identity.encoding == PayloadEncoding::kGzipBase64)
    for (const auto& p : payload_pointers(ev, mc.source)) targets.push_back(p);
  if (targets.empty()) return std::nullopt;
  Json out = ev;
  Json* v = find_at(out, mc.rng.pick(targets));
  if (!v || !v->is_string()) return std::nullopt;
  auto raw = codec::base64_decode(v->get<std::string>());
  if (!raw || raw->size() < 4) return std::nullopt;
  *v = codec::base64_encode(raw->substr(0, raw->size() / 2));  // a stream cut mid-way
  return out;
}

Opt payload_binary(const Json& ev, MutationContext& mc) {
  if (!mc.payload.json() || mc.source.identity.encoding != PayloadEncoding::kBase64) return std::nullopt;
  auto ps = payload_pointers(ev, mc.source);
  if (ps.empty()) return std::nullopt;
  Json out = ev;
  std::string bytes;
  for (int i = 0; i < 48; ++i) bytes += static_cast<char>(0x80 + mc.rng.below(0x80));  // never valid UTF-8 text
  *find_at(out, mc.rng.pick(ps)) = codec::base64_encode(bytes);
  return out;
}

Opt field_drop_required(const Json& ev, MutationContext& mc) {
  auto all = sites(ev, mc);
  const Site* s = pick_site(all, mc.rng, [](const Site& x) { return x.required; });
  if (!s) return std::nullopt;
  Json out = ev;
  erase_at(out, s->ptr);
  return out;
}

Opt field_null(const Json& ev, MutationContext& mc) {
  auto all = sites(ev, mc);
  const Site* s = pick_site(all, mc.rng, [](const Site& x) {
    return x.node->types != kTypeAny && !(x.node->types & kTypeNull) && x.node->one_of.empty() && x.node->any_of.empty() &&
           !(x.node->const_value && x.node->const_value->is_null());
  });
  if (!s) return std::nullopt;
  Json out = ev;
  *find_at(out, s->ptr) = nullptr;
  return out;
}

Opt field_wrong_type(const Json& ev, MutationContext& mc) {
  auto all = sites(ev, mc);
  const Site* s = pick_site(all, mc.rng, [](const Site& x) {
    return x.node->types != kTypeAny && x.node->types != 0 && x.node->one_of.empty() && x.node->any_of.empty();
  });
  if (!s) return std::nullopt;
  const uint8_t t = s->node->types;
  std::vector<Json> candidates;
  if (!(t & kTypeString)) candidates.push_back("wrong-type");
  if (!(t & (kTypeNumber | kTypeInteger))) candidates.push_back(42);
  if (!(t & kTypeBoolean)) candidates.push_back(true);
  if (!(t & kTypeArray)) candidates.push_back(Json::array({"x"}));
  if (!(t & kTypeObject)) candidates.push_back(Json{{"unexpected", "object"}});
  if (candidates.empty()) return std::nullopt;
  Json out = ev;
  *find_at(out, s->ptr) = mc.rng.pick(candidates);
  return out;
}

Opt numbers_as_strings(const Json& ev, MutationContext& mc) {
  auto all = sites(ev, mc);
  const Site* s = pick_site(all, mc.rng, [&](const Site& x) {
    const Json* v = find_at(ev, x.ptr);
    return v && v->is_number() && !(x.node->types & kTypeString) && x.node->one_of.empty() && x.node->any_of.empty();
  });
  if (!s) return std::nullopt;
  Json out = ev;
  Json* v = find_at(out, s->ptr);
  *v = dump(*v);  // 200 → "200"
  return out;
}

Opt enum_unknown(const Json& ev, MutationContext& mc) {
  auto all = sites(ev, mc);
  const Site* s = pick_site(all, mc.rng, [](const Site& x) {
    bool strings = !x.node->enum_values.empty() && x.node->enum_values[0].is_string();
    return strings || (x.node->const_value && x.node->const_value->is_string());
  });
  if (!s) return std::nullopt;
  Json out = ev;
  *find_at(out, s->ptr) = "EVH_UNKNOWN_VALUE";
  return out;
}

Opt string_too_long(const Json& ev, MutationContext& mc) {
  auto all = sites(ev, mc);
  const Site* s = pick_site(all, mc.rng, [&](const Site& x) {
    const Json* v = find_at(ev, x.ptr);
    return v && v->is_string() && x.node->max_length && *x.node->max_length < 100000;
  });
  if (!s) return std::nullopt;
  Json out = ev;
  *find_at(out, s->ptr) = std::string(*s->node->max_length + 1 + mc.rng.below(16), 'x');
  return out;
}

Opt number_out_of_range(const Json& ev, MutationContext& mc) {
  auto all = sites(ev, mc);
  const Site* s = pick_site(all, mc.rng, [&](const Site& x) {
    const Json* v = find_at(ev, x.ptr);
    return v && v->is_number() && (x.node->minimum || x.node->maximum);
  });
  if (!s) return std::nullopt;
  Json out = ev;
  Json* v = find_at(out, s->ptr);
  bool integer = v->is_number_integer();
  double bad = s->node->maximum && (!s->node->minimum || mc.rng.chance(0.5)) ? *s->node->maximum + 1 : *s->node->minimum - 1;
  *v = integer ? Json(static_cast<int64_t>(std::floor(bad))) : Json(bad);
  return out;
}

Opt arn_malformed(const Json& ev, MutationContext& mc) {
  auto all = sites(ev, mc);
  const Site* s = pick_site(all, mc.rng, [&](const Site& x) {
    const Json* v = find_at(ev, x.ptr);
    return v && v->is_string() && x.node->evh_format && x.node->evh_format->id == "arn";
  });
  if (!s) return std::nullopt;
  Json out = ev;
  *find_at(out, s->ptr) = mc.rng.chance(0.5) ? "not-an-arn" : "aws:sqs:us-east-1:123456789012";
  return out;
}

Opt timestamp_malformed(const Json& ev, MutationContext& mc) {
  auto all = sites(ev, mc);
  const Site* s = pick_site(all, mc.rng, [&](const Site& x) { return is_time_format(x.node) && find_at(ev, x.ptr); });
  if (!s) return std::nullopt;
  Json out = ev;
  *find_at(out, s->ptr) = mc.rng.chance(0.5) ? "yesterday at noon" : "2026-13-45T25:61:00Z";
  return out;
}

Opt batch_empty(const Json& ev, MutationContext& mc) {
  if (!mc.source.batched() || !mc.source.records_node->min_items || *mc.source.records_node->min_items == 0) return std::nullopt;
  Json out = ev;
  Json* recs = records_container(out, mc.source);
  if (!recs) return std::nullopt;
  if (mc.source.identity.grouped) {
    if (!recs->is_object() || recs->empty()) return std::nullopt;
    for (auto& [_, g] : recs->items()) g = Json::array();
  } else {
    *recs = Json::array();
  }
  return out;
}

Opt batch_over_max(const Json&, MutationContext& mc) {
  // One record more than BatchSize may ever be (cheap only where the maximum is small).
  const auto max = mc.source.limits.max_batch_records;
  if (!mc.source.batched() || max > 100) return std::nullopt;
  Json fresh = regenerate(mc, static_cast<int64_t>(max + 1));
  if (record_pointers(mc.source, fresh).size() <= max) return std::nullopt;
  return fresh;
}

Opt batch_over_6mb(const Json& ev, MutationContext& mc) {
  // Over the 6 MB batch cap the ESM never sends (SEMANTICS.md §0.2, §3).
  if (!mc.source.batched()) return std::nullopt;
  return pad_payload_to(ev, mc, mc.source.limits.max_event_bytes + 8 + mc.rng.below(4096), 0);
}

Opt event_over_limit(const Json& ev, MutationContext& mc) {
  if (mc.source.batched()) return std::nullopt;
  std::size_t target = mc.source.limits.max_event_bytes + 8 + mc.rng.below(4096);
  if (auto padded = pad_payload_to(ev, mc, target, 0)) return padded;
  // No payload to pad: an extra field carries the bytes (only where extra fields are allowed).
  if (!ev.is_object()) return std::nullopt;
  Json out = ev;
  out["evhPadding"] = std::string(target - std::min(target, size_of(ev)) + 32, 'x');
  return out;
}

Opt batch_duplicate_id(const Json& ev, MutationContext& mc) {
  if (!mc.source.batched() || mc.source.identity.id.empty()) return std::nullopt;
  auto rps = record_pointers(mc.source, ev);
  if (mc.source.identity.grouped) {
    // Ids are per group: both records must come from one group.
    std::string first_group = rps.empty() ? "" : rps[0].substr(0, rps[0].rfind('/'));
    std::vector<std::string> same;
    for (const auto& rp : rps)
      if (rp.substr(0, rp.rfind('/')) == first_group) same.push_back(rp);
    rps = same;
  }
  if (rps.size() < 2) return std::nullopt;
  Json out = ev;
  const std::string& a = rps[0];
  const std::string& b = rps[1 + mc.rng.below(rps.size() - 1)];
  const Json* id_a = find_at(ev, a + mc.source.identity.id);
  Json* id_b = find_at(out, b + mc.source.identity.id);
  if (!id_a || !id_b) return std::nullopt;
  const Json* pa = mc.source.identity.payload.empty() ? nullptr : find_at(ev, a + mc.source.identity.payload);
  const Json* pb = mc.source.identity.payload.empty() ? nullptr : find_at(ev, b + mc.source.identity.payload);
  if (!pa || !pb || *pa == *pb) return std::nullopt;  // a true duplicate would be legal
  *id_b = *id_a;
  return out;
}

Opt event_not_object(const Json& ev, MutationContext& mc) {
  const uint8_t t = mc.source.schema.root().resolved().types;
  std::vector<Json> c;
  if (!(t & kTypeArray)) c.push_back(Json::array({ev}));
  if (!(t & kTypeString)) c.push_back("event");
  if (!(t & (kTypeNumber | kTypeInteger))) c.push_back(0);
  if (!(t & kTypeNull)) c.push_back(nullptr);
  if (c.empty() || t == kTypeAny) return std::nullopt;
  return mc.rng.pick(c);
}

Opt event_empty_object(const Json& ev, MutationContext& mc) {
  const SchemaNode& root = mc.source.schema.root().resolved();
  bool has_required = false;
  for (const auto& p : root.properties) has_required = has_required || p.required;
  if (!(root.types & kTypeObject) || !has_required || ev == Json::object()) return std::nullopt;
  return Json::object();
}

Opt md5_mismatch(const Json& ev, MutationContext& mc) {
  Json out = ev;
  std::vector<Json*> fields;
  for (const auto& rp : record_pointers(mc.source, out))
    if (Json* m = find_at(out, rp + "/md5OfBody"); m && m->is_string()) fields.push_back(m);
  if (fields.empty()) return std::nullopt;
  *fields[mc.rng.below(fields.size())] = codec::md5_hex("something else " + mc.rng.chars(8, "abcdef"));
  return out;
}

Opt id_empty(const Json& ev, MutationContext& mc) {
  if (!mc.source.batched() || mc.source.identity.id.empty()) return std::nullopt;
  Json out = ev;
  auto rps = record_pointers(mc.source, out);
  if (rps.empty()) return std::nullopt;
  Json* id = find_at(out, mc.rng.pick(rps) + mc.source.identity.id);
  if (!id || !id->is_string()) return std::nullopt;
  *id = "";
  return out;
}

Opt order_swapped(const Json& ev, MutationContext& mc) {
  // Records of one shard / group out of sequence: the platform never delivers that (SEMANTICS.md §8b).
  if (!mc.source.batched() || !order_promised(mc.source) || !mc.source.hooks.check) return std::nullopt;
  Json out = ev;
  Json* recs = records_container(out, mc.source);
  Json* arr = recs;
  if (mc.source.identity.grouped) {
    arr = nullptr;
    if (recs && recs->is_object())
      for (auto& [_, g] : recs->items())
        if (g.is_array() && g.size() >= 2) arr = &g;
  }
  if (!arr || !arr->is_array() || arr->size() < 2) return std::nullopt;
  std::size_t i = mc.rng.below(arr->size() - 1);
  std::swap((*arr)[i], (*arr)[arr->size() - 1]);
  // Only an order the source's own check can see counts (FIFO needs two records of one group).
  std::vector<Problem> problems;
  mc.source.hooks.check(out, problems);
  if (problems.empty()) return std::nullopt;
  return out;
}

}  // namespace

const std::vector<Mutator>& mutators() {
  using K = MutationKind;
  static const std::vector<Mutator> kMutators = {
      // Legal edges: the platform may send these; the handler must process them correctly.
      {"body.empty", K::kLegalEdge, "empty payload where the source allows one (Kinesis data, HTTP body)", body_empty},
      {"body.whitespace", K::kLegalEdge, "payload wrapped in JSON whitespace (same document)", body_whitespace},
      {"body.null", K::kLegalEdge, "payload field null where the platform sends null (HTTP requests without a body)", body_null},
      {"body.max-size", K::kLegalEdge, "one payload padded to the source's real size limit", body_max_size},
      {"body.unicode", K::kLegalEdge, "multi-byte, emoji, RTL and combining characters in a payload string", body_unicode},
      {"field.drop-optional", K::kLegalEdge, "an optional field absent", field_drop_optional},
      {"field.extra-unknown", K::kLegalEdge, "an undeclared field added (AWS adds fields over time)", field_extra_unknown},
      {"field.null-allowed", K::kLegalEdge, "a nullable field set to null", field_null_allowed},
      {"batch.single", K::kLegalEdge, "a batch of one record", batch_single},
      {"batch.max-size", K::kLegalEdge, "as many records as BatchSize and the 6 MB cap allow", batch_max_size},
      {"batch.duplicate-record", K::kLegalEdge, "the same message twice (at-least-once delivery)", batch_duplicate_record},
      {"batch.reorder", K::kLegalEdge, "records shuffled where the source promises no order", batch_reorder},
      {"attributes.receive-count-high", K::kLegalEdge, "a message received many times before (redelivery)", receive_count_high},
      {"timestamp.far-future", K::kLegalEdge, "every timestamp 70 years ahead (clock skew, age arithmetic)", timestamp_far_future},
      {"timestamp.backlog", K::kLegalEdge, "every timestamp six days back (a stream or queue backlog)", timestamp_backlog},
      {"s3.key-url-encoded", K::kLegalEdge, "an object key with spaces and non-ASCII, form-encoded as S3 sends it", s3_key_url_encoded},
      {"apigw.multi-value-headers", K::kLegalEdge, "repeated headers in multiValueHeaders, the last value in headers", apigw_multi_value_headers},
      {"apigw.base64-body", K::kLegalEdge, "the HTTP body base64-encoded with isBase64Encoded true", apigw_base64_body},
      {"headers.case-mixed", K::kLegalEdge, "a header name in mixed case (payload 1.0 and ALB keep the client's case)", headers_case_mixed},
      {"kinesis.aggregated-record", K::kLegalEdge, "a KPL-aggregated Kinesis record holding several user records", kinesis_aggregated_record},
      {"ddb.remove-no-newimage", K::kLegalEdge, "a REMOVE record: OldImage only", ddb_remove_no_newimage},
      {"ddb.keys-only", K::kLegalEdge, "StreamViewType KEYS_ONLY: no images", ddb_keys_only},
      {"fifo.single-group", K::kLegalEdge, "every record of a FIFO batch in one message group", fifo_single_group},
      // Illegal input: breaks the contract; the handler must reject it safely.
      {"body.not-json", K::kIllegal, "a payload that is not JSON where the contract says JSON", body_not_json},
      {"payload.contract-violation", K::kIllegal, "a JSON payload missing a required field or with a wrong type", payload_contract_violation},
      {"payload.base64-invalid", K::kIllegal, "a base64 field that does not decode", payload_base64_invalid},
      {"payload.gzip-truncated", K::kIllegal, "a gzip+base64 field cut mid-stream", payload_gzip_truncated},
      {"payload.binary", K::kIllegal, "binary, non-UTF-8 bytes where the contract says JSON", payload_binary},
      {"field.drop-required", K::kIllegal, "a required field absent", field_drop_required},
      {"field.null", K::kIllegal, "a non-nullable field set to null", field_null},
      {"field.wrong-type", K::kIllegal, "a field of another JSON type", field_wrong_type},
      {"numbers.as-strings", K::kIllegal, "a number sent as a string (\"200\" for 200)", numbers_as_strings},
      {"enum.unknown", K::kIllegal, "a value outside a documented closed set", enum_unknown},
      {"string.too-long", K::kIllegal, "a string over its documented maximum length", string_too_long},
      {"number.out-of-range", K::kIllegal, "a number outside its documented range", number_out_of_range},
      {"arn.malformed", K::kIllegal, "an ARN that is not one", arn_malformed},
      {"timestamp.malformed", K::kIllegal, "a timestamp that does not parse", timestamp_malformed},
      {"batch.empty", K::kIllegal, "a batch with no records", batch_empty},
      {"batch.over-max", K::kIllegal, "more records than BatchSize may be", batch_over_max},
      {"batch.over-6mb", K::kIllegal, "a batch over the 6 MB payload cap", batch_over_6mb},
      {"event.over-limit", K::kIllegal, "an event over the source's invoke payload limit", event_over_limit},
      {"batch.duplicate-id", K::kIllegal, "two different records with one id", batch_duplicate_id},
      {"event.not-object", K::kIllegal, "the event is not a JSON object", event_not_object},
      {"event.empty-object", K::kIllegal, "the event is {}", event_empty_object},
      {"md5.mismatch", K::kIllegal, "md5OfBody that is not the body's MD5", md5_mismatch},
      {"id.empty", K::kIllegal, "a record id that is the empty string", id_empty},
      {"order.swapped", K::kIllegal, "records of one shard or message group out of sequence", order_swapped},
  };
  return kMutators;
}

const Mutator* find_mutator(std::string_view id) {
  for (const auto& m : mutators())
    if (m.id == id) return &m;
  return nullptr;
}

bool keeps_its_promise(const Mutator& m, const Json& event, MutationContext& mc) {
  ValidateOptions o;
  o.payload = &mc.payload;
  bool valid = is_valid(validate_event(mc.source, event, o), true);
  return m.kind == MutationKind::kLegalEdge ? valid : !valid;
}

Case mutate(const Case& base, MutateFilter filter, MutationContext& mc, int max_chain) {
  if (filter == MutateFilter::kNone) return base;
  constexpr int kMaxTries = 64;  // draws of not-applicable mutators before giving up on a step
  Case c = base;
  const auto& table = mutators();
  int steps = static_cast<int>(mc.rng.range(1, std::max(1, max_chain)));
  for (int step = 0; step < steps; ++step) {
    // An illegal chain ends with its illegal step: a later legal edge (batch.single, say) could
    // otherwise remove what made the case illegal. Any illegal step ends a chain for that reason.
    bool last = step == steps - 1;
    bool want_illegal = filter == MutateFilter::kIllegal && last;
    bool want_legal = filter == MutateFilter::kLegal || (filter == MutateFilter::kIllegal && !last);
    bool applied_illegal = false;
    for (int attempt = 0; attempt < kMaxTries; ++attempt) {
      const Mutator& m = table[mc.rng.below(table.size())];
      if (want_illegal && m.kind != MutationKind::kIllegal) continue;
      if (want_legal && m.kind != MutationKind::kLegalEdge) continue;
      Opt out = m.apply(c.event, mc);
      if (!out || !keeps_its_promise(m, *out, mc)) continue;
      c.event = std::move(*out);
      c.mutations.emplace_back(m.id);
      applied_illegal = m.kind == MutationKind::kIllegal;
      if (applied_illegal) c.expect = Expect::kIllegal;
      break;
    }
    if (applied_illegal) break;
  }
  return c;
}

Result<Case> apply_chain(const Case& base, const std::vector<std::string>& ids, MutationContext& mc) {
  Case c = base;
  c.mutations.clear();
  c.expect = Expect::kValid;
  for (const auto& id : ids) {
    const Mutator* m = find_mutator(id);
    if (!m) return make_error(ErrorCode::kConfig, "unknown mutator '" + id + "' (evh list mutators)");
    Opt out = m->apply(c.event, mc);
    if (!out) return make_error(ErrorCode::kConfig, "mutator '" + id + "' does not apply to this event");
    c.event = std::move(*out);
    c.mutations.push_back(id);
    if (m->kind == MutationKind::kIllegal) c.expect = Expect::kIllegal;
  }
  return c;
}

}  // namespace evh

namespace evh {

Case make_case(const EventGenerator& gen, uint64_t case_seed, MutateFilter filter) {
  Case c = gen.generate(case_seed);
  if (filter == MutateFilter::kNone) return c;
  Rng rng(mix64(case_seed ^ 0x6d757461746f72ULL));  // "mutator": a stream apart from generation
  GenContext ctx = GenContext::draw(rng);
  MutationContext mc{gen.source(), gen.payload(), rng, ctx};
  return mutate(c, filter, mc);
}

}  // namespace evh
