#pragma once
// Links between hosts and the paths connections take over them.

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/core/sim_time.h"
#include "sim/core/string_hash.h"

namespace mailhop::world {

struct LinkState {
  std::string a;
  std::string b;
  core::SimTime latency;            // one way
  std::uint64_t bandwidth_bps = 0;  // 0: unlimited
  double loss = 0.0;
  bool up = true;
  // Faults layered on top of the configured values.
  core::SimTime extra_latency;
  double extra_loss = 0.0;

  core::SimTime effective_latency() const { return latency + extra_latency; }
  double effective_loss() const;
  bool connects(const std::string& x, const std::string& y) const {
    return (a == x && b == y) || (a == y && b == x);
  }
  std::string name() const { return a + "--" + b; }
};

// The links of a path, in order. Most paths are a few hops long (one for a direct link): they
// are kept in place, and every connection is spared an allocation for its path.
class LinkList {
 public:
  LinkList() = default;
  LinkList(std::initializer_list<std::size_t> links) : LinkList(links.begin(), links.size()) {}
  LinkList(const std::size_t* links, std::size_t n) : m_size(n) {
    if (n > kInline)
      m_heap.assign(links, links + n);
    else
      std::copy(links, links + n, m_inline);
  }
  std::size_t size() const { return m_size; }
  bool empty() const { return m_size == 0; }
  const std::size_t* begin() const { return m_size > kInline ? m_heap.data() : m_inline; }
  const std::size_t* end() const { return begin() + m_size; }
  std::size_t operator[](std::size_t i) const { return begin()[i]; }
  friend bool operator==(const LinkList& a, const LinkList& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  friend bool operator==(const LinkList& a, const std::vector<std::size_t>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  static constexpr std::size_t kInline = 4;
  std::size_t m_inline[kInline] = {};
  std::size_t m_size = 0;
  std::vector<std::size_t> m_heap;  // all of them when more than kInline
};

struct Path {
  core::SimTime latency;            // one way, summed over links
  std::uint64_t bandwidth_bps = 0;  // the narrowest link; 0 unlimited
  double loss = 0.0;                // probability a segment is lost somewhere on the path
  LinkList links;                   // indexes into Network::links(), in order
};

class Network {
 public:
  std::size_t add_link(LinkState link);
  // Latency, bandwidth and loss may be changed through these; a link is taken down or brought
  // up only with set_up(), which tells the path cache.
  std::vector<LinkState>& links() { return m_links; }
  const std::vector<LinkState>& links() const { return m_links; }
  void set_up(LinkState& link, bool up);
  // Finds the link "a--b" (either order) or by its name; nullptr when absent.
  LinkState* find(const std::string& a, const std::string& b);
  LinkState* find(const std::string& name);

  // The path with the fewest hops over links that are up (ties: the first found, in link
  // order, so it is deterministic). A host reaches itself with zero latency. Nothing when
  // the hosts are not connected.
  std::optional<Path> path(const std::string& from, const std::string& to) const;
  // Whether any path uses a link that is down (for the class: "the link is cut").
  bool connected_ignoring_state(const std::string& from, const std::string& to) const;

 private:
  std::optional<Path> search(const std::string& from, const std::string& to, bool only_up) const;
  std::optional<Path> search(std::uint32_t start, std::uint32_t goal, bool only_up) const;
  // The hosts numbered, and the links at each host in link order, for search(): a search then
  // costs one visit per host and link instead of comparing names. Built again when links are
  // added (a link's ends never change).
  struct Graph {
    std::size_t links = 0;  // m_links.size() when built
    // (Both host names are hashed on every path(): the cheaper hash.)
    std::unordered_map<std::string, std::uint32_t, core::WordStringHash> ids;
    struct Step {
      std::size_t link;
      std::uint32_t next;  // the host at the link's other end
    };
    std::vector<std::vector<Step>> adjacent;  // by host id
    std::vector<std::uint32_t> end_a;         // by link: the ids of its ends
    std::vector<std::uint32_t> end_b;
    // The first link, in link order, between two different hosts (keyed by pair_key): when it
    // is up it is the path between them, the one the breadth-first search finds first.
    std::unordered_map<std::uint64_t, std::size_t> direct;
  };
  // The key of an unordered pair of host ids, and of an ordered one.
  static std::uint64_t pair_key(std::uint32_t a, std::uint32_t b) {
    return a < b ? (std::uint64_t{a} << 32 | b) : (std::uint64_t{b} << 32 | a);
  }
  static std::uint64_t route_key(std::uint32_t from, std::uint32_t to) {
    return std::uint64_t{from} << 32 | to;
  }
  const Graph& graph() const;
  mutable Graph m_graph;
  // The hops of `links` with the current latency, bandwidth and loss of each.
  std::optional<Path> measure(const std::size_t* links, std::size_t n) const;
  std::vector<LinkState> m_links;
  // The hops path() found by a search for (from, to) (keyed by route_key of their ids), valid
  // while no link was added, taken down or brought up since: a connection between hosts with no
  // direct link up costs a lookup, not a breadth-first search.
  struct CachedPath {
    std::uint64_t version = 0;  // m_version when it was found
    bool found = false;
    LinkList links;
  };
  mutable std::unordered_map<std::uint64_t, CachedPath> m_paths;
  std::uint64_t m_version = 0;  // goes up when a link is added or changes state
};

}  // namespace mailhop::world
