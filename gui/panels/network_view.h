#pragma once
// The network view: every host as an icon by role, the links between them, and the envelopes
// travelling along them at the session's current time (coloured by protocol; the message itself
// is a bigger envelope; a bounce is red); a padlock on links that carry TLS, a queue badge on
// servers, hosts and links that are down crossed out. Pan (drag the background or the middle
// mouse button), zoom (wheel, around the cursor), drag nodes, fit to view (button or F key).
// Click selects a node, link or envelope; right-click a node, link or mailbox for live faults.
//
// How to call it: keep one NetworkView in the App and, inside the window,
//   m_network_view.draw(ctx, ImGui::GetContentRegionAvail());
// It draws into a child region of `size` (zero or negative components: the remaining space)
// and only pushes commands (SelectNode, SelectLink, SelectConnection, SelectEvent, LiveAction).

#include <imgui.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gui/animation.h"
#include "gui/network_layout.h"
#include "gui/occlusion.h"
#include "gui/ui_context.h"

namespace mailhop::gui {

// One entry of the live-fault menu: its catalog key, the mailbox submenu it belongs to (empty:
// the menu itself) and the command it pushes.
struct NetworkMenuEntry {
  std::string label_key;
  std::string mailbox;
  AppCommand command;
};
// The right-click menus, as data (drawn by NetworkView, tested directly): what can be done to a
// host (and its mailboxes) or a link in the current state of the world.
std::vector<NetworkMenuEntry> node_menu(const world::World& world, const std::string& node);
std::vector<NetworkMenuEntry> link_menu(const world::World& world, std::size_t link);

class NetworkView {
 public:
  void draw(const UiContext& ctx, ImVec2 size);
  // Takes the events that playing added into the animation (which envelopes travel): the app
  // calls it right after playing (see App::advance), while the renderer draws the frame before,
  // so that the next frame's UI has less to do. Does nothing until the view has drawn this
  // session.
  void catch_up(const Session& session);
  // Envelopes the animation holds: those travelling when it last caught up with the session.
  std::size_t envelopes_animated() const { return m_animator.flights().size(); }

  // Envelopes drawn in the last frame (after culling): for the frame-time benchmark.
  // Envelopes on the canvas in the last frame, and how many of them were left out because the
  // ones drawn after them covered them entirely (see gui/occlusion.h).
  std::size_t envelopes_drawn() const { return m_envelopes_drawn; }
  // Host names and captions cut short (with an ellipsis) in the last frame.
  std::size_t labels_cut() const { return m_labels_cut; }
  // How much smaller than the zoom makes them the last fit drew the labels, so that they could
  // all be whole (1: not smaller; see spread_for_labels).
  float label_fit_scale() const { return m_label_fit_scale; }
  // Whether hosts are labelled with their names alone, the view being too short after a fit
  // for their captions and role tags to clear the hosts below (see spread_for_labels). Until
  // the class zooms.
  bool labels_compact() const;
  // Whether the host at layout `index` is labelled with its whole label (caption and role tags)
  // rather than its name alone.
  bool label_whole(std::size_t index) const;
  // Whether the last frame drew the label of the host at layout `index` beside its icon
  // instead of under it (see label_sides).
  bool label_beside(std::size_t index) const {
    return index < m_label_beside.size() && m_label_beside[index].has_value();
  }
  // ... and on its left (the right being too near the canvas's edge).
  bool label_on_left(std::size_t index) const {
    return label_beside(index) && m_label_beside[index]->left;
  }
  // Whether in the last frame some host's label, under its icon, covered part of another
  // host's icon (see label_sides: `covered`).
  bool labels_cover_icons() const { return m_labels_cover_icons; }
  std::size_t envelopes_hidden() const { return m_envelopes_hidden; }
  // The mailboxes a host (by its index in the world) holds and the messages in them, as the
  // last frame drew them beside it.
  struct MailboxCount {
    std::size_t mailboxes = 0;
    std::size_t messages = 0;
  };
  MailboxCount mailbox_count(std::size_t node) const {
    return node < m_box_counts.size() ? m_box_counts[node] : MailboxCount{};
  }
  // Links drawn in the last frame (in a dense mesh, only those in focus or in trouble).
  std::size_t links_drawn() const { return m_links_drawn; }
  // Fits the whole network into the view on the next frame.
  void request_fit() { m_fit_requested = true; }

