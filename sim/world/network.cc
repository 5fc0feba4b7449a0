#include "sim/world/network.h"

#include <algorithm>
#include <map>

namespace mailhop::world {

double LinkState::effective_loss() const {
  return std::clamp(1.0 - (1.0 - loss) * (1.0 - extra_loss), 0.0, 1.0);
}

std::size_t Network::add_link(LinkState link) {
  m_paths.clear();
  ++m_version;
  m_links.push_back(std::move(link));
  return m_links.size() - 1;
}

void Network::set_up(LinkState& link, bool up) {
  if (link.up == up) return;
  link.up = up;
  ++m_version;
}

LinkState* Network::find(const std::string& a, const std::string& b) {
  for (LinkState& l : m_links)
    if (l.connects(a, b)) return &l;
  return nullptr;
}

LinkState* Network::find(const std::string& name) {
  const std::size_t sep = name.find("--");
  if (sep == std::string::npos) return nullptr;
  return find(name.substr(0, sep), name.substr(sep + 2));
}

const Network::Graph& Network::graph() const {
  if (m_graph.links == m_links.size()) return m_graph;  // also the empty network's
  Graph g;
  // At most two new hosts per link: no rehashing while they are numbered.
  g.ids.reserve(2 * m_links.size());
  g.direct.reserve(m_links.size());
  const auto id_of = [&g](const std::string& host) {
    const auto [it, added] = g.ids.try_emplace(host, static_cast<std::uint32_t>(g.ids.size()));
    if (added) g.adjacent.emplace_back();
    return it->second;
  };
  g.end_a.reserve(m_links.size());
  g.end_b.reserve(m_links.size());
  for (std::size_t i = 0; i < m_links.size(); ++i) {
    const std::uint32_t a = id_of(m_links[i].a);
    const std::uint32_t b = id_of(m_links[i].b);
    g.end_a.push_back(a);
    g.end_b.push_back(b);
    g.adjacent[a].push_back({i, b});
    if (b != a) {
      g.adjacent[b].push_back({i, a});
      g.direct.try_emplace(pair_key(a, b), i);  // the first such link stays
    }
  }
  g.links = m_links.size();
  m_graph = std::move(g);
  return m_graph;
}

std::optional<Path> Network::search(const std::string& from, const std::string& to,
                                    bool only_up) const {
  if (from == to) return Path{};
  const Graph& g = graph();
  const auto from_it = g.ids.find(from);
  const auto to_it = g.ids.find(to);
  if (from_it == g.ids.end() || to_it == g.ids.end()) return std::nullopt;
  return search(from_it->second, to_it->second, only_up);
}

std::optional<Path> Network::search(std::uint32_t start, std::uint32_t goal, bool only_up) const {
  const Graph& g = m_graph;
  // Breadth-first over hosts, each host's links in link order; `via` remembers the link that
  // reached each host.
  constexpr std::size_t kUnseen = SIZE_MAX;
  constexpr std::size_t kStart = SIZE_MAX - 1;
  std::vector<std::size_t> via(g.adjacent.size(), kUnseen);
  std::vector<std::uint32_t> frontier;
  frontier.reserve(g.adjacent.size());
  frontier.push_back(start);
  via[start] = kStart;
  for (std::size_t head = 0; head < frontier.size(); ++head) {
    for (const Graph::Step& step : g.adjacent[frontier[head]]) {
      if (only_up && !m_links[step.link].up) continue;
      if (via[step.next] != kUnseen) continue;
      via[step.next] = step.link;
      if (step.next == goal) {
        std::vector<std::size_t> hops;
        for (std::uint32_t at = goal; at != start;) {
          const std::size_t li = via[at];
          hops.push_back(li);
          at = g.end_a[li] == at ? g.end_b[li] : g.end_a[li];
        }
        std::reverse(hops.begin(), hops.end());
        return measure(hops.data(), hops.size());
      }
      frontier.push_back(step.next);
    }
  }
  return std::nullopt;
}

std::optional<Path> Network::measure(const std::size_t* links, std::size_t n) const {
  // Hop by hop from the destination back to the source: the order the sums were always made
  // in, so that a path measured again comes out the same to the bit.
  core::SimTime latency;
  std::uint64_t bandwidth_bps = 0;
  double pass = 1.0;
  for (std::size_t k = n; k-- > 0;) {
    const LinkState& hop = m_links[links[k]];
    latency += hop.effective_latency();
    if (hop.bandwidth_bps && (!bandwidth_bps || hop.bandwidth_bps < bandwidth_bps))
      bandwidth_bps = hop.bandwidth_bps;
    pass *= 1.0 - hop.effective_loss();
  }
  // Made in the optional (one path per connection): no Path to move in.
  std::optional<Path> p;
  p.emplace();
  p->latency = latency;
  p->bandwidth_bps = bandwidth_bps;
  p->loss = 1.0 - pass;
  p->links = LinkList(links, n);
  return p;
}

std::optional<Path> Network::path(const std::string& from, const std::string& to) const {
  if (from == to) return Path{};
  const Graph& g = graph();
  const auto from_it = g.ids.find(from);
  const auto to_it = g.ids.find(to);
  if (from_it == g.ids.end() || to_it == g.ids.end()) return std::nullopt;
  const std::uint32_t start = from_it->second;
  const std::uint32_t goal = to_it->second;
  // A link between the two hosts that is up is what the search would find first: the first
  // step from `from` that reaches `to` ends it, and a host's steps are in link order.
  if (const auto d = g.direct.find(pair_key(start, goal)); d != g.direct.end()) {
    if (m_links[d->second].up) return measure(&d->second, 1);
    // The first such link is down: a later one, or a longer path, may serve.
  }
  const std::uint64_t key = route_key(start, goal);
  auto it = m_paths.find(key);
  if (it != m_paths.end()) {
    const CachedPath& c = it->second;
    if (c.version == m_version) {
      if (!c.found) return std::nullopt;
      return measure(c.links.begin(), c.links.size());
    }
  }
  std::optional<Path> p = search(start, goal, true);
  CachedPath c;
  c.version = m_version;
  c.found = p.has_value();
  if (p) c.links = p->links;
  m_paths.insert_or_assign(key, std::move(c));
  return p;
}

bool Network::connected_ignoring_state(const std::string& from, const std::string& to) const {
  return search(from, to, false).has_value();
}

}  // namespace mailhop::world
