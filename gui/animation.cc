#include "gui/animation.h"

#include <algorithm>
#include <cctype>
#include <deque>
#include <limits>

namespace mailhop::gui {

namespace {

using core::TraceKind;

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

std::uint64_t pair_key(std::uint32_t from, std::uint32_t to) {
  return (static_cast<std::uint64_t>(from) << 32) | to;
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(text[i])) !=
        std::toupper(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

}  // namespace

// --- Topology ----------------------------------------------------------------------------

Topology Topology::from_world(const world::World& world) {
  Topology t;
  const auto& nodes = world.nodes();
  t.m_names.reserve(nodes.size());
  for (const auto& n : nodes) {
    t.m_names.push_back(n->spec.name);
    t.m_down.push_back(n->down);
  }
  for (std::uint32_t i = 0; i < t.m_names.size(); ++i) t.m_by_name.emplace(t.m_names[i], i);
  t.m_adjacent.resize(t.m_names.size());
  const auto& links = world.network().links();
  for (std::size_t k = 0; k < links.size(); ++k) {
    const auto a = t.index(links[k].a);
    const auto b = t.index(links[k].b);
    Link link;
    link.a = a.value_or(kNone);
    link.b = b.value_or(kNone);
    link.up = links[k].up;
    t.m_links.push_back(link);
    if (a && b) {
      t.m_adjacent[*a].push_back({*b, k});
      t.m_adjacent[*b].push_back({*a, k});
    }
  }
  // The name server: the first host with the dns role, as the world's resolver uses.
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i]->has_role(scenario::Role::kDns)) {
      t.m_dns = i;
      break;
    }
  }
  t.m_dns_latency.assign(t.m_names.size(), std::nullopt);
  if (t.m_dns && !t.m_down[*t.m_dns]) {
    // Breadth first from the name server over links that are up: the fewest-hop latency.
    std::deque<std::uint32_t> todo{*t.m_dns};
    t.m_dns_latency[*t.m_dns] = core::SimTime();
    while (!todo.empty()) {
      const std::uint32_t at = todo.front();
      todo.pop_front();
      for (const auto& [peer, k] : t.m_adjacent[at]) {
        if (!links[k].up || t.m_dns_latency[peer]) continue;
        t.m_dns_latency[peer] = *t.m_dns_latency[at] + links[k].effective_latency();
        todo.push_back(peer);
      }
    }
  }
  return t;
}

bool Topology::matches(const world::World& world) const {
  const auto& nodes = world.nodes();
  const auto& links = world.network().links();
  if (nodes.size() != m_names.size() || links.size() != m_links.size()) return false;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i]->down != m_down[i] || nodes[i]->spec.name != m_names[i]) return false;
  for (std::size_t k = 0; k < links.size(); ++k)
    if (links[k].up != m_links[k].up) return false;
  return true;
}

std::optional<std::uint32_t> Topology::index(std::string_view name) const {
  const auto it = m_by_name.find(name);
  if (it == m_by_name.end()) return std::nullopt;
  return it->second;
}

std::optional<std::uint32_t> Topology::index(core::Name name) const {
  const auto address = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(name.data()));
  if (const auto* known = m_by_interned.find(address)) return *known;
  const std::optional<std::uint32_t> found = index(std::string_view(name));
  m_by_interned.try_emplace(address, found);
  return found;
}

std::optional<core::SimTime> Topology::dns_latency(std::uint32_t node) const {
  if (node >= m_dns_latency.size()) return std::nullopt;
  return m_dns_latency[node];
}

