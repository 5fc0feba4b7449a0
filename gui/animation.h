#pragma once
// What travels over the network at a given display time, computed from the trace: every
// protocol line and message body between the moment it was sent and the moment it arrived is an
// envelope on the way from its sender to its receiver; a DNS lookup goes to the name server and
// back. Also which connections carry TLS right now. Pure model: no drawing, tested directly.
//
// The Animator keeps a cursor into the events (they are in time order) and the set in flight,
// so a frame costs the new events plus those in flight, never a scan of the whole history.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/core/int_map.h"
#include "sim/core/name.h"
#include "sim/core/sim_time.h"
#include "sim/core/trace.h"
#include "sim/core/trace_log.h"
#include "sim/world/world.h"

namespace mailhop::gui {

// The hosts and links of a world by index (same order as world.nodes() and
// network().links()), and the routes envelopes follow. A copy: it outlives the world it was
// taken from, which the session rebuilds on every step back.
class Topology {
 public:
  static Topology from_world(const world::World& world);
  // Whether `world` still has these hosts and links in the same up/down state.
  bool matches(const world::World& world) const;

  std::size_t node_count() const { return m_names.size(); }
  const std::string& name(std::uint32_t node) const { return m_names[node]; }
  std::optional<std::uint32_t> index(std::string_view name) const;
  // The same for a trace event's host: interned names are told apart by where their text is,
  // which is cheaper to look up than the text (one lookup per event played).
  std::optional<std::uint32_t> index(core::Name name) const;
  bool node_down(std::uint32_t node) const { return m_down[node]; }

  struct Link {
    std::uint32_t a = 0;
    std::uint32_t b = 0;
    bool up = true;
  };
  const std::vector<Link>& links() const { return m_links; }

  // The scenario's name server and the one-way latency from `node` to it over links that are
  // up; nothing when there is none, it is down, or it cannot be reached.
  std::optional<std::uint32_t> dns_node() const { return m_dns; }
  std::optional<core::SimTime> dns_latency(std::uint32_t node) const;

  // The hosts an envelope from `from` to `to` passes, ends included: the fewest-hop path over
  // links that are up, else over any link, else the straight line. Cached; ids are stable for
  // this topology.
  std::uint32_t route(std::uint32_t from, std::uint32_t to);
  const std::vector<std::uint32_t>& route_nodes(std::uint32_t id) const { return m_routes[id]; }
  // The index of a link joining two hosts (either direction), if any.
  std::optional<std::size_t> link_between(std::uint32_t a, std::uint32_t b) const;

 private:
  std::vector<std::uint32_t> shortest(std::uint32_t from, std::uint32_t to, bool only_up) const;

  std::vector<std::string> m_names;
  std::unordered_map<std::string_view, std::uint32_t> m_by_name;  // views into m_names
  // index(Name)'s answers, by the interned text's address.
  mutable core::IntMap<std::optional<std::uint32_t>> m_by_interned;
  std::vector<bool> m_down;
  std::vector<Link> m_links;
  std::vector<std::vector<std::pair<std::uint32_t, std::size_t>>> m_adjacent;  // (peer, link)
  std::optional<std::uint32_t> m_dns;
  std::vector<std::optional<core::SimTime>> m_dns_latency;
  std::vector<std::vector<std::uint32_t>> m_routes;
  core::IntMap<std::uint32_t> m_route_ids;  // by (from << 32 | to)
};

enum class Flow : std::uint8_t { kSmtp, kPop3, kImap, kDns, kOther };
enum class Cargo : std::uint8_t { kLine, kData };

Flow flow_of(std::string_view protocol);
// "MAIL FROM:<>" (any case, any parameters): the session carries a bounce (RFC 5321 4.5.5).
bool is_null_sender(std::string_view client_line);

// One envelope on its way.
struct Flight {
  std::size_t event = 0;          // index into the session's events
  std::uint32_t route = 0;        // Topology::route id (from its first to its last host)
  core::SimTime start;            // sent
  core::SimTime end;              // arrived (a DNS lookup: back at the resolver)
  std::uint64_t connection = 0;
  Flow flow = Flow::kSmtp;
  Cargo cargo = Cargo::kLine;
  bool bounce = false;            // part of a delivery status notification (null sender)
  bool round_trip = false;        // DNS: there and back along the route
  bool local = false;             // into a mailbox on the same host (a delivery)
};

// How long (simulated) a delivery into a local mailbox is shown dropping into it.
inline constexpr core::SimTime kLocalDeliveryTime = core::SimTime::from_millis(300);

// How far along its route a flight is at t: 0 at the sender, 1 at the receiver (for a round
// trip, 1 is the far end at half time and back to 0 at the end).
float route_fraction(const Flight& flight, core::SimTime t);

// A connection with TLS up at the display time.
struct TlsConnection {
  std::uint64_t connection = 0;
  std::uint32_t client = 0;
  std::uint32_t server = 0;
};

// Whether a trace event is a transfer the network view animates (a line, a body, a lookup, a
// delivery into a mailbox).
bool is_transfer(const core::TraceEvent& event);

class Animator {
 public:
  // Advances to display time `t` over the session's events. Starts again from the first event
  // when they are not the ones seen before (a step back, a seek to an earlier point, another
  // scenario) or when t went back. `topology` must describe the world of these events.
  void update(core::TraceEvents events, core::SimTime t, Topology& topology);
  // Forgets everything (the next update starts from the first event).
  void reset();

  const std::vector<Flight>& flights() const { return m_flights; }  // in event order
  const std::vector<TlsConnection>& tls() const { return m_tls; }
  std::size_t cursor() const { return m_cursor; }
  // The client's and the server's hosts of a connection seen so far (Topology indices).
  std::optional<std::pair<std::uint32_t, std::uint32_t>> endpoints(std::uint64_t connection) const;
  // Whether the session of this connection carries a bounce so far.
  bool bounce_connection(std::uint64_t connection) const;
  // Whether an event is part of a bounce: on a connection carrying one, or the delivery of a
  // delivery status notification (by its queue id).
  bool is_bounce(const core::TraceEvent& event) const;

  // The flight an event makes, if it is a transfer whose hosts are known (whatever the time).
  static std::optional<Flight> flight_of(const core::TraceEvent& event, std::size_t index,
                                         Topology& topology, bool bounce);

 private:
  struct ConnectionState {
    std::uint32_t client = 0;
    std::uint32_t server = 0;
    bool known = false;
    bool tls = false;
    bool bounce = false;
  };
  struct Fingerprint {
    core::SimTime time;
    core::TraceKind kind = core::TraceKind::kNote;
    std::uint64_t connection = 0;
    std::size_t text_size = 0;
  };
  static Fingerprint fingerprint(const core::TraceEvent& e) {
    return {e.time, e.kind, e.connection, e.text.size()};
  }
  void consume(const core::TraceEvent& event, std::size_t index, core::SimTime t,
               Topology& topology);
  void rebuild_tls();

  std::size_t m_cursor = 0;
  std::optional<Fingerprint> m_last;  // of events[m_cursor - 1]
  core::SimTime m_time;
  std::vector<Flight> m_flights;
  core::IntMap<ConnectionState> m_connections;
  std::map<std::string, bool, std::less<>> m_dsn_pending;  // host -> a DSN is being queued
  std::set<std::string, std::less<>> m_dsn_ids;            // queue ids of DSNs
  std::vector<TlsConnection> m_tls;
  bool m_tls_dirty = false;
};

}  // namespace mailhop::gui
