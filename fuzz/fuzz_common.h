// Helpers the fuzz targets of evh's own parsers share: a source picked by a byte, a valid event
// of it (generated once per source and seed, then reused: generation is not what is fuzzed),
// and the checks a target asserts beyond "does not crash".
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <utility>

#include "generators/catalog.h"
#include "generators/event_generator.h"
#include "generators/json.h"
#include "generators/payload.h"

namespace evh::fuzz {

/// The catalog source a selector byte picks (catalog order, modulo its size).
inline const Source& source_at(uint8_t selector) {
  const auto& sources = all_sources();
  if (sources.empty()) {
    std::fprintf(stderr, "fuzz: the source catalog did not load: %s\n", catalog_error().c_str());
    std::abort();
  }
  return sources[selector % sources.size()];
}

/// A valid event of `source` from `seed`, generated once and kept for the process.
inline const Json& sample_event(const Source& source, uint64_t seed) {
  static std::map<std::pair<const Source*, uint64_t>, Json> cache;
  auto key = std::make_pair(&source, seed);
  auto it = cache.find(key);
  if (it == cache.end()) {
    EventGenerator gen(source, PayloadContract::builtin());
    it = cache.emplace(key, gen.generate(seed).event).first;
  }
  return it->second;
}

/// An evh invariant the target checks: aborts (a crash libFuzzer reports) naming it.
inline void expect(bool cond, const char* what) {
  if (cond) return;
  std::fprintf(stderr, "fuzz: expectation failed: %s\n", what);
  std::abort();
}

/// Serialises `j` as the report writers do (nlohmann's strict dump, which throws on a string that
/// is not UTF-8): a value evh writes to result.json or a finding file must survive it.
inline std::size_t report_dump(const Json& j) { return j.dump(2).size(); }

}  // namespace evh::fuzz
