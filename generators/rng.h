// The only source of randomness in evh: a seeded, splittable xoshiro256** stream.
// std:: distributions are implementation-defined, so every draw is computed here and the same
// seed gives the same bytes on every platform (STYLE.md §7.8).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "generators/error.h"

namespace evh {

/// splitmix64 finaliser: a good 64-bit mix, used to derive seeds.
uint64_t mix64(uint64_t x);

/// Seed of case `index` in a run seeded with `run_seed` (independent of the order cases run in).
uint64_t derive_seed(uint64_t run_seed, uint64_t index);

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t next();
  /// Uniform in [0, n); n must be > 0.
  uint64_t below(uint64_t n);
  /// Uniform in [lo, hi] (inclusive).
  int64_t range(int64_t lo, int64_t hi);
  /// Uniform in [0, 1).
  double unit();
  bool chance(double p) { return unit() < p; }
  /// An independent stream; this one advances by one draw.
  Rng split() { return Rng(next()); }

  template <typename C>
  const typename C::value_type& pick(const C& c) {
    EVH_CHECK(!c.empty()) << "pick from an empty collection";
    return c[static_cast<std::size_t>(below(c.size()))];
  }

  /// Characters drawn from `alphabet`.
  std::string chars(std::size_t n, std::string_view alphabet);

 private:
  uint64_t s_[4];
};

}  // namespace evh
