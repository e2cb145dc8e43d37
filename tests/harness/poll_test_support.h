// What the poll-mode tests share (tests/harness/poll_mode_test.cpp, stream_poll_test.cpp and
// tests/properties/poll_properties_test.cpp): the records of a batch with the ids a
// batchItemFailures entry names them by, the trace lines of one action, and a run that must start.
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "generators/catalog.h"
#include "generators/json.h"
#include "generators/payload.h"
#include "harness/contract.h"
#include "harness/run.h"

namespace evh::harness::testing {

/// One record of a batch event.
struct BatchRecord {
  Json id;              ///< as itemIdentifier carries it (harness/contract.h batch_item_ids), else the identity id
  std::string pointer;  ///< the record's JSON pointer in the event
  Json payload;         ///< the first decoded payload (null when the record has none)
};

/// The records of `event`, in batch order.
inline std::vector<BatchRecord> batch_records(const Source& source, const Json& event) {
  const auto pointers = record_pointers(source, event);
  // Sources without partial batch responses (S3, SNS ...) have no item ids: the record's
  // identity id stands in (S3 sequencer, SNS MessageId).
  const auto ids = batch_item_ids(source, event);
  const bool has_ids = !ids.empty();
  if (has_ids) {
    EXPECT_EQ(ids.size(), pointers.size()) << "batch_item_ids and record_pointers disagree on " << source.id;
  }
  std::vector<BatchRecord> out;
  for (std::size_t i = 0; i < pointers.size(); ++i) {
    const Json* rec = find_at(event, pointers[i]);
    if (rec == nullptr) continue;
    auto payloads = record_payloads(source, *rec);
    Json id;
    if (has_ids && i < ids.size()) id = ids[i];
    else if (const Json* own = source.identity.id.empty() ? nullptr : find_at(*rec, source.identity.id)) id = *own;
    out.push_back({std::move(id), pointers[i], payloads && !payloads->empty() ? (*payloads)[0].value : Json()});
  }
  return out;
}

/// The trace entries whose "action" is `action`, in order.
inline std::vector<const Json*> trace_actions(const RunResult& r, const char* action) {
  std::vector<const Json*> out;
  for (const auto& e : r.trace.entries())
    if (e["action"] == action) out.push_back(&e);
  return out;
}

/// harness::run that must not fail to start (the tests' targets are in-process).
inline RunResult run_ok(const RunConfig& config, Target& target, EffectsSink& sink) {
  auto r = harness::run(config, target, sink);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(*r) : RunResult{};
}

}  // namespace evh::harness::testing
