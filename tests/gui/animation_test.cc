// Envelopes in flight computed from recorded runs of the shipped scenarios (no window).

#include "gui/animation.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "gui/session.h"

namespace {

using mailhop::core::SimTime;
using mailhop::core::TraceEvent;
using mailhop::core::TraceKind;
using mailhop::gui::Animator;
using mailhop::gui::Cargo;
using mailhop::gui::Flight;
using mailhop::gui::Flow;
using mailhop::gui::Session;
using mailhop::gui::Topology;

const std::filesystem::path kScenarios =
    std::filesystem::path(MAILHOP_ASSETS_DIR).parent_path() / "scenarios";

std::unique_ptr<Session> open(const std::string& name) {
  std::string error;
  auto s = Session::open(kScenarios / name, &error);
  INFO(error);
  REQUIRE(s);
  return s;
}

// Events of the whole run (to the scenario's end).
std::unique_ptr<Session> run(const std::string& name) {
  auto s = open(name);
  s->seek_time(s->end());
  REQUIRE_FALSE(s->events().empty());
  return s;
}

// The first event of `kind` whose text starts with `prefix`.
std::size_t find(const Session& s, TraceKind kind, const std::string& prefix) {
  const auto events = s.events();
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i].kind == kind && events[i].text.rfind(prefix, 0) == 0) return i;
  FAIL("no event " << prefix);
  return 0;
}

// The flights at t, computed from scratch on the first `count` events.
Animator animate(const Session& s, std::size_t count, SimTime t, Topology& topology) {
  Animator a;
  a.update(s.events().first(count), t, topology);
  return a;
}

// Events emitted up to and including time t (what the session shows at t).
std::size_t shown_at(const Session& s, SimTime t) {
  std::size_t n = 0;
  for (const TraceEvent& e : s.events())
    if (e.time <= t) ++n;
  return n;
}

}  // namespace

TEST_CASE("the message body travels from the relay to the MX, half way at mid time",
          "[gui][animation]") {
  auto s = run("01-journey.json");
  Topology topology = Topology::from_world(s->world());
  // The second DATA transfer: smtp.gmail.example relays to mx.yahoo.example.
  const auto events = s->events();
  std::size_t data = 0;
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i].kind == TraceKind::kDataSent && events[i].node == "smtp.gmail.example") data = i;
  REQUIRE(data > 0);
  const TraceEvent& e = events[data];
  REQUIRE(e.arrival > e.time);
  const SimTime mid = e.time + SimTime::from_micros((e.arrival - e.time).micros() / 2);

  Animator a = animate(*s, shown_at(*s, mid), mid, topology);
  const Flight* flight = nullptr;
  for (const Flight& f : a.flights())
    if (f.event == data) flight = &f;
  REQUIRE(flight != nullptr);
  CHECK(flight->cargo == Cargo::kData);
  CHECK(flight->flow == Flow::kSmtp);
  CHECK_FALSE(flight->bounce);
  const auto& route = topology.route_nodes(flight->route);
  REQUIRE(route.size() == 2);
  CHECK(topology.name(route.front()) == "smtp.gmail.example");
  CHECK(topology.name(route.back()) == "mx.yahoo.example");
  CHECK(mailhop::gui::route_fraction(*flight, mid) == Approx(0.5f).margin(0.01f));
  // Nothing of that connection is in flight when the body is on its way but the body itself
  // (the client waits for the reply): exactly one envelope.
  CHECK(a.flights().size() == 1);

  // Just after it arrived, it is gone.
  Animator later = animate(*s, shown_at(*s, e.arrival), e.arrival, topology);
  for (const Flight& f : later.flights()) CHECK(f.event != data);
}

TEST_CASE("a reply travels from the server to the client", "[gui][animation]") {
  auto s = run("01-journey.json");
  Topology topology = Topology::from_world(s->world());
  const std::size_t greeting = find(*s, TraceKind::kServerLine, "220 smtp.gmail.example");
  const TraceEvent& e = s->events()[greeting];
  const SimTime quarter = e.time + SimTime::from_micros((e.arrival - e.time).micros() / 4);
  Animator a = animate(*s, shown_at(*s, quarter), quarter, topology);
  REQUIRE(a.flights().size() == 1);
  const Flight& f = a.flights().front();
  CHECK(f.event == greeting);
  const auto& route = topology.route_nodes(f.route);
  CHECK(topology.name(route.front()) == "smtp.gmail.example");
  CHECK(topology.name(route.back()) == "laptop.marcos.example");
  CHECK(f.cargo == Cargo::kLine);
  CHECK(mailhop::gui::route_fraction(f, quarter) == Approx(0.25f).margin(0.01f));
}

