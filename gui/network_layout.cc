#include "gui/network_layout.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "sim/world/outside_clients.h"

namespace mailhop::gui {

namespace {

using scenario::Role;

bool has(const scenario::Node& node, Role role) {
  return std::find(node.roles.begin(), node.roles.end(), role) != node.roles.end();
}

// Moves positions closer than the minimum separation apart, the later node away from the
// earlier one along the axis where they are already furthest apart. Deterministic.
void separate(std::vector<ImVec2>& points, const std::vector<bool>& fixed_only) {
  for (int pass = 0; pass < 8; ++pass) {
    bool moved = false;
    for (std::size_t j = 0; j < points.size(); ++j) {
      if (!fixed_only[j]) continue;
      for (std::size_t i = 0; i < j; ++i) {
        if (!fixed_only[i]) continue;
        const float dx = points[j].x - points[i].x;
        const float dy = points[j].y - points[i].y;
        if (std::fabs(dx) >= kLayoutMinSeparationX || std::fabs(dy) >= kLayoutMinSeparationY)
          continue;
        // Normalised overlap on each axis: push along the one that needs less movement.
        const float need_x = kLayoutMinSeparationX - std::fabs(dx);
        const float need_y = kLayoutMinSeparationY - std::fabs(dy);
        if (need_x / kLayoutMinSeparationX < need_y / kLayoutMinSeparationY)
          points[j].x += dx < 0 ? -need_x : need_x;
        else
          points[j].y += dy < 0 ? -need_y : need_y;
        moved = true;
      }
    }
    if (!moved) break;
  }
}

}  // namespace

void ViewTransform::zoom_at(ImVec2 canvas_min, ImVec2 screen, float factor) {
  const ImVec2 world = to_world(canvas_min, screen);
  zoom = std::clamp(zoom * factor, kMinZoom, kMaxZoom);
  offset = ImVec2(screen.x - canvas_min.x - world.x * zoom * stretch.x,
                  screen.y - canvas_min.y - world.y * zoom * stretch.y);
}

ViewTransform ViewTransform::fit(ImVec2 world_min, ImVec2 world_max, ImVec2 size, ImVec2 margin,
                                 float max_zoom) {
  ViewTransform v;
  const float w = std::max(1.0f, world_max.x - world_min.x);
  const float h = std::max(1.0f, world_max.y - world_min.y);
  const float avail_w = std::max(1.0f, size.x - 2.0f * margin.x);
  const float avail_h = std::max(1.0f, size.y - 2.0f * margin.y);
  v.zoom = std::clamp(std::min(avail_w / w, avail_h / h), kMinZoom, std::max(kMinZoom, max_zoom));
  const ImVec2 centre((world_min.x + world_max.x) / 2.0f, (world_min.y + world_max.y) / 2.0f);
  v.offset = ImVec2(size.x / 2.0f - centre.x * v.zoom, size.y / 2.0f - centre.y * v.zoom);
  return v;
}

float distance_to_segment(ImVec2 p, ImVec2 a, ImVec2 b) {
  const float dx = b.x - a.x;
  const float dy = b.y - a.y;
  const float len2 = dx * dx + dy * dy;
  float t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0.0f;
  t = std::clamp(t, 0.0f, 1.0f);
  const float ex = a.x + t * dx - p.x;
  const float ey = a.y + t * dy - p.y;
  return std::sqrt(ex * ex + ey * ey);
}

ImVec2 point_along(const ImVec2* points, std::size_t count, float f) {
  if (count == 0) return ImVec2(0, 0);
  if (count == 1 || f <= 0.0f) return points[0];
  if (f >= 1.0f) return points[count - 1];
  if (count == 2)
    return ImVec2(points[0].x + (points[1].x - points[0].x) * f,
                  points[0].y + (points[1].y - points[0].y) * f);
  float total = 0;
  for (std::size_t i = 1; i < count; ++i)
    total += std::hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
  float want = total * f;
  for (std::size_t i = 1; i < count; ++i) {
    const float len = std::hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
    if (want <= len && len > 0) {
      const float u = want / len;
      return ImVec2(points[i - 1].x + (points[i].x - points[i - 1].x) * u,
                    points[i - 1].y + (points[i].y - points[i - 1].y) * u);
    }
    want -= len;
  }
  return points[count - 1];
}

LayoutColumn layout_column(const scenario::Node& node) {
  if (has(node, Role::kMua)) return LayoutColumn::kClient;
  if (has(node, Role::kMsa)) return LayoutColumn::kRelay;
  if (has(node, Role::kMx) || has(node, Role::kMda) || has(node, Role::kPop3) ||
      has(node, Role::kImap) || has(node, Role::kWebmail))
    return LayoutColumn::kMailbox;
  if (has(node, Role::kDns)) return LayoutColumn::kDns;
  return LayoutColumn::kRelay;
}

std::vector<ImVec2> NetworkLayout::compute(const scenario::Scenario& scenario) {
  std::vector<ImVec2> out = compute_nodes(scenario);
  // Outside clients (client_session steps): left of their first server and a little below, or
  // further down while that spot is taken.
  std::map<std::string_view, std::size_t> index;
  for (std::size_t i = 0; i < scenario.nodes.size(); ++i) index.emplace(scenario.nodes[i].name, i);
  for (const world::OutsideClient& client : world::outside_clients(scenario)) {
    const ImVec2 server = out[index.at(client.servers.front())];
    ImVec2 p(server.x - kLayoutColumnSpacing * 0.75f, server.y + kLayoutRowSpacing * 0.75f);
    const auto taken = [&](ImVec2 q) {
      return std::any_of(out.begin(), out.end(), [&](ImVec2 o) {
        return std::fabs(o.x - q.x) < kLayoutMinSeparationX &&
               std::fabs(o.y - q.y) < kLayoutMinSeparationY;
      });
    };
    for (int tries = 0; tries < 64 && taken(p); ++tries) p.y += kLayoutMinSeparationY;
    out.push_back(p);
  }
  return out;
}

std::vector<ImVec2> NetworkLayout::compute_nodes(const scenario::Scenario& scenario) {
  const std::size_t n = scenario.nodes.size();
  std::vector<ImVec2> out(n, ImVec2(0, 0));
  std::vector<bool> given(n, false);
  std::map<std::string_view, std::size_t> index;
  for (std::size_t i = 0; i < n; ++i) {
    index.emplace(scenario.nodes[i].name, i);
    if (const auto& p = scenario.nodes[i].position) {
      out[i] = ImVec2(static_cast<float>(p->x), static_cast<float>(p->y));
      given[i] = true;
    }
  }
  separate(out, given);

  // Automatic layout of the others.
  std::vector<std::size_t> dns, clients, relays, boxes;
  for (std::size_t i = 0; i < n; ++i) {
    if (given[i]) continue;
    switch (layout_column(scenario.nodes[i])) {
      case LayoutColumn::kDns: dns.push_back(i); break;
      case LayoutColumn::kClient: clients.push_back(i); break;
      case LayoutColumn::kRelay: relays.push_back(i); break;
      case LayoutColumn::kMailbox: boxes.push_back(i); break;
    }
  }
  const std::size_t automatic = dns.size() + clients.size() + relays.size() + boxes.size();
  if (automatic == 0) return out;

  // Rows per column: about the square root of the count, so a big world stays roughly as wide
  // as it is tall (a projector's shape) instead of one endless column.
  const std::size_t rows_max =
      std::max<std::size_t>(4, static_cast<std::size_t>(std::ceil(std::sqrt(double(automatic)))));

  // The order of the servers is the scenario's; mail programs sit next to the server they are
  // linked to (the rank of their first server neighbour), so their links run straight across.
  std::vector<std::size_t> rank(n, std::numeric_limits<std::size_t>::max());
  {
    std::size_t r = 0;
    for (std::size_t i : relays) rank[i] = r++;
    for (std::size_t i : boxes) rank[i] = r++;
  }
  std::vector<std::size_t> client_key(n, std::numeric_limits<std::size_t>::max());
  for (const scenario::Link& link : scenario.links) {
    const auto a = index.find(link.a);
    const auto b = index.find(link.b);
    if (a == index.end() || b == index.end()) continue;
    client_key[a->second] = std::min(client_key[a->second], rank[b->second]);
    client_key[b->second] = std::min(client_key[b->second], rank[a->second]);
  }
  std::stable_sort(clients.begin(), clients.end(), [&](std::size_t x, std::size_t y) {
    return client_key[x] < client_key[y];
  });

  // Columns left to right, each a small grid filled top to bottom.
  std::size_t tallest = 1;
  for (const auto* group : {&clients, &relays, &boxes})
    tallest = std::max(tallest, std::min(rows_max, group->size()));
  float x = 0;
  float relay_left = 0;
  float relay_right = 0;
  bool any_column = false;
  for (const auto* group : {&clients, &relays, &boxes}) {
    if (group->empty()) continue;
    if (any_column) x += kLayoutColumnSpacing * 1.25f;
    const std::size_t rows = std::min(rows_max, group->size());
    const std::size_t cols = (group->size() + rows - 1) / rows;
    if (group == &relays) relay_left = x;
    for (std::size_t k = 0; k < group->size(); ++k) {
      const std::size_t col = k / rows;
      const std::size_t row = k % rows;
      // The last column may be shorter: centre it too.
      const std::size_t in_col = std::min(rows, group->size() - col * rows);
      const float y = (static_cast<float>(row) - static_cast<float>(in_col - 1) / 2.0f) *
                      kLayoutRowSpacing;
      out[(*group)[k]] = ImVec2(x + static_cast<float>(col) * kLayoutColumnSpacing, y);
    }
    x += static_cast<float>(cols - 1) * kLayoutColumnSpacing;
    if (group == &relays) relay_right = x;
    any_column = true;
  }
  // Name servers on top, centred over the relays (or over everything).
  if (!dns.empty()) {
    const float centre = relays.empty() ? x / 2.0f : (relay_left + relay_right) / 2.0f;
    const float top = -(static_cast<float>(tallest - 1) / 2.0f + 1.0f) * kLayoutRowSpacing;
    const float width = static_cast<float>(dns.size() - 1) * kLayoutColumnSpacing;
    for (std::size_t k = 0; k < dns.size(); ++k)
      out[dns[k]] = ImVec2(centre - width / 2.0f + static_cast<float>(k) * kLayoutColumnSpacing,
                           top);
  }

  // Next to hosts the scenario placed: below them, left-aligned.
  if (automatic < n) {
    float given_left = std::numeric_limits<float>::max();
    float given_bottom = std::numeric_limits<float>::lowest();
    for (std::size_t i = 0; i < n; ++i) {
      if (!given[i]) continue;
      given_left = std::min(given_left, out[i].x);
      given_bottom = std::max(given_bottom, out[i].y);
    }
    float auto_left = std::numeric_limits<float>::max();
    float auto_top = std::numeric_limits<float>::max();
    for (std::size_t i = 0; i < n; ++i) {
      if (given[i]) continue;
      auto_left = std::min(auto_left, out[i].x);
      auto_top = std::min(auto_top, out[i].y);
    }
    const ImVec2 shift(given_left - auto_left, given_bottom + kLayoutRowSpacing * 1.5f - auto_top);
    for (std::size_t i = 0; i < n; ++i)
      if (!given[i]) out[i] = ImVec2(out[i].x + shift.x, out[i].y + shift.y);
  }
  return out;
}

bool NetworkLayout::update(const scenario::Scenario& scenario) {
  // Cheap check first: the scenario's hosts with the same positions and links, and as many
  // script steps (outside clients come from the script).
  const auto same_nodes = [&] {
    if (!m_built || m_given.size() != scenario.nodes.size() ||
        m_link_count != scenario.links.size()) {
      return false;
    }
    for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
      if (m_names[i] != scenario.nodes[i].name || m_given[i] != scenario.nodes[i].position) {
        return false;
      }
    }
    return true;
  };
  if (same_nodes() && m_step_count == scenario.script.size()) return false;
  std::vector<std::string> names;
  names.reserve(scenario.nodes.size());
  for (const scenario::Node& node : scenario.nodes) names.push_back(node.name);
  for (const world::OutsideClient& client : world::outside_clients(scenario))
    names.push_back(client.name);
  m_step_count = scenario.script.size();
  if (same_nodes() && names == m_names) return false;  // steps that add no host
  std::vector<ImVec2> base = compute(scenario);
  m_names = names;

