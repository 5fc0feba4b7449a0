#include "sim/core/rng.h"

#include <array>
#include <catch2/catch.hpp>

using mailhop::core::Rng;

TEST_CASE("the same seed gives the same sequence; another seed does not", "[core]") {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next_u64();
    CHECK(x == b.next_u64());
    if (x != c.next_u64()) differs = true;
  }
  CHECK(differs);
}

TEST_CASE("named streams are independent of each other's draws", "[core]") {
  const Rng root(7);
  Rng loss1 = root.stream("link-loss");
  Rng loss2 = root.stream("link-loss");
  Rng jitter = root.stream("retry-jitter");
  for (int i = 0; i < 50; ++i) jitter.next_u64();  // drawing from one stream...
  for (int i = 0; i < 50; ++i) CHECK(loss1.next_u64() == loss2.next_u64());  // ...not the other
  CHECK(root.stream("a").next_u64() != root.stream("b").next_u64());
}

TEST_CASE("below is in range and roughly uniform; unit and chance behave", "[core]") {
  Rng r(1);
  std::array<int, 6> counts{};
  const int n = 60000;
  for (int i = 0; i < n; ++i) {
    const auto v = r.below(6);
    REQUIRE(v < 6);
    ++counts[v];
  }
  for (int c : counts) CHECK(std::abs(c - n / 6) < n / 60);  // within 10% of 10,000
  for (int i = 0; i < 1000; ++i) {
    const double u = r.unit();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
  }
  CHECK_FALSE(r.chance(0.0));
  CHECK(r.chance(1.0));
  int hits = 0;
  for (int i = 0; i < 10000; ++i) hits += r.chance(0.25) ? 1 : 0;
  CHECK(hits > 2200);
  CHECK(hits < 2800);
  CHECK(r.below(1) == 0);
  CHECK(r.below(0) == 0);
}