TEST_CASE("pipelined commands are in flight together, in event order", "[gui][animation]") {
  auto s = run("01-journey.json");
  Topology topology = Topology::from_world(s->world());
  const std::size_t mail = find(*s, TraceKind::kClientLine, "MAIL FROM:<marcos@");
  const TraceEvent& e = s->events()[mail];
  const SimTime t = e.time + SimTime::from_micros(1);
  Animator a = animate(*s, shown_at(*s, t), t, topology);
  // MAIL FROM, RCPT TO and DATA left together (PIPELINING).
  REQUIRE(a.flights().size() == 3);
  CHECK(s->events()[a.flights()[0].event].text.rfind("MAIL FROM", 0) == 0);
  CHECK(s->events()[a.flights()[1].event].text.rfind("RCPT TO", 0) == 0);
  CHECK(s->events()[a.flights()[2].event].text == "DATA");
}

TEST_CASE("the animator advances incrementally and matches a fresh computation",
          "[gui][animation]") {
  auto s = run("01-journey.json");
  Topology topology = Topology::from_world(s->world());
  Animator incremental;
  const SimTime end = s->events().back().time;
  for (std::int64_t us = 0; us <= end.micros() + 10'000; us += 5'000) {
    const SimTime t = SimTime::from_micros(us);
    const std::size_t n = shown_at(*s, t);
    incremental.update(s->events().first(n), t, topology);
    Animator fresh = animate(*s, n, t, topology);
    REQUIRE(incremental.flights().size() == fresh.flights().size());
    for (std::size_t k = 0; k < fresh.flights().size(); ++k)
      CHECK(incremental.flights()[k].event == fresh.flights()[k].event);
    CHECK(incremental.cursor() == n);
  }
  // Going back in time starts again from the first event.
  const SimTime early = SimTime::from_millis(1100);
  incremental.update(s->events().first(shown_at(*s, early)), early, topology);
  CHECK(incremental.cursor() == shown_at(*s, early));
}

TEST_CASE("a padlock is on the connection after STARTTLS until it closes", "[gui][animation]") {
  auto s = run("01-journey.json");
  Topology topology = Topology::from_world(s->world());
  const auto events = s->events();
  std::size_t handshake = 0;
  std::size_t closed = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].connection != 1) continue;
    if (events[i].kind == TraceKind::kTlsHandshake) handshake = i;
    if (events[i].kind == TraceKind::kConnectionClosed) closed = i;
  }
  REQUIRE(handshake > 0);
  REQUIRE(closed > handshake);
  const std::size_t starttls = find(*s, TraceKind::kClientLine, "STARTTLS");
  Animator before = animate(*s, starttls + 1, events[starttls].time, topology);
  CHECK(before.tls().empty());
  Animator after = animate(*s, handshake + 1, events[handshake].time, topology);
  REQUIRE(after.tls().size() == 1);
  CHECK(after.tls().front().connection == 1);
  CHECK(topology.name(after.tls().front().client) == "laptop.marcos.example");
  CHECK(topology.name(after.tls().front().server) == "smtp.gmail.example");
  Animator done = animate(*s, closed + 1, events[closed].time, topology);
  for (const auto& c : done.tls()) CHECK(c.connection != 1);
}

TEST_CASE("a DNS lookup goes to the name server and back", "[gui][animation]") {
  auto s = run("01-journey.json");
  Topology topology = Topology::from_world(s->world());
  REQUIRE(topology.dns_node());
  CHECK(topology.name(*topology.dns_node()) == "ns.example");
  const std::size_t query = find(*s, TraceKind::kDnsQuery, "yahoo.example");
  const TraceEvent& e = s->events()[query];
  const auto latency = topology.dns_latency(*topology.index(e.node));
  REQUIRE(latency);
  REQUIRE(latency->micros() > 0);
  const SimTime there = e.time + *latency;
  Animator a = animate(*s, shown_at(*s, e.time), e.time, topology);
  const Flight* f = nullptr;
  for (const Flight& x : a.flights())
    if (x.event == query) f = &x;
  REQUIRE(f != nullptr);
  CHECK(f->flow == Flow::kDns);
  CHECK(f->round_trip);
  CHECK(mailhop::gui::route_fraction(*f, e.time) == Approx(0.0f));
  CHECK(mailhop::gui::route_fraction(*f, there) == Approx(1.0f));
  CHECK(mailhop::gui::route_fraction(*f, e.time + *latency * 2) == Approx(0.0f));
  CHECK(topology.name(topology.route_nodes(f->route).back()) == "ns.example");
}