  // A different set of hosts: dragged positions of hosts that are gone are forgotten.
  std::sort(names.begin(), names.end());
  for (auto it = m_moved.begin(); it != m_moved.end();) {
    if (std::binary_search(names.begin(), names.end(), it->first))
      ++it;
    else
      it = m_moved.erase(it);
  }
  m_index.clear();
  m_given.clear();
  m_link_count = scenario.links.size();
  for (const scenario::Node& node : scenario.nodes) m_given.push_back(node.position);
  for (std::size_t i = 0; i < m_names.size(); ++i) m_index.emplace(m_names[i], i);
  m_base = std::move(base);
  m_built = true;
  apply();
  return true;
}

std::optional<std::size_t> NetworkLayout::index(std::string_view name) const {
  const auto it = m_index.find(name);
  if (it == m_index.end()) return std::nullopt;
  return it->second;
}

void NetworkLayout::move(std::size_t i, ImVec2 world) {
  if (i >= m_positions.size()) return;
  m_moved[m_names[i]] = world;
  m_positions[i] = world;
  update_bounds();
}

void NetworkLayout::reset_moves() {
  m_moved.clear();
  apply();
}

void NetworkLayout::apply() {
  m_positions = m_base;
  for (std::size_t i = 0; i < m_names.size(); ++i) {
    const auto it = m_moved.find(m_names[i]);
    if (it != m_moved.end()) m_positions[i] = it->second;
  }
  update_bounds();
}

void NetworkLayout::update_bounds() {
  if (m_positions.empty()) {
    m_min = m_max = ImVec2(0, 0);
    return;
  }
  m_min = m_max = m_positions.front();
  for (const ImVec2& p : m_positions) {
    m_min = ImVec2(std::min(m_min.x, p.x), std::min(m_min.y, p.y));
    m_max = ImVec2(std::max(m_max.x, p.x), std::max(m_max.y, p.y));
  }
}

}  // namespace mailhop::gui
