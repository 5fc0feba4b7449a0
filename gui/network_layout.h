#pragma once
// Where each host of the network view sits, in world coordinates (independent of the screen:
// the view maps them with its pan and zoom). Positions come from the scenario's `position`
// fields; hosts without one get an automatic layout: mail programs on the left, submission and
// relay servers in the middle, mailbox servers (MX, MDA, POP3, IMAP, webmail) on the right, the
// name server on top. The layout is deterministic and keyed by host name, so a node the class
// dragged stays where it was put across re-runs of the same scenario.

#include <imgui.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.h"

namespace mailhop::gui {

// Grid spacing of the automatic layout, in world units (one unit is one pixel at zoom 1).
inline constexpr float kLayoutColumnSpacing = 230.0f;
inline constexpr float kLayoutRowSpacing = 130.0f;
// Scenario positions closer than this (either axis) are nudged apart so icons never overlap.
inline constexpr float kLayoutMinSeparationX = 150.0f;
inline constexpr float kLayoutMinSeparationY = 100.0f;

// Which column of the automatic layout a host belongs to.
enum class LayoutColumn { kDns, kClient, kRelay, kMailbox };
LayoutColumn layout_column(const scenario::Node& node);

// World coordinates to screen: screen = canvas_min + offset + world * zoom.
struct ViewTransform {
  ImVec2 offset{0, 0};
  float zoom = 1.0f;
  // Hosts further apart than the zoom alone puts them, across and down (1: not at all):
  // positions only; icons and text keep the zoom's size. Set by the network view when a fitted
  // network's labels would be cut short or run into the hosts below (a projector at 2x).
  ImVec2 stretch{1.0f, 1.0f};

  static constexpr float kMinZoom = 0.05f;
  static constexpr float kMaxZoom = 4.0f;

  ImVec2 to_screen(ImVec2 canvas_min, ImVec2 world) const {
    return ImVec2(canvas_min.x + offset.x + world.x * zoom * stretch.x,
                  canvas_min.y + offset.y + world.y * zoom * stretch.y);
  }
  ImVec2 to_world(ImVec2 canvas_min, ImVec2 screen) const {
    return ImVec2((screen.x - canvas_min.x - offset.x) / (zoom * stretch.x),
                  (screen.y - canvas_min.y - offset.y) / (zoom * stretch.y));
  }
  // Multiplies the zoom by `factor` (clamped) keeping the world point under `screen` still.
  void zoom_at(ImVec2 canvas_min, ImVec2 screen, float factor);
  // The view that shows the rectangle world_min..world_max centred in a canvas of `size`, with
  // `margin` pixels around it, zoomed in no further than `max_zoom`.
  static ViewTransform fit(ImVec2 world_min, ImVec2 world_max, ImVec2 size, ImVec2 margin,
                           float max_zoom);
};

// Distance from p to the segment a-b (hit-testing links).
float distance_to_segment(ImVec2 p, ImVec2 a, ImVec2 b);
// The point a fraction f (0..1) along the polyline through `points` (by length).
ImVec2 point_along(const ImVec2* points, std::size_t count, float f);

class NetworkLayout {
 public:
  // Positions for the scenario's nodes (same order as scenario.nodes), then for its outside
  // clients (the world's guest nodes). Names that were dragged keep their dragged position.
  // Rebuilds only when the set of nodes changed; returns true when it did (the view then fits
  // itself to the new layout).
  bool update(const scenario::Scenario& scenario);

  std::size_t size() const { return m_positions.size(); }
  ImVec2 position(std::size_t index) const { return m_positions[index]; }
  const std::vector<ImVec2>& positions() const { return m_positions; }
  const std::vector<std::string>& names() const { return m_names; }
  std::optional<std::size_t> index(std::string_view name) const;

  // The class dragged a node: remembered by name until a different scenario is laid out.
  void move(std::size_t index, ImVec2 world);
  // Forgets the dragged positions (back to the scenario's or the automatic layout).
  void reset_moves();

  // The smallest rectangle holding every node centre; (0,0)-(0,0) when empty.
  ImVec2 min() const { return m_min; }
  ImVec2 max() const { return m_max; }

  // The layout without dragged positions: pure function of the scenario (tests use it). The
  // scenario's nodes, then its outside clients (world::outside_clients), in that order.
  static std::vector<ImVec2> compute(const scenario::Scenario& scenario);

 private:
  static std::vector<ImVec2> compute_nodes(const scenario::Scenario& scenario);
  void apply();
  void update_bounds();

  std::vector<std::string> m_names;
  std::vector<std::optional<scenario::Position>> m_given;  // the scenario's, to spot changes
  std::size_t m_link_count = 0;
  std::size_t m_step_count = 0;
  std::vector<ImVec2> m_base;       // compute()'s result
  std::vector<ImVec2> m_positions;  // with the dragged ones
  std::map<std::string, ImVec2, std::less<>> m_moved;
  std::map<std::string, std::size_t, std::less<>> m_index;
  ImVec2 m_min{0, 0};
  ImVec2 m_max{0, 0};
  bool m_built = false;
};

}  // namespace mailhop::gui