  // What is under a screen point, on the last frame's geometry (envelopes first, then hosts,
  // then links).
  enum class HitKind { kNone, kNode, kLink, kEnvelope };
  struct Hit {
    HitKind kind = HitKind::kNone;
    std::size_t index = 0;         // node: layout index; link: link index; envelope: event index
    std::uint64_t connection = 0;  // envelope: its connection
  };
  Hit hit_test(ImVec2 screen) const;

  // For tests and the App.
  const NetworkLayout& layout() const { return m_layout; }
  const Animator& animator() const { return m_animator; }
  const ViewTransform& view() const { return m_view; }
  ImVec2 canvas_min() const { return m_canvas_min; }
  ImVec2 canvas_size() const { return m_canvas_size; }
  ImVec2 node_screen(std::size_t index) const {
    return m_view.to_screen(m_canvas_min, m_layout.position(index));
  }
  // The event shown arriving after a step (paused), if any.
  std::optional<std::size_t> highlighted_event() const { return m_highlight; }

 private:
  struct EnvelopeHit {
    ImVec2 centre;
    float half = 0;
    std::size_t event = 0;
    std::uint64_t connection = 0;
  };
  enum class Drag { kNone, kPan, kNode };
  struct MenuTarget {
    HitKind kind = HitKind::kNone;
    std::string node;  // node menu
    std::string a, b;  // link menu
    std::size_t link = 0;
  };

  void sync_model(const UiContext& ctx);
  void handle_input(const UiContext& ctx, bool hovered, bool active);
  void draw_links(const UiContext& ctx, ImDrawList* dl);
  void draw_nodes(const UiContext& ctx, ImDrawList* dl);
  // Fills m_box_counts for this frame.
  void count_mailboxes(const UiContext& ctx);
  void draw_envelopes(const UiContext& ctx, ImDrawList* dl);
  void draw_sprite_quads(const UiContext& ctx, ImDrawList* dl, ImU32 outline);
  void draw_toolbar(const UiContext& ctx);
  void draw_tooltip(const UiContext& ctx, const Hit& hit);
  void draw_menu(const UiContext& ctx);
  float icon_size() const;
  // Whether hosts get their labels at this label text size and zoom.
  bool labels_shown(float label_size) const;
  // Up to this many hosts, each label is measured against its neighbours (and the hosts are
  // always labelled); beyond, against the grid's spacing.
  static constexpr std::size_t kNeighbourLabelHosts = 40;
  // How wide the label of the host at layout `index` may be before it is cut short: 92% of the
  // way to the nearest host beside it (closer than `block`, a label's height, up or down).
  float label_room(std::size_t index, float block) const;
  // How much the zoom scales the labels' text: label_zoom(), made smaller after a fit where the
  // labels could not all be whole at that size.
  float label_text_zoom() const;
  // The height of a host's label: name, caption and role tags (compact: the name alone).
  static float label_block(float label_size, float tag_size, bool compact);
  // Each host's label height as draw_nodes writes it (only the lines it has), by layout index.
  // With `compact`, the hosts' names alone, but for those `whole` (if given) marks.
  std::vector<float> label_heights(const UiContext& ctx, float label_size, float tag_size,
                                   bool compact, const std::vector<bool>* whole = nullptr) const;
  // Each host's label width, its name or its caption (in the class's language) whichever is
  // wider (compact: its name, but for those `whole` marks), by layout index.
  std::vector<float> label_widths(const UiContext& ctx, ImFont* font, float label_size,
                                  bool compact, const std::vector<bool>* whole = nullptr) const;
  // Which labels go beside their host's icon instead of under it, by layout index, with the
  // top of each such label (screen y) and its side: those that under their icon would cover
  // the icon of a host below (one the view had no height to move further down) and that beside
  // it, within the canvas (`left`, `top`, `right`), meet no icon and no other label (under its
  // host, or beside it when decided so before; host by host, again while some label moves).
  // The right side is tried first, then the left. A label beside its icon starts a little
  // away from it (kBesideGap, kBesideGapLeft) and is centred on it, or as much higher as
  // clears the icons below it. `widths` and `heights` are the labels' sizes by layout index
  // (label_widths, label_heights). `covered`, if given, is set to whether some label left
  // under its host still covers part of another host's icon (not just the room kept for its
  // badges). `clear_of_others`, if given, gets for each host whether its label, where it goes
  // (under its icon as wide as label_room lets it be drawn, or beside it), is inside the canvas
  // across and below its top, and meets no other host's icon (with the room kept for its badges)
  // and no other host's label.
  struct LabelBeside {
    float top = 0;      // screen y of the label's first line
    bool left = false;  // on the icon's left (else its right)
  };
  std::vector<std::optional<LabelBeside>> label_sides(
      const std::vector<float>& widths, const std::vector<float>& heights, float left, float top,
      float right, bool* covered = nullptr, std::vector<bool>* clear_of_others = nullptr) const;
  // After a fit: spreads the hosts (ViewTransform::stretch) sideways as far as their labels
  // need to be whole, and downwards as far as a label needs to clear the host below it,
  // keeping everything inside a canvas of `canvas` pixels.
  // Where that still leaves a label over another host's icon (label_sides), does it again
  // with compact labels: the hosts' names alone; then, host by host, gives back its whole
  // label (caption and role tags) to each host where that stays clear of every other icon and
  // label and inside the canvas (m_label_whole).
  void spread_for_labels(const UiContext& ctx, ImVec2 canvas);
  void spread_for_labels(const UiContext& ctx, ImVec2 canvas, bool compact);
  void whole_labels_where_clear(const UiContext& ctx, ImVec2 canvas);

