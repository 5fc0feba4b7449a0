// The network view's layout and view geometry, without a window.

#include "gui/network_layout.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>


namespace {

using mailhop::gui::NetworkLayout;
using mailhop::gui::ViewTransform;
using mailhop::scenario::Node;
using mailhop::scenario::Role;
using mailhop::scenario::Scenario;

Node node(const std::string& name, std::vector<Role> roles) {
  Node n;
  n.name = name;
  n.roles = std::move(roles);
  return n;
}

Scenario small_world() {
  Scenario s;
  s.nodes = {node("laptop.a.example", {Role::kMua}), node("ns.example", {Role::kDns}),
             node("mx.b.example", {Role::kMx, Role::kMda}),
             node("smtp.a.example", {Role::kMsa, Role::kMta})};
  s.links = {{"laptop.a.example", "smtp.a.example"}, {"smtp.a.example", "mx.b.example"},
             {"smtp.a.example", "ns.example"}};
  return s;
}

// Like `mailhop gen --domains N`: one provider and one office PC per domain, the PC linked to
// its provider, every two providers linked.
Scenario generated(int domains) {
  Scenario s;
  for (int d = 1; d <= domains; ++d) {
    const std::string n = std::to_string(d);
    s.nodes.push_back(node("pc.d" + n + ".example", {Role::kMua}));
    s.nodes.push_back(node("mail.d" + n + ".example", {Role::kMsa, Role::kMta, Role::kMx, Role::kMda}));
    s.links.push_back({"pc.d" + n + ".example", "mail.d" + n + ".example"});
  }
  for (int a = 1; a <= domains; ++a)
    for (int b = a + 1; b <= domains; ++b)
      s.links.push_back({"mail.d" + std::to_string(a) + ".example", "mail.d" + std::to_string(b) + ".example"});
  return s;
}

}  // namespace

TEST_CASE("the automatic layout puts clients left, relays middle, mailboxes right, DNS on top",
          "[gui][layout]") {
  const auto p = NetworkLayout::compute(small_world());
  REQUIRE(p.size() == 4);
  const ImVec2 laptop = p[0], ns = p[1], mx = p[2], smtp = p[3];
  CHECK(laptop.x < smtp.x);
  CHECK(smtp.x < mx.x);
  CHECK(ns.y < smtp.y);
  CHECK(ns.y < laptop.y);
  CHECK(ns.x == Approx(smtp.x));  // centred over the relays
  CHECK(laptop.y == Approx(smtp.y));
}

TEST_CASE("the layout is deterministic", "[gui][layout]") {
  const Scenario s = generated(100);
  const auto a = NetworkLayout::compute(s);
  const auto b = NetworkLayout::compute(s);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].x == b[i].x);
    CHECK(a[i].y == b[i].y);
  }
}

TEST_CASE("a generated world of 200 hosts has no overlapping icons and a projector's shape",
          "[gui][layout]") {
  const Scenario s = generated(100);
  REQUIRE(s.nodes.size() == 200);
  const auto p = NetworkLayout::compute(s);
  std::size_t overlaps = 0;
  for (std::size_t i = 0; i < p.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (std::fabs(p[i].x - p[j].x) < mailhop::gui::kLayoutMinSeparationX &&
          std::fabs(p[i].y - p[j].y) < mailhop::gui::kLayoutMinSeparationY)
        ++overlaps;
  CHECK(overlaps == 0);
  NetworkLayout layout;
  layout.update(s);
  const float w = layout.max().x - layout.min().x;
  const float h = layout.max().y - layout.min().y;
  CHECK(w / h > 0.8f);
  CHECK(w / h < 3.0f);
  // Each office PC sits on the same row as its provider.
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    if (s.nodes[i].roles != std::vector<Role>{Role::kMua}) continue;
    for (const auto& link : s.links) {
      if (link.a != s.nodes[i].name && link.b != s.nodes[i].name) continue;
      const std::string& other = link.a == s.nodes[i].name ? link.b : link.a;
      const auto j = layout.index(other);
      REQUIRE(j);
      CHECK(p[i].y == Approx(p[*j].y));
      CHECK(p[i].x < p[*j].x);
    }
  }
}

