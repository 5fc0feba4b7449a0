#include "sim/core/int_map.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>

#include "sim/core/rng.h"

using mailhop::core::IntMap;

TEST_CASE("int map: what was put in is found, what was not is not", "[core][int_map]") {
  IntMap<std::string> m;
  CHECK(m.empty());
  CHECK(m.find(7) == nullptr);
  auto [first, inserted] = m.try_emplace(7, "seven");
  CHECK(inserted);
  CHECK(*first == "seven");
  // A second insertion of the same key keeps the first value.
  auto [again, inserted_again] = m.try_emplace(7, "other");
  CHECK_FALSE(inserted_again);
  CHECK(*again == "seven");
  CHECK(m.size() == 1);
  const std::string* seven = m.find(7);
  REQUIRE(seven != nullptr);
  CHECK(*seven == "seven");
  CHECK(m.find(8) == nullptr);
  // The key that marks empty slots is an ordinary key to the user.
  const std::uint64_t all_ones = ~std::uint64_t{0};
  CHECK(m.find(all_ones) == nullptr);
  CHECK(m.try_emplace(all_ones, "max").second);
  const std::string* max = m.find(all_ones);
  REQUIRE(max != nullptr);
  CHECK(*max == "max");
  CHECK(m.size() == 2);
  CHECK(m.erase(all_ones));
  CHECK(m.find(all_ones) == nullptr);
  CHECK_FALSE(m.erase(all_ones));
  m.clear();
  CHECK(m.empty());
  CHECK(m.find(7) == nullptr);
}

TEST_CASE("int map: thousands of insertions and removals agree with std::map", "[core][int_map]") {
  IntMap<int> m;
  std::map<std::uint64_t, int> reference;
  mailhop::core::Rng rng(12345);
  for (int step = 0; step < 200000; ++step) {
    // Keys from a small range (so removals hit), some of them consecutive, some far apart:
    // long runs of neighbours in the array, and removals inside them.
    const std::uint64_t key = rng.below(3) == 0 ? rng.below(4096) << 40 : rng.below(4096);
    const auto op = rng.below(10);
    if (op < 5) {
      const auto [value, inserted] = m.try_emplace(key, step);
      const auto [it, ref_inserted] = reference.try_emplace(key, step);
      REQUIRE(inserted == ref_inserted);
      REQUIRE(*value == it->second);
    } else if (op < 8) {
      REQUIRE(m.erase(key) == (reference.erase(key) == 1));
    } else {
      const int* found = m.find(key);
      const auto it = reference.find(key);
      REQUIRE((found != nullptr) == (it != reference.end()));
      if (found) REQUIRE(*found == it->second);
    }
    REQUIRE(m.size() == reference.size());
  }
  // Every entry is still found, and for_each visits each once.
  std::size_t visited = 0;
  m.for_each([&](std::uint64_t key, int value) {
    ++visited;
    const auto it = reference.find(key);
    REQUIRE(it != reference.end());
    CHECK(it->second == value);
  });
  CHECK(visited == reference.size());
  for (const auto& [key, value] : reference) {
    const int* found = m.find(key);
    REQUIRE(found != nullptr);
    CHECK(*found == value);
  }
}