  NetworkLayout m_layout;
  ViewTransform m_view;
  Topology m_topology;
  bool m_has_topology = false;
  std::vector<std::size_t> m_layout_of;  // topology node -> layout index
  Animator m_animator;
  const void* m_session = nullptr;
  bool m_fit_requested = true;
  bool m_auto_fit = true;      // refit when the canvas changes size, until a pan or zoom by hand
  ImVec2 m_fitted_size{0, 0};  // the canvas size of the last fit
  float m_scale = 1.0f;        // the UI scale of the last frame
  // Labels smaller than the zoom makes them, by this much, while the zoom is the fit's: where
  // at their size they could not all be whole (spread_for_labels).
  float m_label_fit_scale = 1.0f;
  float m_label_fit_zoom = 0.0f;
  bool m_label_compact = false;  // with that zoom, labels are names alone
  std::vector<bool> m_label_whole;  // by layout index: compact, yet this host's label is whole

  ImVec2 m_canvas_min{0, 0};
  ImVec2 m_canvas_size{0, 0};
  std::vector<EnvelopeHit> m_envelope_hits;
  std::vector<char> m_tls_links;
  std::size_t m_links_drawn = 0;
  bool m_labels_cover_icons = false;
  std::size_t m_labels_cut = 0;
  // By layout index, as the last frame drew them: the top of a label beside its icon.
  std::vector<std::optional<LabelBeside>> m_label_beside;
  std::vector<char> m_focus_links;  // dense networks: links on the selected connection's route
  std::size_t m_hovered_node = static_cast<std::size_t>(-1);  // last frame's, for its links
  std::size_t m_envelopes_drawn = 0;
  std::size_t m_envelopes_hidden = 0;
  // The busy view's envelopes as sprite quads, in drawing order, for occlusion culling.
  struct SpriteQuad {
    ImVec2 min{0, 0};
    ImVec2 max{0, 0};
    ImVec2 uv0{0, 0};
    ImVec2 uv1{0, 0};
    ImU32 tint = 0;
    bool opaque = false;    // paints every pixel of its rectangle with full opacity
    bool outlined = false;  // the selected connection's
  };
  // Each mailbox of the world with the index of the host that holds it (found once per world),
  // and per host this frame (MailboxCount).
  std::uint64_t m_boxes_world = 0;  // the world's serial (0: none yet)
  std::vector<std::pair<const world::MailboxState*, std::size_t>> m_boxes;
  std::vector<MailboxCount> m_box_counts;
  std::vector<SpriteQuad> m_sprite_quads;
  std::vector<char> m_sprite_shown;
  OcclusionMask m_occlusion;

  Drag m_drag = Drag::kNone;
  Hit m_press_hit;
  ImVec2 m_press_pos{0, 0};
  ImVec2 m_grab{0, 0};  // node drag: world offset from the node to the mouse
  bool m_moved = false;
  bool m_middle_pan = false;
  MenuTarget m_menu;

  // After a step (paused): the last transfer travels to its destination for a moment.
  std::optional<std::size_t> m_highlight;
  std::size_t m_highlight_events = 0;  // events().size() when it was chosen
  double m_highlight_since = 0;
};

}  // namespace mailhop::gui
