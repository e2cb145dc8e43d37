// xoshiro256** (Blackman & Vigna), seeded through splitmix64.
#include "generators/rng.h"

namespace evh {

uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t derive_seed(uint64_t run_seed, uint64_t index) { return mix64(mix64(run_seed) ^ mix64(index + 1)); }

Rng::Rng(uint64_t seed) {
  uint64_t x = seed;
  for (auto& s : s_) {
    x = mix64(x);
    s = x;
  }
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t Rng::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

uint64_t Rng::below(uint64_t n) {
  EVH_CHECK(n > 0) << "below(0)";
  // Lemire's multiply-shift with rejection: unbiased and deterministic.
  uint64_t x = next();
  __uint128_t m = static_cast<__uint128_t>(x) * n;
  uint64_t l = static_cast<uint64_t>(m);
  if (l < n) {
    uint64_t t = (0 - n) % n;
    while (l < t) {
      x = next();
      m = static_cast<__uint128_t>(x) * n;
      l = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

int64_t Rng::range(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<int64_t>(next());
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + below(span + 1));
}

double Rng::unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::string Rng::chars(std::size_t n, std::string_view alphabet) {
  // Two characters per draw: each 32-bit half scaled by multiply-shift. The bias (at most
  // alphabet size / 2^32) is far below anything a test could observe, and it is deterministic.
  std::string out;
  out.resize(n);
  const uint64_t size = alphabet.size();
  std::size_t i = 0;
  for (; i + 1 < n; i += 2) {
    uint64_t x = next();
    out[i] = alphabet[((x & 0xffffffffULL) * size) >> 32];
    out[i + 1] = alphabet[((x >> 32) * size) >> 32];
  }
  if (i < n) out[i] = alphabet[((next() & 0xffffffffULL) * size) >> 32];
  return out;
}

}  // namespace evh
