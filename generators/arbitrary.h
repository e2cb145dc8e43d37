// RapidCheck generators over the schema engine: `evh::gen::valid_case(source)` is an
// rc::Gen<Case> named "<source>/valid", so handler properties can draw real events. A satellite
// (target evh::rapidcheck): the core library does not depend on RapidCheck.
#pragma once

#include <rapidcheck.h>

#include <algorithm>

#include "generators/case.h"
#include "generators/event_generator.h"
#include "generators/mutation.h"
#include "generators/payload.h"
#include "generators/source.h"

namespace evh {

/// How RapidCheck prints a counterexample: source, seed, mutation chain and the event.
inline void showValue(const Case& c, std::ostream& os) {
  std::string event = dump(c.event);
  if (event.size() > 2000) event = event.substr(0, 2000) + "...";
  os << c.source << " seed=" << c.seed << " mutations: " << c.chain() << " expect=" << to_string(c.expect) << "\n"
     << event;
}

}  // namespace evh

namespace evh::gen {

namespace internal {

/// Smaller cases: the same event with one record fewer (never fewer than one).
inline rc::Seq<Case> fewer_records(const Source& source, const Case& c) {
  if (!source.batched() || source.identity.grouped) return rc::Seq<Case>();
  const Json* recs = find_at(c.event, source.identity.records);
  if (!recs || !recs->is_array() || recs->size() < 2) return rc::Seq<Case>();
  std::string ptr = source.identity.records;
  return rc::seq::map(rc::seq::range<std::size_t>(0, recs->size()), [c, ptr](std::size_t i) {
    Case smaller = c;
    Json* r = find_at(smaller.event, ptr);
    r->erase(i);
    return smaller;
  });
}

}  // namespace internal

/// Valid cases of `source`. RapidCheck's size scales the batch (1 record at size 0, up to 10).
/// `source` and `payload` must outlive the generator (catalog sources live for the program).
inline rc::Gen<Case> valid_case(const Source& source, const PayloadContract& payload = PayloadContract::builtin()) {
  return rc::Gen<Case>([&source, &payload](const rc::Random& random, int size) {
           uint64_t seed = rc::Random(random).next();
           EventGenerator gen(source, payload);
           if (source.batched()) {
             int64_t cap = static_cast<int64_t>(std::min<std::size_t>(source.limits.max_batch_records, 10));
             gen.set_batch_size(1 + (static_cast<int64_t>(std::clamp(size, 0, 100)) * (cap - 1)) / 100);
           }
           Case c = gen.generate(seed);
           return rc::shrinkable::shrinkRecur(c, [&source](const Case& x) { return internal::fewer_records(source, x); });
         })
      .as(source.id + "/valid");
}

/// Cases mutated by `filter` (legal edges, illegal input or both) from valid ones.
inline rc::Gen<Case> mutated_case(const Source& source, MutateFilter filter,
                                  const PayloadContract& payload = PayloadContract::builtin()) {
  return rc::Gen<Case>([&source, &payload, filter](const rc::Random& random, int) {
           uint64_t seed = rc::Random(random).next();
           EventGenerator gen(source, payload);
           Case c = gen.generate(seed);
           Rng rng(mix64(seed ^ 0x6d757461746f72ULL));
           GenContext ctx = GenContext::draw(rng);
           MutationContext mc{source, payload, rng, ctx};
           return rc::shrinkable::just(mutate(c, filter, mc));
         })
      .as(source.id + "/mutated");
}

}  // namespace evh::gen