std::vector<std::uint32_t> Topology::shortest(std::uint32_t from, std::uint32_t to,
                                              bool only_up) const {
  std::vector<std::uint32_t> previous(m_names.size(), kNone);
  std::deque<std::uint32_t> todo{from};
  previous[from] = from;
  while (!todo.empty() && previous[to] == kNone) {
    const std::uint32_t at = todo.front();
    todo.pop_front();
    for (const auto& [peer, k] : m_adjacent[at]) {
      if ((only_up && !m_links[k].up) || previous[peer] != kNone) continue;
      previous[peer] = at;
      todo.push_back(peer);
    }
  }
  if (previous[to] == kNone) return {};
  std::vector<std::uint32_t> path{to};
  for (std::uint32_t at = to; at != from;) {
    at = previous[at];
    path.push_back(at);
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::uint32_t Topology::route(std::uint32_t from, std::uint32_t to) {
  const auto key = pair_key(from, to);
  if (const std::uint32_t* id = m_route_ids.find(key)) return *id;
  std::vector<std::uint32_t> nodes;
  if (from < m_names.size() && to < m_names.size() && from != to) {
    nodes = shortest(from, to, true);
    if (nodes.empty()) nodes = shortest(from, to, false);
  }
  if (nodes.empty()) nodes = {from, to};
  const auto id = static_cast<std::uint32_t>(m_routes.size());
  m_routes.push_back(std::move(nodes));
  m_route_ids.try_emplace(key, id);
  return id;
}

std::optional<std::size_t> Topology::link_between(std::uint32_t a, std::uint32_t b) const {
  if (a >= m_adjacent.size()) return std::nullopt;
  for (const auto& [peer, k] : m_adjacent[a])
    if (peer == b) return k;
  return std::nullopt;
}

// --- flights -----------------------------------------------------------------------------

Flow flow_of(std::string_view protocol) {
  if (protocol == "SMTP") return Flow::kSmtp;
  if (protocol == "POP3") return Flow::kPop3;
  if (protocol == "IMAP") return Flow::kImap;
  if (protocol == "DNS") return Flow::kDns;
  return Flow::kOther;
}

bool is_null_sender(std::string_view line) {
  if (!starts_with_nocase(line, "MAIL FROM:")) return false;
  line.remove_prefix(10);
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  return line.substr(0, 2) == "<>";
}

bool is_transfer(const core::TraceEvent& e) {
  return e.kind == TraceKind::kClientLine || e.kind == TraceKind::kServerLine ||
         e.kind == TraceKind::kDataSent || e.kind == TraceKind::kDnsQuery ||
         e.kind == TraceKind::kDelivered;
}

float route_fraction(const Flight& f, core::SimTime t) {
  const double span = static_cast<double>((f.end - f.start).micros());
  double x = span <= 0 ? 1.0 : static_cast<double>((t - f.start).micros()) / span;
  x = std::clamp(x, 0.0, 1.0);
  if (f.round_trip) x = x < 0.5 ? 2.0 * x : 2.0 - 2.0 * x;
  return static_cast<float>(x);
}

std::optional<Flight> Animator::flight_of(const core::TraceEvent& e, std::size_t index,
                                          Topology& topology, bool bounce) {
  if (!is_transfer(e)) return std::nullopt;
  const auto from = topology.index(e.node);
  if (!from) return std::nullopt;
  Flight f;
  f.event = index;
  f.start = e.time;
  f.connection = e.connection;
  if (e.kind == TraceKind::kDnsQuery) {
    const auto dns = topology.dns_node();
    const auto latency = topology.dns_latency(*from);
    if (!dns || *dns == *from || !latency || latency->micros() <= 0) return std::nullopt;
    f.route = topology.route(*from, *dns);
    f.end = e.time + *latency * 2;
    f.flow = Flow::kDns;
    f.round_trip = true;
    return f;
  }
  if (e.kind == TraceKind::kDelivered) {
    f.route = topology.route(*from, *from);
    f.end = e.time + kLocalDeliveryTime;
    f.flow = Flow::kSmtp;
    f.cargo = Cargo::kData;
    f.bounce = bounce;
    f.local = true;
    return f;
  }
  const auto to = topology.index(e.peer);
  if (!to || *to == *from || e.arrival <= e.time) return std::nullopt;
  f.route = topology.route(*from, *to);
  f.end = e.arrival;
  f.flow = flow_of(e.protocol);
  f.cargo = e.kind == TraceKind::kDataSent ? Cargo::kData : Cargo::kLine;
  f.bounce = bounce;
  return f;
}

// --- Animator ----------------------------------------------------------------------------

void Animator::reset() {
  m_cursor = 0;
  m_last.reset();
  m_time = core::SimTime();
  m_flights.clear();
  m_connections.clear();
  m_dsn_pending.clear();
  m_dsn_ids.clear();
  m_tls.clear();
  m_tls_dirty = false;
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> Animator::endpoints(
    std::uint64_t connection) const {
  const ConnectionState* c = m_connections.find(connection);
  if (!c || !c->known) return std::nullopt;
  return std::pair(c->client, c->server);
}

bool Animator::bounce_connection(std::uint64_t connection) const {
  const ConnectionState* c = m_connections.find(connection);
  return c && c->bounce;
}

bool Animator::is_bounce(const core::TraceEvent& e) const {
  if (e.kind == TraceKind::kDelivered) return m_dsn_ids.count(e.message) > 0;
  return e.connection != 0 && bounce_connection(e.connection);
}

void Animator::consume(const core::TraceEvent& e, std::size_t index, core::SimTime t,
                       Topology& topology) {
  switch (e.kind) {
    case TraceKind::kConnectionOpened: {
      ConnectionState& c = *m_connections.try_emplace(e.connection, {}).first;
      const auto client = topology.index(e.node);
      const auto server = topology.index(e.peer);
      c.known = client && server;
      c.client = client.value_or(0);
      c.server = server.value_or(0);
      break;
    }
    case TraceKind::kTlsHandshake: {
      ConnectionState* c = m_connections.find(e.connection);
      if (c && c->known && !c->tls) {
        c->tls = true;
        m_tls_dirty = true;
      }
      break;
    }
    case TraceKind::kConnectionClosed:
    case TraceKind::kConnectionReset: {
      if (const ConnectionState* c = m_connections.find(e.connection)) {
        if (c->tls) m_tls_dirty = true;
        m_connections.erase(e.connection);
      }
      break;
    }
    case TraceKind::kClientLine:
      if (e.connection != 0 && starts_with_nocase(e.text, "MAIL FROM:"))
        m_connections.try_emplace(e.connection, {}).first->bounce = is_null_sender(e.text);
      break;
    // A DSN is queued on the host that generated it right after kBounced: remember its id.
    case TraceKind::kBounced:
      m_dsn_pending[e.node] = true;
      break;
    case TraceKind::kQueued:
      if (const auto it = m_dsn_pending.find(e.node); it != m_dsn_pending.end()) {
        m_dsn_ids.insert(e.message);
        m_dsn_pending.erase(it);
      }
      break;
    default:
      break;
  }
  if (!is_transfer(e)) return;
  // Cheap test before building the flight: only what is still on its way matters.
  if (e.kind != TraceKind::kDnsQuery && e.kind != TraceKind::kDelivered && e.arrival <= t) return;
  if (auto f = flight_of(e, index, topology, is_bounce(e)); f && f->end > t)
    m_flights.push_back(*f);
}

void Animator::update(core::TraceEvents events, core::SimTime t,
                      Topology& topology) {
  // Still the same history? (The event before the cursor must be the one seen there.)
  const bool same = m_cursor <= events.size() && t >= m_time &&
                    (m_cursor == 0 || (m_last && events[m_cursor - 1].time == m_last->time &&
                                       events[m_cursor - 1].kind == m_last->kind &&
                                       events[m_cursor - 1].connection == m_last->connection &&
                                       events[m_cursor - 1].text.size() == m_last->text_size));
  if (!same) reset();
  m_time = t;
  // Events are in time order: take the new ones up to t.
  while (m_cursor < events.size() && events[m_cursor].time <= t) {
    consume(events[m_cursor], m_cursor, t, topology);
    ++m_cursor;
  }
  if (m_cursor > 0) m_last = fingerprint(events[m_cursor - 1]);
  // Drop what has arrived; the rest keeps its (event) order.
  std::erase_if(m_flights, [t](const Flight& f) { return f.end <= t; });
  if (m_tls_dirty) rebuild_tls();
}

void Animator::rebuild_tls() {
  m_tls.clear();
  m_connections.for_each([this](std::uint64_t id, const ConnectionState& c) {
    if (c.tls && c.known) m_tls.push_back({id, c.client, c.server});
  });
  // By connection id, as before (the order they opened in).
  std::sort(m_tls.begin(), m_tls.end(), [](const TlsConnection& a, const TlsConnection& b) {
    return a.connection < b.connection;
  });
  m_tls_dirty = false;
}

}  // namespace mailhop::gui
