// Paths over the links: fewest hops over links that are up, and the cache that spares a search
// per connection follows every link taken down or brought up.

#include "sim/world/network.h"

#include <catch2/catch.hpp>

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
