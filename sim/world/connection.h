#pragma once
// A TCP connection between two hosts over a network path: two in-order byte pipes whose
// bytes take latency and bandwidth time to cross, plus TLS handshakes, close and reset.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "sim/core/name.h"
#include "sim/core/rng.h"
#include "sim/core/simulator.h"
#include "sim/world/network.h"

namespace mailhop::world {

enum class Side { kClient, kServer };
inline Side other(Side s) { return s == Side::kClient ? Side::kServer : Side::kClient; }

class Connection;

// One end of a connection. The connection calls these as things arrive.
class Endpoint {
 public:
  virtual ~Endpoint() = default;
  virtual void on_open(core::SimTime now) = 0;
  virtual void on_bytes(std::string_view bytes, core::SimTime now) = 0;
  // The peer's TLS handshake message arrived: TLS is up on this side.
  virtual void on_tls(core::SimTime now) = 0;
  virtual void on_peer_closed(core::SimTime now) = 0;
  virtual void on_reset(core::SimTime now) = 0;
};

class Connection {
 public:
  Connection(core::Simulator& sim, core::Rng rng, std::uint64_t id, std::string_view client_host,
             std::string_view server_host, int port, Path path);

  void attach(Side side, std::unique_ptr<Endpoint> endpoint);
  Endpoint* endpoint(Side side) { return side == Side::kClient ? m_client.get() : m_server.get(); }

  // Both ends are told the connection is open after one round trip (SYN, SYN-ACK).
  void establish();
  // Queues bytes from `from` to the other side; returns when they arrive. (An rvalue: the
  // bytes move straight into the event that delivers them.)
  core::SimTime send(Side from, std::string&& bytes);
  // The TLS handshake message from `from`: the other side's on_tls runs when it arrives,
  // in order with the bytes. Returns its arrival time.
  core::SimTime send_tls(Side from);
  // FIN from `from`; the other side's on_peer_closed runs when it arrives.
  void close(Side from);
  // Both sides learn of a reset now (host crash, link cut); nothing more is delivered.
  void reset();

  bool closed(Side side) const { return dir(side).fin_sent; }
  bool fully_closed() const { return (m_c2s.fin_sent && m_s2c.fin_sent) || m_reset; }
  bool is_reset() const { return m_reset; }
  std::uint64_t id() const { return m_id; }
  const std::string& client_host() const { return m_client_host.str(); }
  const std::string& server_host() const { return m_server_host.str(); }
  // The same, interned: what the trace events about this connection name.
  const core::Name& client_name() const { return m_client_host; }
  const core::Name& server_name() const { return m_server_host; }
  int port() const { return m_port; }
  const Path& path() const { return m_path; }
  std::uint64_t bytes_sent(Side from) const { return dir(from).bytes; }
  // No event of this connection is scheduled after this time: it may be destroyed then.
  core::SimTime quiet_after() const { return std::max(m_c2s.last_arrival, m_s2c.last_arrival); }

  // Called when the connection has nothing more to do (both FINs delivered, or reset).
  void set_on_finished(std::function<void(std::uint64_t id)> fn) { m_on_finished = std::move(fn); }

 private:
  struct Direction {
    core::SimTime busy_until;    // the sender's link is serialising until then
    core::SimTime last_arrival;  // keeps deliveries in order
    bool fin_sent = false;
    bool fin_delivered = false;
    std::uint64_t bytes = 0;
  };
  Direction& dir(Side from) { return from == Side::kClient ? m_c2s : m_s2c; }
  const Direction& dir(Side from) const { return from == Side::kClient ? m_c2s : m_s2c; }
  core::SimTime arrival_for(Side from, std::size_t octets);
  void check_finished();
  // The event that delivers bytes (a class rather than a lambda: it is made in its event's slot
  // straight from the sender's string, which moves once).
  struct DeliverBytes {
    Connection* conn;
    Side to;
    std::string data;
    void operator()() {
      if (conn->m_reset) return;
      if (Endpoint* e = conn->endpoint(to)) e->on_bytes(data, conn->m_sim.now());
    }
  };

  core::Simulator& m_sim;
  core::Rng m_rng;
  std::uint64_t m_id;
  core::Name m_client_host;
  core::Name m_server_host;
  int m_port;
  Path m_path;
  std::unique_ptr<Endpoint> m_client;
  std::unique_ptr<Endpoint> m_server;
  Direction m_c2s;
  Direction m_s2c;
  bool m_reset = false;
  bool m_finished_reported = false;
  std::function<void(std::uint64_t)> m_on_finished;
};

}  // namespace mailhop::world
