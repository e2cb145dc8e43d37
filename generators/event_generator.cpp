// Event generation pipeline for one source.
#include "generators/event_generator.h"

#include <algorithm>

namespace evh {

EventGenerator::EventGenerator(const Source& source, const PayloadContract& payload)
    : source_(source), payload_(payload) {
  options_.records = source.records_node;
}

Json EventGenerator::generate_event(Rng& rng, GenContext& ctx) const {
  GenOptions o = options_;
  if (source_.batched()) {
    const std::size_t cap = std::max<std::size_t>(1, std::min<std::size_t>(source_.limits.max_batch_records, 10));
    const std::size_t lo = source_.records_node->min_items.value_or(1);
    if (batch_size_ >= 0) {
      o.records_count = batch_size_;
    } else if (rng.chance(o.boundary_rate)) {
      o.records_count = static_cast<int64_t>(rng.chance(0.5) ? std::max<std::size_t>(lo, 1) : cap);
    } else {
      o.records_count = rng.range(static_cast<int64_t>(std::max<std::size_t>(lo, 1)), static_cast<int64_t>(cap));
    }
  }
  Json event = generate_value(source_.schema.root(), rng, ctx, o);
  if (source_.identity.encoding != PayloadEncoding::kNone && !source_.identity.payload.empty()) {
    for (const auto& rp : record_pointers(source_, event)) {
      Payload p = payload_.generate(rng, ctx);
      Json* rec = find_at(event, rp);
      if (!rec || !rec->is_object()) continue;
      (*rec)[Json::json_pointer(source_.identity.payload)] = encode_payload(p, source_.identity.encoding);
    }
  }
  if (source_.hooks.finalize) source_.hooks.finalize(event, rng, ctx);
  if (source_.batched()) trim_to_limit(event);
  return event;
}

namespace {

// An upper bound of dump(v).size() without serialising: a character escapes to at most six
// (\u00XX), numbers print in at most 32 characters.
std::size_t size_upper_bound(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string: return v.get_ref<const std::string&>().size() * 6 + 2;
    case Json::value_t::array: {
      std::size_t n = 2;
      for (const auto& c : v) n += size_upper_bound(c) + 1;
      return n;
    }
    case Json::value_t::object: {
      std::size_t n = 2;
      for (auto it = v.begin(); it != v.end(); ++it) n += it.key().size() * 6 + 4 + size_upper_bound(it.value());
      return n;
    }
    default: return 32;
  }
}

}  // namespace

void EventGenerator::trim_to_limit(Json& event) const {
  if (size_upper_bound(event) <= source_.limits.max_event_bytes) return;  // the common case: far under
  // The platform never sends more than the payload cap (SEMANTICS.md §3: an ESM batch goes when
  // it reaches 6 MB): drop trailing records until the event fits, as the poller would stop there.
  std::size_t size = dump(event).size();
  while (size > source_.limits.max_event_bytes) {
    auto rps = record_pointers(source_, event);
    if (rps.size() <= 1) return;
    std::size_t per_record = std::max<std::size_t>(1, size / rps.size());
    std::size_t drop = std::min(rps.size() - 1, (size - source_.limits.max_event_bytes) / per_record + 1);
    for (std::size_t i = 0; i < drop; ++i) {
      const std::string& rp = rps[rps.size() - 1 - i];
      auto cut = rp.rfind('/');
      Json* group = find_at(event, rp.substr(0, cut));
      if (group && group->is_array()) group->erase(group->size() - 1);
    }
    // Drop groups left empty (Kafka partitions with no records).
    if (Json* recs = find_at(event, source_.identity.records); recs && recs->is_object()) {
      for (auto it = recs->begin(); it != recs->end();) it = it->is_array() && it->empty() ? recs->erase(it) : std::next(it);
    }
    size = dump(event).size();
  }
}

Case EventGenerator::generate(uint64_t seed) const {
  Rng rng(seed);
  GenContext ctx = GenContext::draw(rng);
  Case c;
  c.source = source_.id;
  c.seed = seed;
  c.event = generate_event(rng, ctx);
  return c;
}

}  // namespace evh
