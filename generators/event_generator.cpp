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
  return event;
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
