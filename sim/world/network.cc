#include "sim/world/network.h"

#include <algorithm>
#include <deque>
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

std::optional<Path> Network::search(const std::string& from, const std::string& to,
                                    bool only_up) const {
  if (from == to) return Path{};
  // Breadth-first over hosts; `via` remembers the link that reached each host.
  std::map<std::string, std::size_t> via;
  std::deque<std::string> frontier{from};
  via.emplace(from, SIZE_MAX);
  while (!frontier.empty()) {
    const std::string host = frontier.front();
    frontier.pop_front();
    for (std::size_t i = 0; i < m_links.size(); ++i) {
      const LinkState& l = m_links[i];
      if (only_up && !l.up) continue;
      const std::string* next = l.a == host ? &l.b : (l.b == host ? &l.a : nullptr);
      if (!next || via.count(*next)) continue;
      via.emplace(*next, i);
      if (*next == to) {
        Path p;
        std::string at = to;
        double pass = 1.0;
        while (at != from) {
          const std::size_t li = via.at(at);
          const LinkState& hop = m_links[li];
          p.links.push_back(li);
          p.latency += hop.effective_latency();
          if (hop.bandwidth_bps && (!p.bandwidth_bps || hop.bandwidth_bps < p.bandwidth_bps))
            p.bandwidth_bps = hop.bandwidth_bps;
          pass *= 1.0 - hop.effective_loss();
          at = hop.a == at ? hop.b : hop.a;
        }
        std::reverse(p.links.begin(), p.links.end());
        p.loss = 1.0 - pass;
        return p;
      }
      frontier.push_back(*next);
    }
  }
  return std::nullopt;
}

Path Network::measure(std::vector<std::size_t> links) const {
  // The same sums search() makes, hop by hop from the destination back to the source.
  Path p;
  double pass = 1.0;
  for (std::size_t k = links.size(); k-- > 0;) {
    const LinkState& hop = m_links[links[k]];
    p.latency += hop.effective_latency();
    if (hop.bandwidth_bps && (!p.bandwidth_bps || hop.bandwidth_bps < p.bandwidth_bps))
      p.bandwidth_bps = hop.bandwidth_bps;
    pass *= 1.0 - hop.effective_loss();
  }
  p.loss = 1.0 - pass;
  p.links = std::move(links);
  return p;
}

std::optional<Path> Network::path(const std::string& from, const std::string& to) const {
  if (from == to) return Path{};
  std::map<std::string, CachedPath, std::less<>>& from_here = m_paths[from];
  auto it = from_here.find(to);
  if (it != from_here.end()) {
    const CachedPath& c = it->second;
    if (c.version == m_version) {
      if (!c.found) return std::nullopt;
      return measure(c.links);
    }
  }
  std::optional<Path> p = search(from, to, true);
  CachedPath c;
  c.version = m_version;
  c.found = p.has_value();
  if (p) c.links = p->links;
  from_here.insert_or_assign(to, std::move(c));
  return p;
}

bool Network::connected_ignoring_state(const std::string& from, const std::string& to) const {
  return search(from, to, false).has_value();
}

}  // namespace mailhop::world
