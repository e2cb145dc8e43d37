// FuzzCase: decoding, encoding and structure-aware mutation of handler-fuzzer inputs.
#include "harness/fuzz_case.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <set>

#include "generators/codec.h"
#include "generators/event_generator.h"
#include "generators/event_validator.h"
#include "generators/gen_context.h"
#include "generators/payload.h"
#include "generators/rng.h"
#include "harness/check.h"
#include "harness/internal/fuzz_bytes.h"

namespace evh::harness {
namespace {

using internal::ByteReader;
using internal::ByteWriter;

constexpr uint64_t kFuzzMutatorSalt = 0x66757a7a6d7574ULL;  // "fuzzmut": the chain's stream, apart from generation
// Header: magic, layout version, table fingerprint (8 hex digits), profile length (2 bytes, little
// endian), the profile as JSON.
constexpr std::size_t kFingerprintChars = 8;
constexpr std::size_t kHeaderFixedBytes = kFuzzInputMagic.size() + 1 + kFingerprintChars + 2;
constexpr std::size_t kMaxProfileBytes = 0xffff;
// Keys of a scenario document that a profile does not carry: the run's own (each input has its
// cases, seed, chain and faults) and free text.
constexpr const char* kRunKeys[] = {"description", "source", "mode", "target", "cases", "seed", "mutate", "faults"};

/// What the tables an input indexes into look like: an input is only read by an evh with the same.
const std::string& table_fingerprint() {
  static const std::string kFingerprint = [] {
    std::string ids = "mutators:";
    for (const auto& m : mutators()) ids += std::string(m.id) + ",";
    ids += "faults:";
    for (const auto& f : fault_kinds()) ids += std::string(f.name) + ",";
    return codec::sha1_hex(ids).substr(0, kFingerprintChars);
  }();
  return kFingerprint;
}

std::size_t level_of(double rate) {
  std::size_t best = 1;
  for (std::size_t i = 1; i < kFuzzFaultLevels; ++i)
    if (std::abs(kFuzzFaultRates[i] - rate) < std::abs(kFuzzFaultRates[best] - rate)) best = i;
  return best;
}

/// The header's length when `bytes` start with one (0 when they do not, or it is cut short).
std::size_t header_length(std::string_view bytes) {
  if (!is_fuzz_input(bytes) || bytes.size() < kHeaderFixedBytes) return 0;
  const auto lo = static_cast<uint8_t>(bytes[kHeaderFixedBytes - 2]);
  const auto hi = static_cast<uint8_t>(bytes[kHeaderFixedBytes - 1]);
  const std::size_t n = kHeaderFixedBytes + (static_cast<std::size_t>(hi) << 8 | lo);
  return n <= bytes.size() ? n : 0;
}

/// The body of `bytes` for `space`: after its own header, after another profile's, or all of it.
std::string_view body_of(const FuzzSpace& space, std::string_view bytes) {
  if (bytes.substr(0, space.header().size()) == space.header()) return bytes.substr(space.header().size());
  if (const std::size_t n = header_length(bytes)) return bytes.substr(n);
  return bytes;
}

/// `bytes` with every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD.
std::string utf8_repaired(std::string_view bytes) {
  if (codec::is_utf8(bytes)) return std::string(bytes);
  std::string out;
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto c = static_cast<uint8_t>(bytes[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n > 0 && i + n <= bytes.size() && codec::is_utf8(bytes.substr(i, n))) {
      out.append(bytes.substr(i, n));
      i += n;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

/// Puts `bytes` as the payload of the event's first record: JSON when they parse as JSON, else
/// text (repaired to UTF-8 where the source carries text). A payload the contract refuses makes
/// the case illegal, as payload.contract-violation does.
void put_payload(const Source& source, const PayloadContract& contract, const std::string& bytes, Case& c) {
  if (source.identity.payload.empty() || source.identity.encoding == PayloadEncoding::kNone) return;
  const auto pointers = record_pointers(source, c.event);
  if (pointers.empty()) return;
  Json* record = find_at(c.event, pointers.front());
  if (record == nullptr || !record->is_object()) return;
  Payload p;
  Json parsed = parse_untrusted(bytes);
  if (!parsed.is_discarded()) {
    p = Payload{std::move(parsed), false};
  } else {
    const bool binary_ok = source.identity.encoding == PayloadEncoding::kBase64 || source.identity.encoding == PayloadEncoding::kGzipBase64;
    p = Payload{Json(binary_ok ? bytes : utf8_repaired(bytes)), true};
  }
  set_record_payload(source, *record, p);
  if (source.hooks.refresh != nullptr) source.hooks.refresh(c.event);  // derived values (SQS md5OfBody) follow
  ValidateOptions o;
  o.payload = &contract;
  if (!is_valid(validate_event(source, c.event, o), true)) c.expect = Expect::kIllegal;
}

// --- structure-aware mutations: one table, libFuzzer's way (each returns false when it does not
// apply to this case) -----------------------------------------------------------------------------

struct MutationEnv {
  const FuzzSpace& space;
  Rng& rng;
  const ByteMutator& raw;
};

using FuzzMutation = bool (*)(FuzzCase& c, MutationEnv& env);

bool seed_run(FuzzCase& c, MutationEnv& env) {
  c.seed = env.rng.next();
  return true;
}

bool event_reseed(FuzzCase& c, MutationEnv& env) {
  c.events[env.rng.below(c.events.size())] = env.rng.next();
  return true;
}

bool event_add(FuzzCase& c, MutationEnv& env) {
  if (c.events.size() >= kFuzzMaxEvents) return false;
  c.events.insert(c.events.begin() + static_cast<std::ptrdiff_t>(env.rng.below(c.events.size() + 1)), env.rng.next());
  return true;
}

bool event_drop(FuzzCase& c, MutationEnv& env) {
  if (c.events.size() <= 1) return false;
  c.events.erase(c.events.begin() + static_cast<std::ptrdiff_t>(env.rng.below(c.events.size())));
  return true;
}

bool batch_size(FuzzCase& c, MutationEnv& env) {
  if (env.space.max_batch() == 0) return false;
  const std::size_t n = env.rng.below(env.space.max_batch() + 1);
  if (n == c.batch_size) return false;
  c.batch_size = n;
  return true;
}

bool large_mutator(std::string_view id) {
  return std::find(std::begin(kFuzzLargeMutators), std::end(kFuzzLargeMutators), id) != std::end(kFuzzLargeMutators);
}

/// A mutator of the space for a chain, the large ones kFuzzLargeMutatorOdds times less often.
std::string draw_mutator(MutationEnv& env) {
  const auto large = large_mutator;
  const Mutator* m = env.rng.pick(env.space.mutators());
  for (int redraw = 0; redraw < 8 && large(m->id) && env.rng.below(kFuzzLargeMutatorOdds) != 0; ++redraw) m = env.rng.pick(env.space.mutators());
  return std::string(m->id);
}

bool chain_add(FuzzCase& c, MutationEnv& env) {
  if (env.space.mutators().empty() || c.mutations.size() >= kFuzzMaxChain) return false;
  const auto at = static_cast<std::ptrdiff_t>(env.rng.below(c.mutations.size() + 1));
  c.mutations.insert(c.mutations.begin() + at, draw_mutator(env));
  return true;
}

bool chain_drop(FuzzCase& c, MutationEnv& env) {
  if (c.mutations.empty()) return false;
  c.mutations.erase(c.mutations.begin() + static_cast<std::ptrdiff_t>(env.rng.below(c.mutations.size())));
  return true;
}

bool chain_replace(FuzzCase& c, MutationEnv& env) {
  if (c.mutations.empty() || env.space.mutators().size() < 2) return false;
  std::string& step = c.mutations[env.rng.below(c.mutations.size())];
  const std::string next = draw_mutator(env);
  if (next == step) return false;
  step = next;
  return true;
}

bool fault_toggle(FuzzCase& c, MutationEnv& env) {
  if (env.space.faults().empty()) return false;
  const FaultId id = env.rng.pick(env.space.faults());
  auto it = std::find_if(c.faults.begin(), c.faults.end(), [&](const auto& f) { return f.first == id; });
  if (it != c.faults.end()) {
    c.faults.erase(it);
    return true;
  }
  c.faults.emplace_back(id, kFuzzFaultRates[1 + env.rng.below(kFuzzFaultLevels - 1)]);
  // Table order, as decode() gives them.
  std::vector<std::pair<FaultId, double>> ordered;
  for (FaultId f : env.space.faults())
    for (const auto& p : c.faults)
      if (p.first == f) ordered.push_back(p);
  c.faults = std::move(ordered);
  return true;
}

bool fault_rate(FuzzCase& c, MutationEnv& env) {
  if (c.faults.empty()) return false;
  double& rate = c.faults[env.rng.below(c.faults.size())].second;
  const double next = kFuzzFaultRates[1 + env.rng.below(kFuzzFaultLevels - 1)];
  if (next == rate) return false;
  rate = next;
  return true;
}

bool payload_generate(FuzzCase& c, MutationEnv& env) {
  if (env.space.source().identity.encoding == PayloadEncoding::kNone) return false;
  GenContext ctx = GenContext::draw(env.rng);
  const Payload p = PayloadContract::builtin().generate(env.rng, ctx);
  c.payload = p.raw_text && p.value.is_string() ? p.value.get<std::string>() : dump(p.value);
  return true;
}

bool payload_bytes(FuzzCase& c, MutationEnv& env) {
  if (!c.payload) return false;
  std::string& s = *c.payload;
  if (env.raw) {
    // libFuzzer's own mutators, with what its comparison tracing learnt about the handler.
    std::string buf = s;
    buf.resize(kFuzzMaxPayloadBytes);
    const std::size_t n = env.raw(reinterpret_cast<uint8_t*>(buf.data()), std::min(s.size(), kFuzzMaxPayloadBytes), kFuzzMaxPayloadBytes);
    buf.resize(std::min(n, kFuzzMaxPayloadBytes));
    if (buf == s) return false;
    s = std::move(buf);
    return true;
  }
  // Without libFuzzer (tests, replay_main): a few byte edits.
  const std::string before = s;
  switch (env.rng.below(4)) {
    case 0:
      if (!s.empty()) s[env.rng.below(s.size())] ^= static_cast<char>(1u << env.rng.below(8));
      break;
    case 1:
      if (s.size() < kFuzzMaxPayloadBytes) s.insert(s.begin() + static_cast<std::ptrdiff_t>(env.rng.below(s.size() + 1)), static_cast<char>(env.rng.below(256)));
      break;
    case 2:
      if (!s.empty()) s.erase(s.begin() + static_cast<std::ptrdiff_t>(env.rng.below(s.size())));
      break;
    default:
      if (s.size() + 2 <= kFuzzMaxPayloadBytes) s.insert(env.rng.below(s.size() + 1), "\xc3\xa9");  // a two-byte character
      break;
  }
  return s != before;
}

bool payload_drop(FuzzCase& c, MutationEnv&) {
  if (!c.payload) return false;
  c.payload.reset();
  return true;
}

struct FuzzMutationEntry {
  const char* name;
  FuzzMutation fn;
};

const std::vector<FuzzMutationEntry>& fuzz_mutations() {
  static const std::vector<FuzzMutationEntry> kTable = {
      {"seed.run", seed_run},          {"event.reseed", event_reseed},   {"event.add", event_add},
      {"event.drop", event_drop},      {"batch.size", batch_size},       {"chain.add", chain_add},
      {"chain.drop", chain_drop},      {"chain.replace", chain_replace}, {"fault.toggle", fault_toggle},
      {"fault.rate", fault_rate},      {"payload.generate", payload_generate},
      {"payload.bytes", payload_bytes}, {"payload.drop", payload_drop},
  };
  return kTable;
}

/// encode(), made smaller when the result would pass `max_size`: the payload cut, then mutators
/// and events dropped from the end; "" when even one event and nothing else does not fit.
std::string encode_within(const FuzzSpace& space, FuzzCase c, std::size_t max_size) {
  std::string out = encode(space, c);
  if (out.size() > max_size && c.payload) {
    const std::size_t over = out.size() - max_size;
    if (over < c.payload->size()) {
      c.payload->resize(c.payload->size() - over);
    } else {
      c.payload.reset();
    }
    out = encode(space, c);
  }
  while (out.size() > max_size && (!c.mutations.empty() || c.events.size() > 1)) {
    if (!c.mutations.empty()) {
      c.mutations.pop_back();
    } else {
      c.events.pop_back();
    }
    out = encode(space, c);
  }
  return out.size() <= max_size ? out : std::string();
}

}  // namespace

// --- FuzzProfile --------------------------------------------------------------------------------

Json FuzzProfile::to_json() const {
  return Json{{"source", source}, {"mode", mode},         {"scenario", scenario}, {"mutate", mutate},
              {"faults", faults}, {"invariants", invariants}, {"target", target}};
}

Result<FuzzProfile> FuzzProfile::from_json(const Json& j, const std::string& what) {
  if (!j.is_object()) return make_error(ErrorCode::kConfig, what + ": the fuzz profile must be a JSON object");
  FuzzProfile p;
  const std::initializer_list<std::pair<const char*, std::string*>> fields = {
      {"source", &p.source}, {"mode", &p.mode}, {"mutate", &p.mutate}, {"faults", &p.faults}, {"invariants", &p.invariants}, {"target", &p.target}};
  for (auto [key, field] : fields) {
    auto it = j.find(key);
    if (it == j.end()) continue;
    if (!it->is_string()) return make_error(ErrorCode::kConfig, what + ": fuzz profile \"" + key + "\" must be a string");
    *field = it->get<std::string>();
  }
  if (auto it = j.find("scenario"); it != j.end()) p.scenario = *it;
  if (p.source.empty()) return make_error(ErrorCode::kConfig, what + ": the fuzz profile names no source");
  return p;
}

// --- FuzzSpace ----------------------------------------------------------------------------------

Result<FuzzSpace> FuzzSpace::make(FuzzProfile profile) {
  if (profile.scenario.is_null()) profile.scenario = Json::object();
  if (profile.scenario.is_object())
    for (const char* k : kRunKeys) profile.scenario.erase(k);
  CheckSpec spec{profile.source, profile.mode, profile.scenario, profile.mutate.empty() ? "any" : profile.mutate, "", profile.invariants};
  auto config = check_config(spec, "fuzz profile");
  if (!config) return config.error();
  if (profile.mutate.empty()) {
    // In poll mode the mapping builds each event from the records it read: what reaches the
    // handler is a legal event, whatever the producer sent. Illegal input is for push sources.
    profile.mutate = config->mode == Mode::kPoll ? "legal" : "any";
    config->mutate = config->mode == Mode::kPoll ? MutateFilter::kLegal : MutateFilter::kAny;
  }

  FuzzSpace s;
  s.config_ = std::move(*config);
  s.config_.shrink = false;
  s.config_.target_description = profile.target;
  for (const auto& m : evh::mutators()) {
    if (s.config_.mutate == MutateFilter::kNone) break;
    if (s.config_.mutate == MutateFilter::kLegal && m.kind != MutationKind::kLegalEdge) continue;
    s.mutators_.push_back(&m);
  }
  if (profile.faults == "all") {
    for (const auto& k : fault_kinds()) s.faults_.push_back(k.id);
  } else if (!profile.faults.empty() && profile.faults != "none") {
    std::vector<std::string> names;
    for (std::size_t pos = 0; pos <= profile.faults.size();) {
      const auto comma = std::min(profile.faults.find(',', pos), profile.faults.size());
      if (comma > pos) names.push_back(profile.faults.substr(pos, comma - pos));
      pos = comma + 1;
    }
    for (const auto& k : fault_kinds()) {
      if (std::find(names.begin(), names.end(), k.name) != names.end()) s.faults_.push_back(k.id);
    }
    for (const auto& n : names) {
      if (std::none_of(fault_kinds().begin(), fault_kinds().end(), [&](const FaultKind& k) { return n == k.name; }))
        return make_error(ErrorCode::kUsage, "fuzz profile::faults: unknown fault '" + n + "' (evh list faults)");
    }
  }
  const Source& src = *s.config_.source;
  s.max_batch_ = src.batched() ? std::min(src.limits.max_batch_records, kFuzzMaxBatch) : 0;

  const std::string doc = profile.to_json().dump();
  if (doc.size() > kMaxProfileBytes) return make_error(ErrorCode::kUsage, "fuzz profile: the scenario is too large for an input header (over 64 KB)");
  s.header_ = std::string(kFuzzInputMagic) + static_cast<char>(kFuzzInputVersion) + table_fingerprint();
  s.header_ += static_cast<char>(doc.size() & 0xff);
  s.header_ += static_cast<char>(doc.size() >> 8);
  s.header_ += doc;
  s.profile_ = std::move(profile);
  return s;
}

// --- FuzzCase -----------------------------------------------------------------------------------

FaultPlan FuzzCase::fault_plan() const {
  std::string spec;
  for (const auto& [id, rate] : faults) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", rate);
    spec += (spec.empty() ? "" : ",") + std::string(to_string(id)) + "=" + text;
  }
  auto plan = FaultPlan::parse(spec);
  EVH_CHECK(plan.ok()) << "a fuzz case's fault plan does not parse: " << spec;
  return *plan;
}

std::string FuzzCase::describe() const {
  std::string s = std::to_string(events.size()) + (events.size() == 1 ? " event (seed " : " events (seeds ");
  for (std::size_t i = 0; i < events.size(); ++i) s += (i ? ", " : "") + std::to_string(events[i]);
  s += "), batch " + (batch_size ? std::to_string(batch_size) : std::string("drawn"));
  std::string chain;
  for (const auto& m : mutations) chain += (chain.empty() ? "" : " > ") + m;
  s += ", mutations: " + (chain.empty() ? std::string("none") : chain);
  s += ", faults: " + fault_plan().to_string();
  s += ", run seed " + std::to_string(seed);
  if (payload) s += ", payload " + std::to_string(payload->size()) + " bytes";
  return s;
}

bool is_fuzz_input(std::string_view bytes) { return bytes.substr(0, kFuzzInputMagic.size()) == kFuzzInputMagic; }

FuzzCase decode(const FuzzSpace& space, std::string_view body) {
  ByteReader in(body);
  FuzzCase c;
  c.seed = in.integral<uint64_t>();
  const auto n = in.integral_in_range<uint8_t>(1, static_cast<uint8_t>(kFuzzMaxEvents));
  c.events.assign(n, 0);
  for (auto& e : c.events) e = in.integral<uint64_t>();
  c.batch_size = in.integral_in_range<uint8_t>(0, static_cast<uint8_t>(space.max_batch()));
  const auto& table = space.mutators();
  const auto steps = in.integral_in_range<uint8_t>(0, table.empty() ? 0 : static_cast<uint8_t>(kFuzzMaxChain));
  for (uint8_t i = 0; i < steps; ++i)
    c.mutations.emplace_back(table[in.integral_in_range<uint16_t>(0, static_cast<uint16_t>(table.size() - 1))]->id);
  for (FaultId f : space.faults()) {
    const auto level = in.integral_in_range<uint8_t>(0, static_cast<uint8_t>(kFuzzFaultLevels - 1));
    if (level > 0) c.faults.emplace_back(f, kFuzzFaultRates[level]);
  }
  if (in.integral_in_range<uint8_t>(0, 1) == 1) {
    std::string p = in.remaining_bytes();
    if (p.size() > kFuzzMaxPayloadBytes) p.resize(kFuzzMaxPayloadBytes);
    c.payload = std::move(p);
  }
  return c;
}

std::string encode(const FuzzSpace& space, const FuzzCase& kase) {
  ByteWriter out;
  out.integral<uint64_t>(kase.seed);
  std::vector<uint64_t> events = kase.events;
  if (events.empty()) events.push_back(0);
  if (events.size() > kFuzzMaxEvents) events.resize(kFuzzMaxEvents);
  out.integral_in_range<uint8_t>(static_cast<uint8_t>(events.size()), 1, static_cast<uint8_t>(kFuzzMaxEvents));
  for (uint64_t e : events) out.integral<uint64_t>(e);
  out.integral_in_range<uint8_t>(static_cast<uint8_t>(std::min(kase.batch_size, space.max_batch())), 0, static_cast<uint8_t>(space.max_batch()));
  const auto& table = space.mutators();
  std::vector<uint16_t> steps;
  for (const auto& id : kase.mutations) {
    auto it = std::find_if(table.begin(), table.end(), [&](const Mutator* m) { return m->id == id; });
    if (it != table.end() && steps.size() < kFuzzMaxChain) steps.push_back(static_cast<uint16_t>(it - table.begin()));
  }
  out.integral_in_range<uint8_t>(static_cast<uint8_t>(steps.size()), 0, table.empty() ? 0 : static_cast<uint8_t>(kFuzzMaxChain));
  for (uint16_t i : steps) out.integral_in_range<uint16_t>(i, 0, static_cast<uint16_t>(table.size() - 1));
  for (FaultId f : space.faults()) {
    auto it = std::find_if(kase.faults.begin(), kase.faults.end(), [&](const auto& p) { return p.first == f; });
    out.integral_in_range<uint8_t>(it == kase.faults.end() ? 0 : static_cast<uint8_t>(level_of(it->second)), 0,
                                   static_cast<uint8_t>(kFuzzFaultLevels - 1));
  }
  out.integral_in_range<uint8_t>(kase.payload ? 1 : 0, 0, 1);
  if (kase.payload) out.remaining_bytes(std::string_view(*kase.payload).substr(0, kFuzzMaxPayloadBytes));
  return space.header() + out.finish();
}

std::optional<FuzzCase> decode_input(const FuzzSpace& space, std::string_view bytes) {
  if (bytes.substr(0, space.header().size()) != space.header()) return std::nullopt;
  return decode(space, bytes.substr(space.header().size()));
}

Result<FuzzInput> read_fuzz_input(std::string_view bytes, const std::string& path) {
  auto bad = [&](const std::string& what) { return make_error(ErrorCode::kConfig, path + ": " + what); };
  if (!is_fuzz_input(bytes)) return bad("not an evh fuzz input (it does not start with \"EVHF\")");
  if (bytes.size() < kHeaderFixedBytes) return bad("a fuzz input cut short inside its header");
  if (static_cast<uint8_t>(bytes[kFuzzInputMagic.size()]) != kFuzzInputVersion)
    return bad("a fuzz input of layout " + std::to_string(static_cast<uint8_t>(bytes[kFuzzInputMagic.size()])) + ", this evh reads layout " +
               std::to_string(kFuzzInputVersion) + ": replay its finding file instead");
  const std::string_view fingerprint = bytes.substr(kFuzzInputMagic.size() + 1, kFingerprintChars);
  if (fingerprint != table_fingerprint())
    return bad("written by an evh whose mutator or fault table differs (tables " + std::string(fingerprint) + ", this evh " +
               table_fingerprint() + "): replay its finding file instead, or fuzz again");
  const std::size_t n = header_length(bytes);
  if (n == 0) return bad("a fuzz input cut short inside its header");
  Json doc = parse_untrusted(bytes.substr(kHeaderFixedBytes, n - kHeaderFixedBytes));
  if (doc.is_discarded()) return bad("the fuzz input's profile is not JSON");
  auto profile = FuzzProfile::from_json(doc, path);
  if (!profile) return profile.error();
  auto space = FuzzSpace::make(std::move(*profile));
  if (!space) return bad(space.error().message);
  FuzzCase kase = decode(*space, bytes.substr(n));
  return FuzzInput{std::move(*space), std::move(kase)};
}

std::string mutate(const FuzzSpace& space, std::string_view bytes, std::size_t max_size, uint64_t seed, const ByteMutator& raw,
                   std::string* applied) {
  const FuzzCase base = decode(space, body_of(space, bytes));
  Rng rng(mix64(seed));
  MutationEnv env{space, rng, raw};
  const auto& table = fuzz_mutations();
  constexpr int kMaxTries = 32;  // draws of mutations that do not apply before giving up
  for (int attempt = 0; attempt < kMaxTries; ++attempt) {
    const FuzzMutationEntry& m = table[rng.below(table.size())];
    FuzzCase next = base;
    if (!m.fn(next, env) || next == base) continue;
    std::string out = encode_within(space, next, max_size);
    if (out.empty()) continue;
    if (applied != nullptr) *applied = m.name;
    return out;
  }
  if (applied != nullptr) *applied = "none";
  return encode_within(space, base, max_size);
}

std::string cross_over(const FuzzSpace& space, std::string_view a, std::string_view b, std::size_t max_size, uint64_t seed) {
  const FuzzCase x = decode(space, body_of(space, a));
  const FuzzCase y = decode(space, body_of(space, b));
  Rng rng(mix64(seed));
  FuzzCase c = x;
  if (rng.chance(0.5)) c.seed = y.seed;
  // Events: a prefix of one parent, then a suffix of the other.
  const std::size_t from_x = 1 + rng.below(x.events.size());
  const std::size_t from_y = rng.below(y.events.size() + 1);
  c.events.assign(x.events.begin(), x.events.begin() + static_cast<std::ptrdiff_t>(from_x));
  c.events.insert(c.events.end(), y.events.end() - static_cast<std::ptrdiff_t>(from_y), y.events.end());
  if (c.events.size() > kFuzzMaxEvents) c.events.resize(kFuzzMaxEvents);
  if (rng.chance(0.5)) c.batch_size = y.batch_size;
  if (rng.chance(0.5)) c.mutations = y.mutations;
  if (rng.chance(0.5)) c.faults = y.faults;
  if (rng.chance(0.5)) c.payload = y.payload;
  return encode_within(space, c, max_size);
}

std::vector<Case> fuzz_events(const FuzzSpace& space, const FuzzCase& kase) {
  const Source& source = space.source();
  const PayloadContract& contract = PayloadContract::builtin();
  EventGenerator gen(source, contract);
  if (source.batched() && kase.batch_size > 0) gen.set_batch_size(static_cast<int64_t>(std::min(kase.batch_size, space.max_batch())));
  std::vector<Case> out;
  out.reserve(kase.events.size());
  std::set<uint64_t> seen;
  for (uint64_t event_seed : kase.events) {
    // An event seed twice (a cross-over splices events) would send the same messageIds as other
    // messages: no queue or stream does that (a duplicate delivery is the `duplicate-delivery`
    // fault or workload.duplicates). Each seed's event goes once.
    if (!seen.insert(event_seed).second) continue;
    Case c = gen.generate(event_seed);
    if (kase.payload) put_payload(source, contract, *kase.payload, c);
    const bool payload_illegal = c.expect == Expect::kIllegal;
    Rng rng(mix64(event_seed ^ kFuzzMutatorSalt));
    GenContext ctx = GenContext::draw(rng);
    MutationContext mc{source, contract, rng, ctx};
    for (const auto& id : kase.mutations) {
      const Mutator* m = find_mutator(id);
      if (m == nullptr) continue;
      // A megabyte mutator changes the first event only: one 6 MB event shows what such an event
      // does, more of them only multiply the run time (under ASan, past libFuzzer's timeout).
      if (!out.empty() && large_mutator(id)) continue;
      auto next = m->apply(c.event, mc);
      // Once the payload made the case illegal, no legal edge can keep its promise: apply as is.
      if (!next || (!payload_illegal && !keeps_its_promise(*m, *next, mc))) continue;
      c.event = std::move(*next);
      c.mutations.push_back(id);
      if (m->kind == MutationKind::kIllegal) {
        c.expect = Expect::kIllegal;
        break;  // as in mutate(): a later legal edge could undo what made it illegal
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

RunConfig fuzz_run_config(const FuzzSpace& space, const FuzzCase& kase) {
  RunConfig config = space.config();
  config.seed = kase.seed;
  config.faults = kase.fault_plan();
  config.input = fuzz_events(space, kase);
  config.cases = config.input.size();
  config.shrink = false;
  return config;
}

}  // namespace evh::harness