TEST_CASE("positions from the scenario are honoured; the rest is placed below them",
          "[gui][layout]") {
  Scenario s = small_world();
  s.nodes[0].position = {{80, 200}};
  s.nodes[3].position = {{330, 200}};
  s.nodes[2].position = {{600, 200}};
  const auto p = NetworkLayout::compute(s);
  CHECK(p[0].x == 80.0f);
  CHECK(p[0].y == 200.0f);
  CHECK(p[3].x == 330.0f);
  CHECK(p[2].x == 600.0f);
  CHECK(p[1].y > 200.0f);  // the name server had no position: below the placed hosts
}

TEST_CASE("scenario positions that would overlap are nudged apart", "[gui][layout]") {
  Scenario s = small_world();
  s.nodes[3].position = {{330, 40}};
  s.nodes[1].position = {{330, 60}};
  s.nodes[0].position = {{80, 200}};
  s.nodes[2].position = {{600, 200}};
  const auto p = NetworkLayout::compute(s);
  // The one first in the file (the name server) keeps its place; the other moves away from it.
  CHECK(p[1].x == 330.0f);
  CHECK(p[1].y == 60.0f);
  CHECK(p[3].y < p[1].y);
  CHECK(std::fabs(p[1].y - p[3].y) >= mailhop::gui::kLayoutMinSeparationY);
  CHECK(p[0].y == 200.0f);  // hosts that did not overlap stay put
}

TEST_CASE("dragged positions are kept by name across re-runs and forgotten on reset",
          "[gui][layout]") {
  NetworkLayout layout;
  const Scenario s = small_world();
  CHECK(layout.update(s));
  CHECK_FALSE(layout.update(s));  // nothing changed
  const std::size_t mx = *layout.index("mx.b.example");
  layout.move(mx, ImVec2(1000, 1000));
  CHECK_FALSE(layout.update(s));  // a re-run of the same scenario
  CHECK(layout.position(mx).x == 1000.0f);
  CHECK(layout.max().x == 1000.0f);
  // The same hosts in another order (a reloaded file): still where it was dragged.
  Scenario reordered = s;
  std::swap(reordered.nodes[0], reordered.nodes[2]);
  CHECK(layout.update(reordered));
  CHECK(layout.position(*layout.index("mx.b.example")).x == 1000.0f);
  layout.reset_moves();
  CHECK(layout.position(*layout.index("mx.b.example")).x != 1000.0f);
}

TEST_CASE("an outside client of the script is laid out next to its server, apart from the rest",
          "[gui][layout]") {
  Scenario s = small_world();
  s.nodes[0].position = {{80, 200}};
  s.nodes[3].position = {{330, 200}};
  s.nodes[2].position = {{600, 200}};
  s.nodes[1].position = {{330, 60}};
  mailhop::scenario::ScriptStep step;
  step.action = mailhop::scenario::ClientSessionAction{"127.0.0.1", "smtp.a.example", 587, {}};
  NetworkLayout layout;
  CHECK(layout.update(s));
  CHECK_FALSE(layout.index("127.0.0.1"));
  s.script.push_back(step);
  CHECK(layout.update(s));  // a host more
  const std::size_t guest = *layout.index("127.0.0.1");
  CHECK(guest == s.nodes.size());  // after the scenario's nodes
  const ImVec2 g = layout.position(guest);
  CHECK(g.x < 330.0f);  // left of its server, as clients are
  CHECK(g.y > 200.0f);  // and below it
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    const ImVec2 q = layout.position(i);
    CHECK((std::fabs(q.x - g.x) >= mailhop::gui::kLayoutMinSeparationX ||
           std::fabs(q.y - g.y) >= mailhop::gui::kLayoutMinSeparationY));
  }
  // Another session of the same client adds no host; a client that is a node is no guest.
  s.script.push_back(step);
  step.action = mailhop::scenario::ClientSessionAction{"laptop.a.example", "mx.b.example", 25, {}};
  s.script.push_back(step);
  CHECK_FALSE(layout.update(s));
  CHECK(layout.size() == s.nodes.size() + 1);
}

