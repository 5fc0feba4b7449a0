#pragma once
// Seeded random numbers with named, independent streams (xoshiro256** seeded by splitmix64).
// Nothing in the simulation reads the wall clock or rand(): the same seed gives the same run.

#include <cstdint>
#include <string_view>

namespace mailhop::core {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0);

  // An independent stream derived from this generator's seed and a name ("link-loss",
  // "retry-jitter"): adding draws to one stream never changes another.
  Rng stream(std::string_view name) const;

  std::uint64_t next_u64();
  // Uniform in [0, n); n must be > 0. Unbiased (Lemire's method with rejection).
  std::uint64_t below(std::uint64_t n);
  // Uniform in [0, 1).
  double unit();
  // True with probability p (p <= 0: never, p >= 1: always).
  bool chance(double p);

  std::uint64_t seed() const { return m_seed; }

 private:
  // The state is made from the seed at the first draw: many streams draw nothing (a connection's
  // loss stream over a lossless path), and making it is most of what a stream costs.
  void expand();

  std::uint64_t m_seed;
  bool m_expanded = false;
  std::uint64_t m_s[4] = {};
};

}  // namespace mailhop::core
