// EventGenerator: a valid event of one source, from one seed. Schema generation, then the
// payload placed in each record, then the source's finalize hook for cross-field values.
#pragma once

#include <cstdint>

#include "generators/case.h"
#include "generators/generate.h"
#include "generators/payload.h"
#include "generators/source.h"

namespace evh {

class EventGenerator {
 public:
  /// `source` and `payload` must outlive the generator.
  EventGenerator(const Source& source, const PayloadContract& payload);

  /// Records per event; -1 (default) draws 1..10 with boundary sizes mixed in. A batch that would
  /// pass the source's payload cap is cut at the cap, as the platform cuts it.
  void set_batch_size(int64_t n) { batch_size_ = n; }
  GenOptions& options() { return options_; }

  /// The same seed always gives the same bytes.
  Case generate(uint64_t seed) const;
  Json generate_event(Rng& rng, GenContext& ctx) const;

  const Source& source() const { return source_; }
  const PayloadContract& payload() const { return payload_; }

 private:
  void trim_to_limit(Json& event) const;

  const Source& source_;
  const PayloadContract& payload_;
  int64_t batch_size_ = -1;
  GenOptions options_;
};

}  // namespace evh
