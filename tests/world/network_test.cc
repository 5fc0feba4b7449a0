// Paths over the links: fewest hops over links that are up, and the cache that spares a search
// per connection follows every link taken down or brought up.

#include "sim/world/network.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

using mailhop::core::SimTime;
using mailhop::world::LinkState;
using mailhop::world::Network;

LinkState link(const char* a, const char* b, std::int64_t ms) {
  LinkState l;
  l.a = a;
  l.b = b;
  l.latency = SimTime::from_millis(ms);
  return l;
}

}  // namespace

TEST_CASE("a path follows the links as they go down and come back up", "[world][network]") {
  Network net;
  // a - b - c directly, and a longer way round a - d - e - c.
  net.add_link(link("a", "b", 5));
  net.add_link(link("b", "c", 5));
  net.add_link(link("a", "d", 1));
  net.add_link(link("d", "e", 1));
  net.add_link(link("e", "c", 1));
  auto p = net.path("a", "c");
  REQUIRE(p);
  CHECK(p->links.size() == 2);
  CHECK(p->latency == SimTime::from_millis(10));
  // Asked again: the same answer from the cache.
  CHECK(net.path("a", "c")->links == p->links);

  net.set_up(*net.find("b", "c"), false);
  p = net.path("a", "c");
  REQUIRE(p);
  CHECK(p->links.size() == 3);
  CHECK(p->latency == SimTime::from_millis(3));

  net.set_up(*net.find("e", "c"), false);
  CHECK_FALSE(net.path("a", "c"));
  CHECK(net.connected_ignoring_state("a", "c"));

  net.set_up(*net.find("b", "c"), true);
  p = net.path("a", "c");
  REQUIRE(p);
  CHECK(p->links.size() == 2);

  // A slower link is measured at lookup time, cache or not.
  net.find("a", "b")->extra_latency = SimTime::from_millis(100);
  CHECK(net.path("a", "c")->latency == SimTime::from_millis(110));
  // A link added later opens a shorter way.
  net.add_link(link("a", "c", 50));
  CHECK(net.path("a", "c")->links.size() == 1);
}

namespace {

// The search as first written: breadth-first over host names, every link scanned in link order
// at each host. The numbered graph must find the very same paths (the traces depend on it).
std::optional<std::vector<std::size_t>> reference_path(const std::vector<LinkState>& links,
                                                       const std::string& from,
                                                       const std::string& to) {
  if (from == to) return std::vector<std::size_t>{};
  std::map<std::string, std::size_t> via;
  std::deque<std::string> frontier{from};
  via.emplace(from, SIZE_MAX);
  while (!frontier.empty()) {
    const std::string host = frontier.front();
    frontier.pop_front();
    for (std::size_t i = 0; i < links.size(); ++i) {
      const LinkState& l = links[i];
      if (!l.up) continue;
      const std::string* next = l.a == host ? &l.b : (l.b == host ? &l.a : nullptr);
      if (!next || via.count(*next)) continue;
      via.emplace(*next, i);
      if (*next == to) {
        std::vector<std::size_t> hops;
        std::string at = to;
        while (at != from) {
          const std::size_t li = via.at(at);
          hops.push_back(li);
          at = links[li].a == at ? links[li].b : links[li].a;
        }
        std::reverse(hops.begin(), hops.end());
        return hops;
      }
      frontier.push_back(*next);
    }
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("paths match a plain breadth-first search on random networks", "[world][network]") {
  std::mt19937 rng(20261123);
  int compared = 0;
  int found = 0;
  for (int round = 0; round < 60; ++round) {
    Network net;
    const int hosts = 2 + static_cast<int>(rng() % 14);
    const int count = static_cast<int>(rng() % 40);
    const auto host = [&] { return "h" + std::to_string(rng() % static_cast<unsigned>(hosts)); };
    // Parallel links, loops (a host to itself) and isolated hosts included.
    for (int i = 0; i < count; ++i) {
      const std::string a = host();
      const std::string b = rng() % 10 == 0 ? a : host();
      LinkState l = link("", "", 1 + static_cast<std::int64_t>(rng() % 20));
      l.a = a;
      l.b = b;
      net.add_link(l);
    }
    for (int change = 0; change < 6; ++change) {
      if (!net.links().empty() && change > 0) {
        LinkState& l = net.links()[rng() % net.links().size()];
        net.set_up(l, !l.up);
      }
      if (change == 3) net.add_link(link("h0", "h1", 3));
      for (int f = 0; f <= hosts; ++f) {
        for (int t = 0; t <= hosts; ++t) {
          // h<hosts> is on no link at all.
          const std::string from = "h" + std::to_string(f);
          const std::string to = "h" + std::to_string(t);
          const auto expected = reference_path(net.links(), from, to);
          const auto got = net.path(from, to);
          REQUIRE(got.has_value() == expected.has_value());
          if (got) {
            CHECK(got->links == *expected);
            ++found;
          }
          ++compared;
        }
      }
    }
  }
  CHECK(compared > 10000);
  CHECK(found > compared / 4);
}