TEST_CASE("null sender detection", "[gui][animation]") {
  CHECK(mailhop::gui::is_null_sender("MAIL FROM:<>"));
  CHECK(mailhop::gui::is_null_sender("mail from:<> RET=HDRS"));
  CHECK(mailhop::gui::is_null_sender("MAIL FROM: <>"));
  CHECK_FALSE(mailhop::gui::is_null_sender("MAIL FROM:<a@b.example>"));
  CHECK_FALSE(mailhop::gui::is_null_sender("RCPT TO:<>"));
}

TEST_CASE("the bounce drops into the sender's mailbox as a red envelope", "[gui][animation]") {
  auto s = run("06-unknown-user.json");
  Topology topology = Topology::from_world(s->world());
  const auto events = s->events();
  std::size_t bounced = 0;
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i].kind == TraceKind::kBounced) bounced = i;
  REQUIRE(bounced > 0);
  // The DSN is queued on the same host, then delivered into marcos@gmail.example's mailbox.
  std::size_t delivered = 0;
  for (std::size_t i = bounced; i < events.size(); ++i)
    if (events[i].kind == TraceKind::kDelivered) {
      delivered = i;
      break;
    }
  REQUIRE(delivered > bounced);
  const TraceEvent& e = events[delivered];
  CHECK(e.node == "smtp.gmail.example");
  Animator a = animate(*s, delivered + 1, e.time, topology);
  const Flight* f = nullptr;
  for (const Flight& x : a.flights())
    if (x.event == delivered) f = &x;
  REQUIRE(f != nullptr);
  CHECK(f->bounce);
  CHECK(f->local);
  CHECK(a.is_bounce(e));
  // The original message was never delivered, and the 550 reply that caused the bounce is not
  // itself red.
  const std::size_t refusal = find(*s, TraceKind::kServerLine, "550");
  Animator at_refusal = animate(*s, refusal + 1, events[refusal].time, topology);
  for (const Flight& x : at_refusal.flights()) CHECK_FALSE(x.bounce);
}

TEST_CASE("a delivery into a mailbox is a short local hop of the message", "[gui][animation]") {
  auto s = run("01-journey.json");
  Topology topology = Topology::from_world(s->world());
  const auto events = s->events();
  std::size_t delivered = 0;
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i].kind == TraceKind::kDelivered) delivered = i;
  REQUIRE(delivered > 0);
  const SimTime t = events[delivered].time + mailhop::gui::kLocalDeliveryTime * 1 -
                    SimTime::from_millis(150);
  Animator a = animate(*s, delivered + 1, t, topology);
  const Flight* f = nullptr;
  for (const Flight& x : a.flights())
    if (x.event == delivered) f = &x;
  REQUIRE(f != nullptr);
  CHECK(f->local);
  CHECK_FALSE(f->bounce);
  CHECK(f->cargo == Cargo::kData);
  CHECK(mailhop::gui::route_fraction(*f, t) == Approx(0.5f).margin(0.01f));
}

TEST_CASE("a trace event's host is found by its interned name as by its text",
          "[gui][animation]") {
  auto s = run("08-office-smarthost.json");
  const Topology topology = Topology::from_world(s->world());
  REQUIRE(topology.node_count() > 3);
  std::size_t named = 0;
  for (int pass = 0; pass < 2; ++pass) {  // the second pass answers from the cache
    for (const TraceEvent& e : s->events()) {
      CHECK(topology.index(e.node) == topology.index(std::string_view(e.node)));
      CHECK(topology.index(e.peer) == topology.index(std::string_view(e.peer)));
      if (topology.index(e.node)) ++named;
    }
  }
  CHECK(named > 100);
  CHECK_FALSE(topology.index(mailhop::core::Name("no-such-host.example")));
  CHECK(topology.index(mailhop::core::Name(topology.name(2))) == 2u);
}
