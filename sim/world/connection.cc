#include "sim/world/connection.h"

#include <algorithm>

namespace mailhop::world {

namespace {
// RFC 6298: the initial retransmission timeout is one second; it doubles per loss.
constexpr core::SimTime kInitialRto = core::SimTime::from_seconds(1);
constexpr int kMaxRetransmissions = 6;
}  // namespace

Connection::Connection(core::Simulator& sim, core::Rng rng, std::uint64_t id,
                       std::string_view client_host, std::string_view server_host, int port,
                       Path path)
    : m_sim(sim),
      m_rng(rng),
      m_id(id),
      m_client_host(client_host),
      m_server_host(server_host),
      m_port(port),
      m_path(std::move(path)) {}

void Connection::attach(Side side, std::unique_ptr<Endpoint> endpoint) {
  (side == Side::kClient ? m_client : m_server) = std::move(endpoint);
}

void Connection::establish() {
  const core::SimTime rtt = m_path.latency * 2;
  const core::SimTime at = m_sim.now() + rtt;
  m_c2s.last_arrival = at;
  m_s2c.last_arrival = at;
  // The server learns first so that its greeting is queued before the client could speak. One
  // event tells both: two events scheduled one after the other for the same time would run one
  // after the other too (what either schedules for that time runs after both).
  m_sim.schedule(at, [this] {
    if (!m_reset && m_server) m_server->on_open(m_sim.now());
    if (!m_reset && m_client) m_client->on_open(m_sim.now());
  });
}

// Inline: every send, TLS flight and FIN passes here (private, so only this file calls it).
[[gnu::always_inline]] inline core::SimTime Connection::arrival_for(Side from, std::size_t octets) {
  Direction& d = dir(from);
  const core::SimTime now = m_sim.now();
  core::SimTime start = std::max(now, d.busy_until);
  core::SimTime tx;
  if (m_path.bandwidth_bps > 0) {
    // Time to put the octets on the wire, rounded up to a microsecond.
    const std::uint64_t bits = static_cast<std::uint64_t>(octets) * 8ULL;
    const std::uint64_t us = (bits * 1'000'000ULL + m_path.bandwidth_bps - 1) / m_path.bandwidth_bps;
    tx = core::SimTime::from_micros(static_cast<std::int64_t>(us));
  }
  d.busy_until = start + tx;
  core::SimTime arrival = start + tx + m_path.latency;
  // A lost segment is sent again after the retransmission timeout (doubling each time).
  core::SimTime rto = kInitialRto;
  for (int i = 0; i < kMaxRetransmissions && m_path.loss > 0.0 && m_rng.chance(m_path.loss); ++i) {
    arrival += rto;
    rto = rto * 2;
  }
  arrival = std::max(arrival, d.last_arrival);
  d.last_arrival = arrival;
  return arrival;
}

core::SimTime Connection::send(Side from, std::string&& bytes) {
  Direction& d = dir(from);
  if (m_reset || d.fin_sent || bytes.empty()) return m_sim.now();
  d.bytes += bytes.size();
  const core::SimTime at = arrival_for(from, bytes.size());
  const Side to = other(from);
  m_sim.schedule_new<DeliverBytes>(at, this, to, std::move(bytes));
  return at;
}

core::SimTime Connection::send_tls(Side from) {
  if (m_reset || dir(from).fin_sent) return m_sim.now();
  // A TLS 1.3 flight is a few kilobytes (certificate chain); count it for bandwidth.
  const core::SimTime at = arrival_for(from, from == Side::kServer ? 3000 : 400);
  const Side to = other(from);
  m_sim.schedule(at, [this, to] {
    if (m_reset) return;
    if (Endpoint* e = endpoint(to)) e->on_tls(m_sim.now());
  });
  return at;
}

void Connection::close(Side from) {
  Direction& d = dir(from);
  if (m_reset || d.fin_sent) return;
  d.fin_sent = true;
  const core::SimTime at = arrival_for(from, 0);
  const Side to = other(from);
  m_sim.schedule(at, [this, from, to] {
    if (m_reset) return;
    dir(from).fin_delivered = true;
    if (Endpoint* e = endpoint(to)) e->on_peer_closed(m_sim.now());
    check_finished();
  });
}

void Connection::reset() {
  if (m_reset) return;
  m_reset = true;
  const core::SimTime now = m_sim.now();
  if (m_client) m_client->on_reset(now);
  if (m_server) m_server->on_reset(now);
  check_finished();
}

void Connection::check_finished() {
  if (m_finished_reported) return;
  if (m_reset || (m_c2s.fin_delivered && m_s2c.fin_delivered)) {
    m_finished_reported = true;
    if (m_on_finished) {
      // Report from a fresh event: the owner may destroy this connection. (Reported once: the
      // function can move.)
      m_sim.schedule(m_sim.now(), [fn = std::move(m_on_finished), id = m_id] { fn(id); });
    }
  }
}

}  // namespace mailhop::world