TEST_CASE("zoom keeps the point under the cursor still; fit shows everything",
          "[gui][layout]") {
  ViewTransform v;
  v.offset = ImVec2(10, 20);
  v.zoom = 1.0f;
  const ImVec2 canvas(100, 50);
  const ImVec2 cursor(400, 300);
  const ImVec2 before = v.to_world(canvas, cursor);
  v.zoom_at(canvas, cursor, 1.5f);
  CHECK(v.zoom == Approx(1.5f));
  const ImVec2 after = v.to_world(canvas, cursor);
  CHECK(after.x == Approx(before.x));
  CHECK(after.y == Approx(before.y));
  const ImVec2 round = v.to_screen(canvas, after);
  CHECK(round.x == Approx(cursor.x));
  // Spread apart (hosts further apart than the zoom alone puts them): the same holds, and the
  // spread stays through the zoom.
  ViewTransform spread = v;
  spread.stretch = ImVec2(1.8f, 1.3f);
  const ImVec2 w = spread.to_world(canvas, cursor);
  spread.zoom_at(canvas, cursor, 0.8f);
  CHECK(spread.stretch.x == 1.8f);
  const ImVec2 still = spread.to_world(canvas, cursor);
  CHECK(still.x == Approx(w.x));
  CHECK(still.y == Approx(w.y));
  const ImVec2 p = spread.to_screen(canvas, ImVec2(100, 100));
  const ImVec2 q = spread.to_screen(canvas, ImVec2(200, 200));
  CHECK(q.x - p.x == Approx(100.0f * spread.zoom * 1.8f));
  CHECK(q.y - p.y == Approx(100.0f * spread.zoom * 1.3f));

  const ViewTransform f =
      ViewTransform::fit(ImVec2(-100, -50), ImVec2(900, 450), ImVec2(800, 600), ImVec2(50, 50), 2.0f);
  const ImVec2 a = f.to_screen(ImVec2(0, 0), ImVec2(-100, -50));
  const ImVec2 b = f.to_screen(ImVec2(0, 0), ImVec2(900, 450));
  CHECK(a.x >= 49.0f);
  CHECK(b.x <= 751.0f);
  CHECK(a.y >= 49.0f);
  CHECK(b.y <= 551.0f);
  CHECK((a.x + b.x) / 2 == Approx(400.0f));
  // A tiny network is not blown up past the maximum zoom.
  const ViewTransform tiny =
      ViewTransform::fit(ImVec2(0, 0), ImVec2(10, 10), ImVec2(800, 600), ImVec2(50, 50), 1.5f);
  CHECK(tiny.zoom == Approx(1.5f));
}

TEST_CASE("hit-testing geometry: segment distance and points along a route", "[gui][layout]") {
  CHECK(mailhop::gui::distance_to_segment(ImVec2(5, 3), ImVec2(0, 0), ImVec2(10, 0)) ==
        Approx(3.0f));
  CHECK(mailhop::gui::distance_to_segment(ImVec2(-4, 3), ImVec2(0, 0), ImVec2(10, 0)) ==
        Approx(5.0f));
  const ImVec2 route[3] = {ImVec2(0, 0), ImVec2(10, 0), ImVec2(10, 30)};
  const ImVec2 mid = mailhop::gui::point_along(route, 3, 0.5f);  // 20 of 40
  CHECK(mid.x == Approx(10.0f));
  CHECK(mid.y == Approx(10.0f));
  const ImVec2 end = mailhop::gui::point_along(route, 3, 1.0f);
  CHECK(end.y == Approx(30.0f));
}
