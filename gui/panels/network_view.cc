#include "gui/panels/network_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>
#include <string_view>

#include "gui/icons.h"
#include "sim/world/world.h"

namespace mailhop::gui {

namespace {

using core::TraceKind;

constexpr float kIconWorldSize = 46.0f;       // icon height at zoom 1
constexpr float kLineEnvelopeWorld = 17.0f;   // a protocol line's envelope width at zoom 1
constexpr float kDataEnvelopeWorld = 30.0f;   // the message itself
constexpr double kStepTravelSeconds = 0.7;    // a stepped item travelling (wall clock)
constexpr double kStepHoldSeconds = 2.5;      // then it stays at its destination this long
constexpr std::size_t kStepMaxEvents = 200;   // more new events than this: a seek, not a step
constexpr std::size_t kDenseLinks = 400;       // beyond this, only links in focus are drawn
constexpr std::size_t kBulkEnvelopes = 300;    // beyond this, envelopes are drawn simply
constexpr std::size_t kBulkNodes = 80;         // beyond this, hosts and links lose anti-aliasing
constexpr float kDragThreshold = 4.0f;        // pixels before a press becomes a drag

ImU32 u32(const ImVec4& c, float alpha = 1.0f) {
  return ImGui::ColorConvertFloat4ToU32(ImVec4(c.x, c.y, c.z, c.w * alpha));
}

ImVec4 mix(const ImVec4& a, const ImVec4& b, float t) {
  return ImVec4(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t,
                a.w + (b.w - a.w) * t);
}

ImVec2 add(ImVec2 a, ImVec2 b) { return ImVec2(a.x + b.x, a.y + b.y); }
ImVec2 sub(ImVec2 a, ImVec2 b) { return ImVec2(a.x - b.x, a.y - b.y); }

const ImVec4& flow_colour(const Palette& p, Flow flow) {
  switch (flow) {
    case Flow::kSmtp: return p.intermediate;
    case Flow::kPop3: return p.positive;
    case Flow::kImap: return p.note;
    case Flow::kDns: return p.transient;
    case Flow::kOther: return p.muted;
  }
  return p.muted;
}

const char* flow_name(Flow flow) {
  switch (flow) {
    case Flow::kSmtp: return "SMTP";
    case Flow::kPop3: return "POP3";
    case Flow::kImap: return "IMAP";
    case Flow::kDns: return "DNS";
    case Flow::kOther: return "";
  }
  return "";
}

// The messages in a mailbox, read through one function so the store can change underneath.
std::size_t mailbox_messages(const world::MailboxState& box) { return box.inbox().count(); }

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

std::string number(double value, int decimals) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

ImU32 with_alpha(ImU32 colour, float alpha) {
  return (colour & 0x00FFFFFFu) | (static_cast<ImU32>(255.0f * alpha) << IM_COL32_A_SHIFT);
}

bool rect_visible(ImVec2 centre, float radius, ImVec2 clip_min, ImVec2 clip_max) {
  return centre.x + radius >= clip_min.x && centre.x - radius <= clip_max.x &&
         centre.y + radius >= clip_min.y && centre.y - radius <= clip_max.y;
}

void dashed_line(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 colour, float thickness, float dash) {
  const float len = std::hypot(b.x - a.x, b.y - a.y);
  if (len <= 0) return;
  const ImVec2 d((b.x - a.x) / len, (b.y - a.y) / len);
  for (float s = 0; s < len; s += dash * 2.0f) {
    const float e = std::min(len, s + dash);
    dl->AddLine(ImVec2(a.x + d.x * s, a.y + d.y * s), ImVec2(a.x + d.x * e, a.y + d.y * e), colour,
                thickness);
  }
}

// Where a host's mailbox icon sits, relative to its centre (top left, clear of the links and
// of the queue badge on the top right).
ImVec2 mailbox_centre(ImVec2 c, float size) { return ImVec2(c.x - size * 0.82f, c.y - size * 0.36f); }

// A host's caption in the class's language (the other one when it has none); an outside
// client's says what it is.
const std::string& caption_of(const world::NodeState& node, const text::Catalog& t) {
  if (node.guest) return t.get("net.outside_client");
  const auto& label = node.spec.label;
  if (t.language() == text::Language::kSpanish) return label.es.empty() ? label.en : label.es;
  return label.en.empty() ? label.es : label.en;
}

// A label beside its icon starts this many icon sizes right of the icon's centre: clear of the
// queue's badge, and of the icons above and below in a column (they reach 0.75 across); on the
// left, it ends this many left of it (clear of the mailbox, which reaches 0.85).
constexpr float kBesideGap = 0.8f;
constexpr float kBesideGapLeft = 0.9f;

// Labels shrink with the zoom, but not below what reads from the back of a classroom.
float label_zoom(float zoom) {
  return std::clamp(zoom, 0.72f, 1.1f);
}

// The labels' fonts and their sizes at a text zoom: names and captions, role tags.
struct LabelFonts {
  ImFont* font;
  ImFont* mono;
  float label_size;
  float tag_size;
};
LabelFonts label_fonts(const UiContext& ctx, float text_zoom) {
  ImFont* font = ctx.fonts.regular ? ctx.fonts.regular : ImGui::GetFont();
  ImFont* mono = ctx.fonts.mono ? ctx.fonts.mono : font;
  return {font, mono, font->FontSize * text_zoom, mono->FontSize * text_zoom * 0.78f};
}

}  // namespace

bool NetworkView::labels_shown(float label_size) const {
  // Labels only where they stay legible and do not pile up.
  return label_size >= 9.0f && (m_layout.size() <= kNeighbourLabelHosts || m_view.zoom >= 0.45f);
}

float NetworkView::label_room(std::size_t index, float block) const {
  const float grid = std::max(60.0f, kLayoutColumnSpacing * 0.92f * m_view.zoom * m_view.stretch.x);
  // Many hosts: the grid's spacing (a search per host and frame would cost too much).
  if (m_layout.size() > kNeighbourLabelHosts) return grid;
  // Otherwise the nearest host beside this one, at a height where the two labels would meet.
  const ImVec2 a = node_screen(index);
  const float size = icon_size();
  float nearest = -1.0f;
  for (std::size_t j = 0; j < m_layout.size(); ++j) {
    const ImVec2 b = node_screen(j);
    const float dx = std::abs(b.x - a.x);
    if (j == index || dx < size || std::abs(b.y - a.y) >= block) continue;
    if (nearest < 0.0f || dx < nearest) nearest = dx;
  }
  return nearest < 0.0f ? 1e9f : std::max(60.0f, 0.92f * nearest);
}

namespace {
// Whether the host at layout index `i` is labelled with its name alone.
bool brief_label(bool compact, const std::vector<bool>* whole, std::size_t i) {
  return compact && !(whole && i < whole->size() && (*whole)[i]);
}
}  // namespace

std::vector<float> NetworkView::label_widths(const UiContext& ctx, ImFont* font, float label_size,
                                             bool compact, const std::vector<bool>* whole) const {
  const auto& nodes = ctx.session->world().nodes();
  std::vector<float> width(m_layout.size(), 0.0f);
  for (std::size_t ti = 0; ti < nodes.size() && ti < m_layout_of.size(); ++ti) {
    const world::NodeState& node = *nodes[ti];
    const std::size_t li = m_layout_of[ti];
    float w = font->CalcTextSizeA(label_size, 1e9f, 0.0f, node.spec.name.c_str()).x;
    const std::string& caption = caption_of(node, ctx.text);
    if (!caption.empty() && !brief_label(compact, whole, li))
      w = std::max(w, font->CalcTextSizeA(label_size * 0.85f, 1e9f, 0.0f, caption.c_str()).x);
    if (li < width.size()) width[li] = w;
  }
  return width;
}

float NetworkView::label_block(float label_size, float tag_size, bool compact) {
  return compact ? label_size + 2.0f : label_size * 1.85f + tag_size * 1.2f + 2.0f;
}

std::vector<float> NetworkView::label_heights(const UiContext& ctx, float label_size,
                                              float tag_size, bool compact,
                                              const std::vector<bool>* whole) const {
  const auto& nodes = ctx.session->world().nodes();
  std::vector<float> height(m_layout.size(), label_block(label_size, tag_size, compact));
  if (compact && !whole) return height;
  for (std::size_t ti = 0; ti < nodes.size() && ti < m_layout_of.size(); ++ti) {
    const world::NodeState& node = *nodes[ti];
    if (m_layout_of[ti] >= height.size() || brief_label(compact, whole, m_layout_of[ti])) continue;
    // As draw_nodes writes them: the name; a caption (or the domains); role tags, not on
    // clients' laptops and phones.
    const bool second = !caption_of(node, ctx.text).empty() || !node.spec.domains.empty();
    const IconKind icon = icon_for(node.spec);
    const bool tags =
        !role_tags(node.spec).empty() && icon != IconKind::kLaptop && icon != IconKind::kPhone;
    height[m_layout_of[ti]] =
        label_size + (second ? label_size * 0.85f : 0.0f) + (tags ? tag_size * 1.2f : 0.0f) + 2.0f;
  }
  return height;
}

std::vector<std::optional<NetworkView::LabelBeside>> NetworkView::label_sides(
    const std::vector<float>& widths, const std::vector<float>& heights, float left, float top,
    float right, bool* covered, std::vector<bool>* clear_of_others) const {
  const std::size_t n = std::min({m_layout.size(), widths.size(), heights.size()});
  std::vector<std::optional<LabelBeside>> beside(n);
  if (m_layout.size() > kNeighbourLabelHosts) return beside;
  struct Box {
    float x0, y0, x1, y1;
    bool meets(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
  };
  const float size = icon_size();
  // A host's icon with its queue's badge and its mailbox; its label under it, or beside it.
  const auto icon_box = [size](ImVec2 c) {
    return Box{c.x - size * 0.85f, c.y - size * 0.75f, c.x + size * 0.75f, c.y + size * 0.6f};
  };
  // Host j's label under its icon, or beside it where `at` says.
  const auto under_box = [&](std::size_t j) {
    const ImVec2 c = node_screen(j);
    const float y0 = c.y + size * 0.55f;
    return Box{c.x - widths[j] / 2.0f, y0, c.x + widths[j] / 2.0f, y0 + heights[j]};
  };
  const auto beside_box = [&](std::size_t j, LabelBeside at) {
    const float x = node_screen(j).x;
    const float x0 = at.left ? x - size * kBesideGapLeft - widths[j] : x + size * kBesideGap;
    return Box{x0, at.top, x0 + widths[j], at.top + heights[j]};
  };
  const auto label_box = [&](std::size_t j) {
    return beside[j] ? beside_box(j, *beside[j]) : under_box(j);
  };
  // Host by host, again while some label moved: one that goes beside its icon frees the
  // room under it, where an earlier host's label may have met it.
  for (int pass = 0; pass < 4; ++pass) {
    bool moved = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (beside[i]) continue;
      const ImVec2 a = node_screen(i);
      const Box under = under_box(i);
      bool covers = false;
      for (std::size_t j = 0; j < n && !covers; ++j)
        covers = j != i && under.meets(icon_box(node_screen(j)));
      if (!covers) continue;
      // On the right, or where the canvas ends too soon, on the left: centred on the icon, or
      // higher where an icon below would meet it; never above the canvas, and always level
      // with some of the icon.
      for (const bool on_left : {false, true}) {
        const float block = heights[i];
        Box side = beside_box(i, LabelBeside{a.y - block / 2.0f, on_left});
        if (side.x1 > right || side.x0 < left) continue;
        for (std::size_t j = 0; j < n; ++j) {
          if (j == i) continue;
          const Box icon = icon_box(node_screen(j));
          if (icon.y0 > a.y && icon.x0 < side.x1 && side.x0 < icon.x1)
            side.y1 = std::min(side.y1, icon.y0 - 2.0f);
        }
        side.y0 = std::max(side.y1 - block, top);
        side.y1 = side.y0 + block;
        if (side.y0 > a.y || side.y1 < a.y - size * 0.5f) continue;
        bool clear = true;
        for (std::size_t j = 0; j < n && clear; ++j)
          clear = j == i || (!side.meets(icon_box(node_screen(j))) && !side.meets(label_box(j)));
        if (clear) {
          beside[i] = LabelBeside{side.y0, on_left};
          moved = true;
          break;
        }
      }
    }
    if (!moved) break;
  }
  if (covered) {
    // The icon itself, not the room kept around it for a badge or a mailbox.
    const auto glyph_box = [size](ImVec2 c) {
      return Box{c.x - size * 0.45f, c.y - size * 0.45f, c.x + size * 0.45f, c.y + size * 0.45f};
    };
    *covered = false;
    for (std::size_t i = 0; i < n && !*covered; ++i) {
      if (beside[i]) continue;
      // As wide as drawn: a long name is cut short before it reaches a neighbour beside.
      Box under = under_box(i);
      const float cut = (under.x1 - under.x0 - label_room(i, heights[i])) / 2.0f;
      if (cut > 0.0f) {
        under.x0 += cut;
        under.x1 -= cut;
      }
      for (std::size_t j = 0; j < n && !*covered; ++j)
        *covered = j != i && under.meets(glyph_box(node_screen(j)));
    }
  }
  if (clear_of_others) {
    // Each label where it is drawn: beside its icon, or under it as wide as its room lets it.
    const auto drawn_box = [&](std::size_t j) {
      if (beside[j]) return beside_box(j, *beside[j]);
      Box under = under_box(j);
      const float cut = (under.x1 - under.x0 - label_room(j, heights[j])) / 2.0f;
      if (cut > 0.0f) {
        under.x0 += cut;
        under.x1 -= cut;
      }
      return under;
    };
    std::vector<bool>& out = *clear_of_others;
    out.assign(n, true);
    for (std::size_t i = 0; i < n; ++i) {
      const Box mine = drawn_box(i);
      out[i] = mine.x0 >= left && mine.x1 <= right && mine.y0 >= top;
      for (std::size_t j = 0; j < n && out[i]; ++j)
        if (j != i && (mine.meets(icon_box(node_screen(j))) || mine.meets(drawn_box(j))))
          out[i] = false;
    }
  }
  return beside;
}

float NetworkView::label_text_zoom() const {
  // A fit's smaller labels last until the class zooms.
  const float fitted = m_view.zoom == m_label_fit_zoom ? m_label_fit_scale : 1.0f;
  return label_zoom(m_view.zoom) * fitted;
}

bool NetworkView::labels_compact() const {
  return m_label_compact && m_view.zoom == m_label_fit_zoom;
}

bool NetworkView::label_whole(std::size_t index) const {
  return !brief_label(labels_compact(), &m_label_whole, index);
}

void NetworkView::spread_for_labels(const UiContext& ctx, ImVec2 canvas) {
  m_label_compact = false;
  m_label_whole.clear();
  // Full labels first; where, spread as far as the view lets them, one still covers part of
  // another host's icon (label_sides), again from the fit's offset with the hosts' names alone.
  const ImVec2 fitted_offset = m_view.offset;
  spread_for_labels(ctx, canvas, false);
  if (m_layout.size() > kNeighbourLabelHosts) return;
  const LabelFonts lf = label_fonts(ctx, label_text_zoom());
  if (!labels_shown(lf.label_size)) return;
  bool covered = false;
  label_sides(label_widths(ctx, lf.font, lf.label_size, false),
              label_heights(ctx, lf.label_size, lf.tag_size, false), m_canvas_min.x,
              m_canvas_min.y + 2.0f, m_canvas_min.x + canvas.x, &covered);
  if (covered) {
    m_label_compact = true;
    m_view.offset = fitted_offset;
    spread_for_labels(ctx, canvas, true);
    whole_labels_where_clear(ctx, canvas);
  }
}

void NetworkView::whole_labels_where_clear(const UiContext& ctx, ImVec2 canvas) {
  // Host by host: its whole label where, placed as draw_nodes will place it, it and every whole
  // label before it stay clear of the other icons and labels and end above the canvas's bottom,
  // and no name that was clear gets covered (the ports lesson at 3x: the MX keeps its ports).
  const LabelFonts lf = label_fonts(ctx, label_text_zoom());
  const float left = m_canvas_min.x;
  const float top = m_canvas_min.y + 2.0f;
  const float right = m_canvas_min.x + canvas.x;
  const float bottom = m_canvas_min.y + canvas.y;
  const float size = icon_size();
  std::vector<bool> whole(m_layout.size(), false);
  std::vector<float> heights;
  const auto place = [&](std::vector<bool>* clear) {
    heights = label_heights(ctx, lf.label_size, lf.tag_size, true, &whole);
    return label_sides(label_widths(ctx, lf.font, lf.label_size, true, &whole), heights, left, top,
                       right, nullptr, clear);
  };
  // Which labels are clear as things stand.
  std::vector<bool> was_clear;
  place(&was_clear);
  // First the labels that fit under their icons, then those that must go beside them (which
  // take room across that a label under its icon might have needed).
  for (const bool beside_too : {false, true}) {
    for (std::size_t i = 0; i < whole.size(); ++i) {
      if (whole[i]) continue;
      whole[i] = true;
      std::vector<bool> clear;
      const auto sides = place(&clear);
      bool ok = beside_too || !sides[i];
      for (std::size_t k = 0; k < whole.size() && ok; ++k) {
        if (!whole[k]) {
          ok = !was_clear[k] || clear[k];
          continue;
        }
        const float end =
            sides[k] ? sides[k]->top + heights[k] : node_screen(k).y + size * 0.55f + heights[k];
        ok = clear[k] && end <= bottom;
      }
      if (ok) {
        was_clear = std::move(clear);
      } else {
        whole[i] = false;
      }
    }
  }
  m_label_whole = std::move(whole);
}

void NetworkView::spread_for_labels(const UiContext& ctx, ImVec2 canvas, bool compact) {
  m_view.stretch = ImVec2(1.0f, 1.0f);
  m_label_fit_zoom = m_view.zoom;
  m_label_fit_scale = 1.0f;
  const LabelFonts lf = label_fonts(ctx, label_zoom(m_view.zoom));
  ImFont* font = lf.font;
  float label_size = lf.label_size;
  float tag_size = lf.tag_size;
  if (!labels_shown(label_size) || m_layout.size() < 2 || m_layout.size() > kNeighbourLabelHosts) {
    return;
  }
  const ImVec2 mn = m_layout.min();
  const ImVec2 mx = m_layout.max();
  const ImVec2 span((mx.x - mn.x) * m_view.zoom, (mx.y - mn.y) * m_view.zoom);
  const ImVec2 centre((mn.x + mx.x) / 2.0f, (mn.y + mx.y) / 2.0f);
  const ImVec2 screen_centre(m_view.offset.x + centre.x * m_view.zoom,
                             m_view.offset.y + centre.y * m_view.zoom);
  const float size = icon_size();
  float block = label_block(label_size, tag_size, compact);
  // Each host's label width (as draw_nodes writes them), by layout index.
  std::vector<float> width = label_widths(ctx, font, label_size, compact);
  // Across: as far as labels side by side need to be whole, no further than keeps every label
  // (centred under its host) inside the canvas. With labels `f` times as wide: how far they
  // need the hosts spread (`need`), and how far the canvas lets them go (`fits`).
  struct Across {
    float need = 1.0f;
    float fits = 1e9f;
  };
  const auto across = [&](float f) {
    Across r;
    const float pad = 4.0f * m_scale;
    for (std::size_t i = 0; i < m_layout.size(); ++i) {
      const ImVec2 a = m_layout.position(i);
      const float from_centre = (a.x - centre.x) * m_view.zoom;
      const float side = from_centre < 0.0f ? screen_centre.x : canvas.x - screen_centre.x;
      if (std::abs(from_centre) > 0.5f)
        r.fits = std::min(r.fits, (side - f * width[i] / 2.0f - pad) / std::abs(from_centre));
      for (std::size_t j = i + 1; j < m_layout.size(); ++j) {
        const ImVec2 b = m_layout.position(j);
        const float dx = std::abs(b.x - a.x) * m_view.zoom;
        const float dy = std::abs(b.y - a.y) * m_view.zoom;
        if (dx < size) continue;
        if (dy < block)
          r.need = std::max(r.need, f * std::max(width[i], width[j]) / (0.92f * dx));  // label_room
        // A name beside its icon must end before the icon on its right, or the name under it,
        // where the two are level (label_sides).
        if (compact && dy < size * 0.75f + block * 1.5f) {
          const bool i_left = a.x < b.x;
          const float left_width = f * (i_left ? width[i] : width[j]);
          const float right_half = f * (i_left ? width[j] : width[i]) / 2.0f;
          r.need = std::max(
              r.need,
              (left_width + size * kBesideGap + std::max(size * 0.85f, right_half) + pad) / dx);
        }
      }
    }
    return r;
  };
  if (span.x >= 1.0f) {
    Across r = across(1.0f);
    if (r.need > r.fits) {
      // The labels cannot all be whole at their size: a little smaller (by 15% at most, and
      // never below what still reads from the back of a classroom, label_zoom's least), they
      // may be. Beyond that, a long name is cut rather than every label made small.
      const float least = std::max(0.85f, 0.72f / label_zoom(m_view.zoom));
      const Across smallest = across(least);
      if (least < 1.0f && smallest.need <= smallest.fits) {
        float lo = least;  // whole
        float hi = 1.0f;   // cut
        for (int step = 0; step < 16; ++step) {
          const float mid = (lo + hi) / 2.0f;
          const Across m = across(mid);
          (m.need <= m.fits ? lo : hi) = mid;
        }
        // A hair smaller than just fitting, for the stretch's own hair below.
        const float f = std::max(least, lo * 0.98f);
        m_label_fit_scale = f;
        label_size *= f;
        tag_size *= f;
        block = label_block(label_size, tag_size, compact);
        for (float& w : width) w *= f;
        r = across(1.0f);
      }
    }
    // A hair further than just enough: drawn, the labels are measured again.
    if (r.need > 1.0f && r.fits > 1.0f) m_view.stretch.x = std::min(r.need * 1.01f, r.fits);
  }
  const float widest = width.empty() ? 0.0f : *std::max_element(width.begin(), width.end());
  // Down: a label block must end above the icon (and its badge) of the host below it, when
  // the two are close enough across for the label to reach it.
  if (span.y >= 1.0f) {
    float closest = 0.0f;  // world units between such hosts, 0 none
    const float reach = (widest + size) / 2.0f / (m_view.zoom * m_view.stretch.x);
    for (std::size_t i = 0; i < m_layout.size(); ++i) {
      for (std::size_t j = 0; j < m_layout.size(); ++j) {
        const ImVec2 a = m_layout.position(i);
        const ImVec2 b = m_layout.position(j);
        const float dy = b.y - a.y;
        if (dy > 0.0f && std::abs(b.x - a.x) < reach && (closest == 0.0f || dy < closest))
          closest = dy;
      }
    }
    const float gap = size * 0.55f + block + size * 0.75f + 4.0f * m_scale;
    const float tall = size * 0.75f + size * 0.55f + block + 8.0f * m_scale;
    const float fits_y = (canvas.y - tall) / span.y;
    if (closest > 0.0f && closest * m_view.zoom < gap && fits_y > 1.0f)
      m_view.stretch.y = std::min(gap / (closest * m_view.zoom), fits_y);
  }
  // Across, the network keeps its centre; down, from the top badge to the bottom label, it is
  // centred in the canvas.
  m_view.offset.x = screen_centre.x - centre.x * m_view.zoom * m_view.stretch.x;
  if (m_view.stretch.y > 1.0f) {
    const float top = (canvas.y - (span.y * m_view.stretch.y + size * 1.3f + block)) / 2.0f;
    m_view.offset.y = top + size * 0.75f - mn.y * m_view.zoom * m_view.stretch.y;
  }
}

float NetworkView::icon_size() const {
  // At 2x or 3x (projectors) icons grow with the text.
  return std::clamp(kIconWorldSize * m_view.zoom, 14.0f * m_scale, 90.0f * m_scale);
}

// --- model --------------------------------------------------------------------------------

void NetworkView::catch_up(const Session& session) {
  // The topology the animation's routes point into is checked against the world by the next
  // frame (sync_model), which starts the animation over if the network changed.
  if (m_session != static_cast<const void*>(&session) || !m_has_topology) return;
  m_animator.update(session.events(), session.now(), m_topology);
}

void NetworkView::sync_model(const UiContext& ctx) {
  const Session& session = *ctx.session;
  const world::World& world = session.world();
  if (m_session != static_cast<const void*>(&session)) {
    m_session = &session;
    m_animator.reset();
    m_has_topology = false;
    m_highlight.reset();
    m_highlight_events = session.events().size();
    m_fit_requested = true;
  }
  if (m_layout.update(session.scenario())) m_fit_requested = true;
  if (!m_has_topology || !m_topology.matches(world)) {
    m_topology = Topology::from_world(world);
    m_has_topology = true;
    m_animator.reset();  // routes are ids into the topology
    m_layout_of.assign(m_topology.node_count(), 0);
    for (std::uint32_t i = 0; i < m_topology.node_count(); ++i)
      m_layout_of[i] = m_layout.index(m_topology.name(i)).value_or(0);
  }
  m_animator.update(session.events(), session.now(), m_topology);

  // The step just taken (paused): its last transfer travels to its destination for a moment.
  const auto events = session.events();
  if (ctx.playback.playing || events.empty()) {
    m_highlight.reset();
    m_highlight_events = events.size();
    return;
  }
  if (events.size() != m_highlight_events) {
    // A step forward (a few events more) is shown; an open, a seek or a step back is not.
    const bool step = events.size() > m_highlight_events &&
                      events.size() - m_highlight_events <= kStepMaxEvents;
    m_highlight_events = events.size();
    m_highlight.reset();
    if (!step) return;
    const core::SimTime last = events.back().time;
    for (std::size_t i = events.size(); i-- > 0 && events[i].time == last;) {
      if (is_transfer(events[i])) {
        m_highlight = i;
        m_highlight_since = ImGui::GetTime();
        break;
      }
    }
  }
}

// --- hit-testing ----------------------------------------------------------------------------

NetworkView::Hit NetworkView::hit_test(ImVec2 p) const {
  Hit hit;
  // Envelopes on top: the last drawn wins.
  for (std::size_t k = m_envelope_hits.size(); k-- > 0;) {
    const EnvelopeHit& e = m_envelope_hits[k];
    if (std::fabs(p.x - e.centre.x) <= e.half && std::fabs(p.y - e.centre.y) <= e.half * 0.7f) {
      hit.kind = HitKind::kEnvelope;
      hit.index = e.event;
      hit.connection = e.connection;
      return hit;
    }
  }
  // Hosts: the nearest icon within reach.
  const float reach = icon_size() * 0.6f;
  float best = reach * reach;
  for (std::size_t i = 0; i < m_layout.size(); ++i) {
    const ImVec2 s = node_screen(i);
    const float d2 = (s.x - p.x) * (s.x - p.x) + (s.y - p.y) * (s.y - p.y);
    if (d2 <= best) {
      best = d2;
      hit.kind = HitKind::kNode;
      hit.index = i;
    }
  }
  if (hit.kind == HitKind::kNode) return hit;
  if (!m_has_topology) return hit;
  float best_link = std::max(5.0f, 4.0f * m_view.zoom);
  const auto& links = m_topology.links();
  for (std::size_t k = 0; k < links.size(); ++k) {
    if (links[k].a >= m_layout_of.size() || links[k].b >= m_layout_of.size()) continue;
    const float d = distance_to_segment(p, node_screen(m_layout_of[links[k].a]),
                                        node_screen(m_layout_of[links[k].b]));
    if (d <= best_link) {
      best_link = d;
      hit.kind = HitKind::kLink;
      hit.index = k;
    }
  }
  return hit;
}

// --- input ----------------------------------------------------------------------------------

void NetworkView::handle_input(const UiContext& ctx, bool hovered, bool active) {
  ImGuiIO& io = ImGui::GetIO();
  const ImVec2 mouse = io.MousePos;
  if (hovered && io.MouseWheel != 0.0f) {
    m_view.zoom_at(m_canvas_min, mouse, std::pow(1.15f, io.MouseWheel));
    m_auto_fit = false;
  }
  if (hovered && !io.WantTextInput && ImGui::IsKeyPressed('F', false)) m_fit_requested = true;

  // Left button: drag a node, pan the background, or click to select; a double-click on a
  // host inspects it.
  if (hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left) && ctx.session) {
    const Hit h = hit_test(mouse);
    if (h.kind == HitKind::kNode) {
      ctx.commands.push(command::SelectNode{m_layout.names()[h.index], true});
    }
  }
  if (hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
    m_press_hit = hit_test(mouse);
    m_press_pos = mouse;
    m_moved = false;
    if (m_press_hit.kind == HitKind::kNode) {
      m_drag = Drag::kNode;
      m_grab = sub(m_layout.position(m_press_hit.index), m_view.to_world(m_canvas_min, mouse));
    } else {
      m_drag = Drag::kPan;
    }
  }
  if (m_drag != Drag::kNone && active && ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
    if (!m_moved && std::hypot(mouse.x - m_press_pos.x, mouse.y - m_press_pos.y) > kDragThreshold)
      m_moved = true;
    if (m_moved) {
      if (m_drag == Drag::kNode)
        m_layout.move(m_press_hit.index, add(m_view.to_world(m_canvas_min, mouse), m_grab));
      else {
        m_view.offset = add(m_view.offset, io.MouseDelta);
        m_auto_fit = false;
      }
    }
  }
  if (m_drag != Drag::kNone && !ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
    if (!m_moved && ctx.session) {
      const Hit& h = m_press_hit;
      switch (h.kind) {
        case HitKind::kNode:
          ctx.commands.push(command::SelectNode{m_layout.names()[h.index]});
          break;
        case HitKind::kLink:
          if (h.index < m_topology.links().size()) {
            const auto& l = m_topology.links()[h.index];
            ctx.commands.push(command::SelectLink{m_topology.name(l.a), m_topology.name(l.b)});
          }
          break;
        case HitKind::kEnvelope:
          if (h.connection != 0) ctx.commands.push(command::SelectConnection{h.connection});
          ctx.commands.push(command::SelectEvent{h.index});
          break;
        case HitKind::kNone:
          break;
      }
    }
    m_drag = Drag::kNone;
  }

  // Middle button: pan from anywhere.
  if (hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Middle)) m_middle_pan = true;
  if (m_middle_pan) {
    if (ImGui::IsMouseDown(ImGuiMouseButton_Middle)) {
      m_view.offset = add(m_view.offset, io.MouseDelta);
      m_auto_fit = false;
    } else
      m_middle_pan = false;
  }

  // Right button: the live-fault menu of what is under the mouse.
  if (hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Right)) {
    const Hit h = hit_test(mouse);
    m_menu = MenuTarget{};
    m_menu.kind = h.kind;
    if (h.kind == HitKind::kNode) {
      m_menu.node = m_layout.names()[h.index];
    } else if (h.kind == HitKind::kLink && h.index < m_topology.links().size()) {
      const auto& l = m_topology.links()[h.index];
      m_menu.a = m_topology.name(l.a);
      m_menu.b = m_topology.name(l.b);
      m_menu.link = h.index;
    }
    ImGui::OpenPopup("##network_menu");
  }
}

// --- drawing --------------------------------------------------------------------------------

void NetworkView::draw_links(const UiContext& ctx, ImDrawList* dl) {
  const Palette& p = ctx.palette;
  const auto& state = ctx.session->world().network().links();
  const auto& links = m_topology.links();
  const ImVec2 clip_min = dl->GetClipRectMin();
  const ImVec2 clip_max = dl->GetClipRectMax();
  const float base = std::clamp(2.2f * m_view.zoom, 1.0f, 4.0f) * ctx.settings.scale;
  const ImU32 normal = u32(mix(p.border, p.muted, 0.35f));
  const ImU32 down = u32(p.permanent);
  const ImU32 degraded = u32(p.transient);
  const ImU32 selected = u32(p.accent);
  const Selection& sel = ctx.selection;
  m_links_drawn = 0;

  constexpr std::uint32_t kNoNode = 0xFFFFFFFFu;
  const std::uint32_t focus_a = sel.node.empty() ? kNoNode : m_topology.index(sel.node).value_or(kNoNode);
  const std::uint32_t focus_b =
      m_hovered_node < m_layout.size()
          ? m_topology.index(m_layout.names()[m_hovered_node]).value_or(kNoNode)
          : kNoNode;
  const auto in_focus = [&](std::uint32_t n) { return n != kNoNode && (n == focus_a || n == focus_b); };

  // A dense mesh (a hundred providers all linked to each other) is a grey blot that costs a
  // software renderer more than everything else: there the lines drawn are those the class is
  // looking at (of the selected or hovered host, the selected link, the selected connection's
  // route) and those in trouble (down, slowed, lossy); the envelopes show the traffic.
  const bool dense = links.size() > kDenseLinks;
  // Links carrying TLS right now: those on the route of an encrypted connection (in a dense
  // mesh, of a connection in focus).
  m_tls_links.assign(links.size(), 0);
  for (const TlsConnection& c : m_animator.tls()) {
    if (dense && c.connection != sel.connection && !in_focus(c.client) && !in_focus(c.server))
      continue;
    const auto& route = m_topology.route_nodes(m_topology.route(c.client, c.server));
    for (std::size_t k = 1; k < route.size(); ++k)
      if (auto l = m_topology.link_between(route[k - 1], route[k])) m_tls_links[*l] = 1;
  }
  if (dense) {
    m_focus_links.assign(links.size(), 0);
    if (const auto ends = m_animator.endpoints(sel.connection)) {
      const auto& route = m_topology.route_nodes(m_topology.route(ends->first, ends->second));
      for (std::size_t k = 1; k < route.size(); ++k)
        if (auto l = m_topology.link_between(route[k - 1], route[k])) m_focus_links[*l] = 1;
    }
  }
  for (std::size_t k = 0; k < links.size(); ++k) {
    const auto& l = links[k];
    if (l.a >= m_layout_of.size() || l.b >= m_layout_of.size()) continue;
    if (dense && l.up && !m_focus_links[k] && !m_tls_links[k] &&
        !(k < state.size() && (state[k].extra_latency.micros() > 0 || state[k].extra_loss > 0.0)) &&
        !in_focus(l.a) && !in_focus(l.b) &&
        !(!sel.link_a.empty() && k < state.size() && state[k].connects(sel.link_a, sel.link_b)))
      continue;
    const ImVec2 a = node_screen(m_layout_of[l.a]);
    const ImVec2 b = node_screen(m_layout_of[l.b]);
    if (std::max(a.x, b.x) < clip_min.x || std::min(a.x, b.x) > clip_max.x ||
        std::max(a.y, b.y) < clip_min.y || std::min(a.y, b.y) > clip_max.y)
      continue;
    ++m_links_drawn;
    const bool is_selected =
        (!sel.link_a.empty() && k < state.size() && state[k].connects(sel.link_a, sel.link_b));
    const bool is_degraded =
        k < state.size() && (state[k].extra_latency.micros() > 0 || state[k].extra_loss > 0.0);
    if (is_selected) dl->AddLine(a, b, selected, base * 3.0f);
    if (!l.up) {
      dashed_line(dl, a, b, down, base * 1.2f, 10.0f * ctx.settings.scale);
      const ImVec2 mid((a.x + b.x) / 2.0f, (a.y + b.y) / 2.0f);
      draw_down_cross(dl, mid, 20.0f * ctx.settings.scale, down);
    } else if (is_degraded) {
      dashed_line(dl, a, b, degraded, base * 1.3f, 6.0f * ctx.settings.scale);
    } else {
      dl->AddLine(a, b, normal, base);
    }
  }
  // Padlocks last, over the lines.
  const float lock = std::clamp(18.0f * m_view.zoom, 10.0f, 24.0f) * ctx.settings.scale;
  for (std::size_t k = 0; k < links.size(); ++k) {
    if (!m_tls_links[k]) continue;
    const ImVec2 a = node_screen(m_layout_of[links[k].a]);
    const ImVec2 b = node_screen(m_layout_of[links[k].b]);
    const ImVec2 mid((a.x + b.x) / 2.0f, (a.y + b.y) / 2.0f - lock * 0.7f);
    if (!rect_visible(mid, lock, clip_min, clip_max)) continue;
    if (links.size() > kDenseLinks) {
      // Many at once: a plain lock shape (body and shackle), a handful of vertices.
      dl->AddRect(ImVec2(mid.x - lock * 0.22f, mid.y - lock * 0.3f),
                  ImVec2(mid.x + lock * 0.22f, mid.y + lock * 0.1f), u32(p.text));
      dl->AddRectFilled(ImVec2(mid.x - lock * 0.35f, mid.y), ImVec2(mid.x + lock * 0.35f, mid.y + lock * 0.45f),
                        u32(p.transient));
      continue;
    }
    dl->AddCircleFilled(ImVec2(mid.x, mid.y + lock * 0.1f), lock * 0.75f, u32(p.panel), 20);
    draw_padlock(dl, mid, lock, u32(p.transient), u32(p.text));
  }
}

void NetworkView::count_mailboxes(const UiContext& ctx) {
  const world::World& world = ctx.session->world();
  const auto& nodes = world.nodes();
  // A world's mailboxes are made with it: which host holds each is looked up once per world.
  if (world.serial() != m_boxes_world) {
    m_boxes_world = world.serial();
    m_boxes.clear();
    std::unordered_map<std::string_view, std::size_t> node_of;
    for (std::size_t i = 0; i < nodes.size(); ++i) node_of.emplace(nodes[i]->spec.name, i);
    for (const auto& [address, box] : world.mailboxes())
      if (const auto it = node_of.find(box.host); it != node_of.end())
        m_boxes.emplace_back(&box, it->second);
  }
  m_box_counts.assign(nodes.size(), MailboxCount{});
  for (const auto& [box, node] : m_boxes) {
    ++m_box_counts[node].mailboxes;
    m_box_counts[node].messages += mailbox_messages(*box);
  }
}

void NetworkView::draw_nodes(const UiContext& ctx, ImDrawList* dl) {
  const Palette& p = ctx.palette;
  const world::World& world = ctx.session->world();
  const text::Catalog& t = ctx.text;
  const float zoom_text = label_text_zoom();
  const LabelFonts lf = label_fonts(ctx, zoom_text);
  ImFont* font = lf.font;
  ImFont* mono = lf.mono;
  const ImVec2 clip_min = dl->GetClipRectMin();
  const ImVec2 clip_max = dl->GetClipRectMax();
  const float size = icon_size();
  const float label_size = lf.label_size;
  const float tag_size = lf.tag_size;
  const bool labels = labels_shown(label_size);
  // A view too short for whole labels (a fit at 3x): each host's name only (the tooltip has
  // the rest), under its icon or beside it.
  const bool compact = labels_compact();

  // Mailboxes per host (count, messages), read once per frame.
  count_mailboxes(ctx);
  m_labels_cut = 0;
  const float block = label_block(label_size, tag_size, compact);
  const float whole_block = label_block(label_size, tag_size, false);
  const std::vector<bool>* whole = compact ? &m_label_whole : nullptr;
  // Where labels are placed against their neighbours, some may go beside their icon.
  m_label_beside.clear();
  m_labels_cover_icons = false;
  if (labels && m_layout.size() <= kNeighbourLabelHosts) {
    m_label_beside = label_sides(label_widths(ctx, font, label_size, compact, whole),
                                 label_heights(ctx, label_size, tag_size, compact, whole),
                                 clip_min.x, clip_min.y + 2.0f, clip_max.x, &m_labels_cover_icons);
  }

  const IconStyle style;
  const IconStyle down_style = faded(style);
  // Many hosts: simpler shapes (square corners, coarse circles), a fraction of the triangles.
  const Detail detail = m_layout.size() > kBulkNodes ? Detail::kSimple : Detail::kFull;
  const ImU32 text_colour = u32(p.text);
  const ImU32 muted = u32(p.muted);
  const ImU32 red = u32(p.permanent);
  const ImU32 white = IM_COL32(255, 255, 255, 255);
  const auto& nodes = world.nodes();
  for (std::size_t ti = 0; ti < nodes.size() && ti < m_layout_of.size(); ++ti) {
    const world::NodeState& node = *nodes[ti];
    const std::size_t li = m_layout_of[ti];
    const ImVec2 c = node_screen(li);
    if (!rect_visible(c, size * 2.5f + 120.0f * zoom_text, clip_min, clip_max)) continue;
    const bool selected = ctx.selection.node == node.spec.name;
    if (selected) {
      dl->AddRectFilled(ImVec2(c.x - size * 0.75f, c.y - size * 0.65f),
                        ImVec2(c.x + size * 0.75f, c.y + size * 0.6f), u32(p.accent, 0.18f),
                        size * 0.15f);
      dl->AddRect(ImVec2(c.x - size * 0.75f, c.y - size * 0.65f),
                  ImVec2(c.x + size * 0.75f, c.y + size * 0.6f), u32(p.accent), size * 0.15f,
                  ImDrawFlags_None, 2.0f * ctx.settings.scale);
    }
    // Many hosts: each icon one textured quad, painted in full detail into the font atlas.
    const Sprite* sprite = detail == Detail::kSimple
                               ? ctx.fonts.sprites.icon(icon_for(node.spec), node.down, size)
                               : nullptr;
    if (sprite) {
      // At its painted size (within 8% of the view's), on whole pixels: one texel to a pixel.
      const float side = sprite->width;
      const ImVec2 corner(std::round(c.x - side * 0.5f), std::round(c.y - side * 0.5f));
      dl->PrimReserve(6, 4);
      dl->PrimRectUV(corner, ImVec2(corner.x + side, corner.y + side), sprite->uv0, sprite->uv1,
                     white);
    } else {
      draw_icon(dl, icon_for(node.spec), c, size, node.down ? down_style : style, detail);
    }

    // A mailbox beside servers that hold mailboxes, with their message count.
    if (const MailboxCount& boxes = m_box_counts[ti]; boxes.mailboxes > 0 && size >= 20.0f) {
      const ImVec2 mc = mailbox_centre(c, size);
      draw_mailbox(dl, mc, size * 0.55f, boxes.messages > 0,
                   u32(mix(p.intermediate, p.panel, node.down ? 0.6f : 0.0f)), u32(p.text), detail);
      if (boxes.messages > 0)
        draw_count_badge(dl, font, std::max(10.0f, tag_size), ImVec2(mc.x - size * 0.3f, mc.y - size * 0.2f),
                         std::to_string(boxes.messages), u32(p.intermediate), white, detail,
                         &ctx.fonts.sprites);
    }
    // The queue: how many messages wait on this host.
    if (const std::size_t queued = node.queue.size(); queued > 0) {
      draw_count_badge(dl, font, std::max(11.0f, label_size * 0.85f),
                       ImVec2(c.x + size * 0.5f, c.y - size * 0.5f), std::to_string(queued),
                       u32(p.transient), white, detail, &ctx.fonts.sprites);
    }
    if (node.down) {
      draw_down_cross(dl, c, size, red);
      const std::string& word = t.get("net.down");
      const float fs = std::max(11.0f, label_size * 0.8f);
      const ImVec2 ts = font->CalcTextSizeA(fs, 1e9f, 0.0f, word.c_str());
      const ImVec2 at(c.x - size * 0.5f - ts.x * 0.5f, c.y - size * 0.5f - ts.y * 0.5f);
      dl->AddRectFilled(ImVec2(at.x - fs * 0.3f, at.y - fs * 0.1f),
                        ImVec2(at.x + ts.x + fs * 0.3f, at.y + ts.y + fs * 0.1f), red, fs * 0.3f);
      dl->AddText(font, fs, at, white, word.c_str());
    }
    if (!labels && !selected) continue;

    // Caption (in the class's language), host name, then the role tags with their ports.
    const std::string& caption = caption_of(node, t);
    // Under the icon, or where a host below leaves no room (a short view at 3x), on its right
    // (or left, against the icon).
    const std::optional<LabelBeside> beside_at =
        li < m_label_beside.size() ? m_label_beside[li] : std::nullopt;
    const bool beside = beside_at.has_value();
    const bool on_left = beside && beside_at->left;
    float y = beside ? beside_at->top : c.y + size * 0.55f;
    const float left = c.x + size * kBesideGap;           // beside on the right: from here
    const float right_end = c.x - size * kBesideGapLeft;  // beside on the left: up to here
    const bool brief = brief_label(compact, whole, li);
    // Labels never run into a neighbour's, nor (centred under the icon) past the canvas's edge.
    const float max_width =
        on_left  ? right_end - clip_min.x
        : beside ? clip_max.x - left
                 : std::min(label_room(li, brief ? block : whole_block),
                            2.0f * std::max(0.0f, std::min(c.x - clip_min.x, clip_max.x - c.x)));
    // One line: centred under the icon, or from `left` (to `right_end`) beside it.
    const auto label_line = [&](ImFont* f, float fs, const std::string& text, ImU32 colour) {
      std::string s = text;
      ImVec2 ts = f->CalcTextSizeA(fs, 1e9f, 0.0f, s.c_str());
      if (ts.x > max_width) {
        // Cut at a character boundary (UTF-8) and add an ellipsis; the tooltip has it all.
        while (!s.empty() && ts.x > max_width) {
          do s.pop_back();
          while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80);
          if (!s.empty()) s.pop_back();
          ts = f->CalcTextSizeA(fs, 1e9f, 0.0f, (s + "…").c_str());
        }
        s += "…";
        ++m_labels_cut;
      }
      const ImVec2 at(on_left ? right_end - ts.x : beside ? left : c.x - ts.x * 0.5f, y);
      dl->AddRectFilled(ImVec2(at.x - 2, at.y), ImVec2(at.x + ts.x + 2, at.y + ts.y),
                        u32(p.panel, 0.8f), 3.0f);
      dl->AddText(f, fs, at, colour, s.c_str());
      y += ts.y;
    };
    label_line(font, label_size, node.spec.name, node.down ? muted : text_colour);
    if (brief) continue;
    if (!caption.empty()) {
      label_line(font, label_size * 0.85f, caption, muted);
    } else if (!node.spec.domains.empty()) {
      label_line(font, label_size * 0.85f, "@" + join(node.spec.domains, " @"), muted);
    }
    const std::vector<std::string> tags = role_tags(node.spec);
    if (!tags.empty() && icon_for(node.spec) != IconKind::kLaptop &&
        icon_for(node.spec) != IconKind::kPhone) {
      const float pad = tag_size * 0.3f;
      float width = 0;
      for (const std::string& tag : tags)
        width += mono->CalcTextSizeA(tag_size, 1e9f, 0.0f, tag.c_str()).x + pad * 3.0f;
      if (width > max_width) continue;  // too narrow here: the tooltip lists them
      float x = on_left ? right_end - width : beside ? left : c.x - width * 0.5f;
      y += 2.0f;
      for (const std::string& tag : tags) {
        const ImVec2 ts = mono->CalcTextSizeA(tag_size, 1e9f, 0.0f, tag.c_str());
        dl->AddRectFilled(ImVec2(x, y), ImVec2(x + ts.x + pad * 2.0f, y + ts.y + pad * 0.6f),
                          u32(mix(p.panel, p.intermediate, 0.14f)), 3.0f);
        dl->AddText(mono, tag_size, ImVec2(x + pad, y + pad * 0.3f), u32(p.accent_text),
                    tag.c_str());
        x += ts.x + pad * 3.0f;
      }
    }
  }
}

void NetworkView::draw_envelopes(const UiContext& ctx, ImDrawList* dl) {
  const Palette& p = ctx.palette;
  const auto events = ctx.session->events();
  const core::SimTime now = ctx.session->now();
  const ImVec2 clip_min = dl->GetClipRectMin();
  const ImVec2 clip_max = dl->GetClipRectMax();
  const float zoom = std::clamp(m_view.zoom, 0.5f, 1.4f) * ctx.settings.scale;
  const float lane = 5.0f * zoom;
  m_envelope_hits.clear();
  m_envelopes_drawn = 0;
  m_envelopes_hidden = 0;
  m_sprite_quads.clear();

  // Colours per protocol, resolved once.
  ImU32 fill[5];
  ImU32 outline[5];
  for (int f = 0; f < 5; ++f) {
    const ImVec4& c = flow_colour(p, static_cast<Flow>(f));
    fill[f] = u32(mix(c, ImVec4(1, 1, 1, 1), 0.15f));
    outline[f] = u32(mix(c, ImVec4(0, 0, 0, 1), 0.45f));
  }
  const ImU32 bounce_fill = u32(p.permanent);
  const ImU32 bounce_outline = u32(mix(p.permanent, ImVec4(0, 0, 0, 1), 0.5f));
  const ImU32 selected_outline = u32(p.accent);

  // Thousands of envelopes: simple shapes without anti-aliasing (a fraction of the vertices).
  const bool bulk = m_animator.flights().size() > kBulkEnvelopes;
  const Detail detail = bulk ? Detail::kSimple : Detail::kFull;
  const ImDrawListFlags saved_flags = dl->Flags;
  if (bulk) dl->Flags &= ~(ImDrawListFlags_AntiAliasedLines | ImDrawListFlags_AntiAliasedFill);
  // In bulk, each envelope is one quad of the sprite painted into the font atlas.
  const Sprites& sprites = ctx.fonts.sprites;
  ImU32 tints[5];
  const ImU32* sprite_tint = nullptr;
  ImU32 bounce_tint = 0;
  if (bulk && sprites.ready()) {
    // Body = tint × kEnvelopeSpriteBody: lighten the colour so the body stays near it.
    const float lighten = 1.0f - kEnvelopeSpriteBody;
    for (int f = 0; f < 5; ++f)
      tints[f] = u32(mix(flow_colour(p, static_cast<Flow>(f)), ImVec4(1, 1, 1, 1), lighten));
    bounce_tint = u32(mix(p.permanent, ImVec4(1, 1, 1, 1), lighten));
    sprite_tint = tints;
  }
  ImVec2 points[16];
  const auto draw_one = [&](const Flight& f, float fraction, float alpha) {
    const auto& route = m_topology.route_nodes(f.route);
    std::size_t count = std::min<std::size_t>(route.size(), 16);
    for (std::size_t k = 0; k < count; ++k) {
      const std::uint32_t n = k + 1 == count ? route.back() : route[k];
      points[k] = node_screen(n < m_layout_of.size() ? m_layout_of[n] : 0);
    }
    if (f.local && count > 0) {
      // Into the mailbox drawn beside the host.
      points[1] = mailbox_centre(points[0], icon_size());
      count = 2;
    }
    ImVec2 c = point_along(points, count, fraction);
    // Lanes: each direction keeps to its right of the line, so lines and replies do not cover
    // each other.
    const ImVec2 d = sub(points[count - 1], points[0]);
    const float len = std::hypot(d.x, d.y);
    if (len > 0 && !f.round_trip && !f.local) c = ImVec2(c.x - d.y / len * lane, c.y + d.x / len * lane);
    const float width =
        (f.cargo == Cargo::kData ? kDataEnvelopeWorld : kLineEnvelopeWorld) * zoom;
    if (!rect_visible(c, width, clip_min, clip_max)) return;
    const int fi = static_cast<int>(f.flow);
    ImU32 body = f.bounce ? bounce_fill : fill[fi];
    ImU32 edge = f.bounce ? bounce_outline : outline[fi];
    if (ctx.selection.connection != 0 && f.connection == ctx.selection.connection)
      edge = selected_outline;
    if (alpha < 1.0f) {
      body = with_alpha(body, alpha);
      edge = with_alpha(edge, alpha);
    }
    if (sprite_tint) {
      // One textured quad: the grey picture tinted lighter than the protocol's colour, so that
      // its body comes out near that colour and its flap lighter. On whole pixels, and from a
      // sprite at least as large, every pixel of the quad samples the sprite's own opaque
      // texels. Queued: drawn below unless the envelopes drawn after it cover it entirely.
      const float w = std::max(1.0f, std::round(width));
      const float h = static_cast<float>(Sprites::envelope_height(static_cast<int>(w)));
      const Sprite* sprite = sprites.envelope(w);
      const ImU32 tint = f.bounce ? bounce_tint : sprite_tint[fi];
      SpriteQuad q;
      q.min = ImVec2(std::round(c.x - w * 0.5f), std::round(c.y - h * 0.5f));
      q.max = ImVec2(q.min.x + w, q.min.y + h);
      q.uv0 = sprite->uv0;
      q.uv1 = sprite->uv1;
      q.tint = alpha < 1.0f ? with_alpha(tint, alpha) : tint;
      q.opaque = ((q.tint >> IM_COL32_A_SHIFT) & 0xFF) == 0xFF && sprite->width >= w &&
                 sprite->height >= h;
      q.outlined = edge == selected_outline;
      m_sprite_quads.push_back(q);
    } else {
      draw_envelope(dl, c, width, body, edge, detail);
    }
    m_envelope_hits.push_back({c, width * 0.5f, f.event, f.connection});
    ++m_envelopes_drawn;
  };

  for (const Flight& f : m_animator.flights()) {
    if (m_highlight && f.event == *m_highlight) continue;  // drawn below, travelling
    draw_one(f, route_fraction(f, now), 1.0f);
  }
  if (m_highlight && *m_highlight < events.size()) {
    const auto f = Animator::flight_of(events[*m_highlight], *m_highlight, m_topology,
                                       m_animator.is_bounce(events[*m_highlight]));
    if (f) {
      const double since = ImGui::GetTime() - m_highlight_since;
      float x = static_cast<float>(std::clamp(since / kStepTravelSeconds, 0.0, 1.0));
      x = 1.0f - (1.0f - x) * (1.0f - x);  // ease out
      // A round trip (DNS) goes there and back; a line ends at its receiver.
      Flight shown = *f;
      shown.start = core::SimTime();
      shown.end = core::SimTime::from_micros(1000000);
      const float fraction =
          route_fraction(shown, core::SimTime::from_micros(static_cast<std::int64_t>(x * 1e6f)));
      // Then it stays where it arrived, fading to a hint until the next step.
      const double fade_from = kStepTravelSeconds + kStepHoldSeconds;
      const float alpha =
          since < fade_from ? 1.0f
                            : static_cast<float>(std::clamp(1.0 - (since - fade_from), 0.35, 1.0));
      draw_one(*f, fraction, alpha);
    }
  }
  if (!m_sprite_quads.empty()) draw_sprite_quads(ctx, dl, selected_outline);
  dl->Flags = saved_flags;
}

void NetworkView::draw_sprite_quads(const UiContext& ctx, ImDrawList* dl, ImU32 outline) {
  // From the topmost down: an envelope whose every pixel the ones drawn after it paint over,
  // opaquely, cannot show, and is left out (see gui/occlusion.h).
  const ImVec2 clip_min = dl->GetClipRectMin();
  const ImVec2 clip_max = dl->GetClipRectMax();
  m_occlusion.reset(clip_min.x, clip_min.y, clip_max.x, clip_max.y);
  m_sprite_shown.assign(m_sprite_quads.size(), 1);
  for (std::size_t i = m_sprite_quads.size(); i-- > 0;) {
    const SpriteQuad& q = m_sprite_quads[i];
    // The selected connection's outline reaches past its envelope: always drawn.
    if (!q.outlined && m_occlusion.covered(q.min.x, q.min.y, q.max.x, q.max.y)) {
      m_sprite_shown[i] = 0;
      ++m_envelopes_hidden;
      continue;
    }
    if (q.opaque) m_occlusion.mark(q.min.x, q.min.y, q.max.x, q.max.y);
  }
  // Runs of opaque quads are drawn without blending: the same pixels, less work for a
  // software renderer. The selected connection's outline is blended as usual.
  const bool switchable = ctx.fonts.opaque_begin && ctx.fonts.opaque_end;
  bool blending = true;
  for (std::size_t i = 0; i < m_sprite_quads.size(); ++i) {
    if (!m_sprite_shown[i]) continue;
    const SpriteQuad& q = m_sprite_quads[i];
    const bool blend = !q.opaque || q.outlined;
    if (switchable && blend != blending) {
      dl->AddCallback(blend ? ctx.fonts.opaque_end : ctx.fonts.opaque_begin, nullptr);
      blending = blend;
    }
    dl->PrimReserve(6, 4);
    dl->PrimRectUV(q.min, q.max, q.uv0, q.uv1, q.tint);
    if (q.outlined)
      dl->AddRect(ImVec2(q.min.x - 1.0f, q.min.y - 1.0f), ImVec2(q.max.x + 1.0f, q.max.y + 1.0f),
                  outline, 0.0f, ImDrawFlags_None, 2.0f);
  }
  if (!blending) dl->AddCallback(ctx.fonts.opaque_end, nullptr);
  m_sprite_quads.clear();
}

void NetworkView::draw_toolbar(const UiContext& ctx) {
  const text::Catalog& t = ctx.text;
  const Palette& p = ctx.palette;
  if (ImGui::SmallButton(t.c_str("net.fit"))) m_fit_requested = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t.c_str("net.fit_hint"));
  // Where it does not fit beside the first (a narrow view at 2.5x), the second button is left
  // out: the background's right-click menu has both.
  const char* reset = t.c_str("net.reset_layout");
  ImGui::SameLine();
  if (ImGui::CalcTextSize(reset).x + ImGui::GetStyle().FramePadding.x * 2.0f <=
          ImGui::GetContentRegionAvail().x &&
      ImGui::SmallButton(reset)) {
    m_layout.reset_moves();
    m_fit_requested = true;
  }
  // The legend: one small envelope per protocol, the bounce, the message, the padlock.
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float h = ImGui::GetTextLineHeight();
  struct Item {
    ImVec4 colour;
    std::string label;
    int kind;  // 0 envelope, 1 big envelope, 2 padlock, 3 badge
  };
  const Item items[] = {
      {p.intermediate, "SMTP", 0},         {p.positive, "POP3", 0},
      {p.note, "IMAP", 0},                 {p.transient, "DNS", 0},
      {p.intermediate, t.get("net.legend.message"), 1},
      {p.permanent, t.get("net.legend.bounce"), 0},
      {p.transient, t.get("net.legend.tls"), 2},
      {p.transient, t.get("net.legend.queue"), 3},
  };
  float width = 0;
  for (const Item& item : items)
    width += h * 1.4f + ImGui::CalcTextSize(item.label.c_str()).x + ImGui::GetStyle().ItemSpacing.x;
  ImGui::SameLine();
  float avail = ImGui::GetContentRegionAvail().x;
  if (width > avail) {
    // On a line of its own; with no room even there, left out (the tooltips still explain).
    ImGui::NewLine();
    avail = ImGui::GetContentRegionAvail().x;
    if (width > avail) return;
  }
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + avail - width);
  for (const Item& item : items) {
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const ImVec2 c(at.x + h * 0.6f, at.y + h * 0.55f);
    const ImU32 fill = u32(mix(item.colour, ImVec4(1, 1, 1, 1), 0.15f));
    const ImU32 edge = u32(mix(item.colour, ImVec4(0, 0, 0, 1), 0.45f));
    switch (item.kind) {
      case 0: draw_envelope(dl, c, h * 0.8f, fill, edge); break;
      case 1: draw_envelope(dl, c, h * 1.15f, fill, edge); break;
      case 2: draw_padlock(dl, ImVec2(c.x, c.y - h * 0.15f), h * 0.85f, fill, u32(p.text)); break;
      default: {
        // A smaller digit than the font's: sampled filtered (see Fonts::filtered_begin).
        ImFont* f = ImGui::GetFont();
        if (ctx.fonts.filtered_begin) dl->AddCallback(ctx.fonts.filtered_begin, nullptr);
        draw_count_badge(dl, f, h * 0.7f, c, "3", fill, IM_COL32(255, 255, 255, 255));
        if (ctx.fonts.filtered_end) dl->AddCallback(ctx.fonts.filtered_end, nullptr);
        break;
      }
    }
    ImGui::Dummy(ImVec2(h * 1.3f, h));
    ImGui::SameLine(0, 0);
    ImGui::TextUnformatted(item.label.c_str());
    ImGui::SameLine();
  }
  ImGui::NewLine();
}

void NetworkView::draw_tooltip(const UiContext& ctx, const Hit& hit) {
  const text::Catalog& t = ctx.text;
  const Palette& p = ctx.palette;
  const world::World& world = ctx.session->world();
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28.0f);
  switch (hit.kind) {
    case HitKind::kNode: {
      const world::NodeState* node = nullptr;
      for (const auto& n : world.nodes())
        if (n->spec.name == m_layout.names()[hit.index]) node = n.get();
      if (!node) break;
      ImGui::TextUnformatted(node->spec.name.c_str());
      const std::string& caption = caption_of(*node, t);
      if (!caption.empty()) ImGui::TextColored(p.muted, "%s", caption.c_str());
      const std::vector<std::string> tags = role_tags(node->spec);
      if (!tags.empty()) ImGui::TextUnformatted(t.format("net.tooltip.roles", join(tags, ", ")).c_str());
      if (!node->spec.domains.empty())
        ImGui::TextUnformatted(t.format("net.tooltip.domains", join(node->spec.domains, ", ")).c_str());
      if (!node->spec.address.empty())
        ImGui::TextUnformatted(t.format("net.tooltip.address", node->spec.address).c_str());
      if (node->has_role(scenario::Role::kMta) || node->has_role(scenario::Role::kMsa) ||
          node->has_role(scenario::Role::kMx))
        ImGui::TextUnformatted(t.format("net.tooltip.queue", node->queue.size()).c_str());
      std::size_t boxes = 0;
      for (const auto& [address, box] : world.mailboxes())
        if (box.host == node->spec.name) ++boxes;
      if (boxes > 0) ImGui::TextUnformatted(t.format("net.tooltip.mailboxes", boxes).c_str());
      if (node->down) ImGui::TextColored(p.permanent, "%s", t.c_str("net.tooltip.host_down"));
      if (node->greylisting || node->spec.policy.greylisting)
        ImGui::TextColored(p.transient, "%s", t.c_str("net.tooltip.greylisting"));
      if (!node->temp_refusal.empty())
        ImGui::TextColored(p.transient, "%s", t.c_str("net.tooltip.refusing"));
      break;
    }
    case HitKind::kLink: {
      const auto& links = world.network().links();
      if (hit.index >= links.size()) break;
      const world::LinkState& l = links[hit.index];
      ImGui::TextUnformatted(t.format("net.tooltip.link", l.a, l.b).c_str());
      ImGui::TextUnformatted(
          t.format("net.tooltip.latency",
                   number(static_cast<double>(l.effective_latency().micros()) / 1000.0, 1))
              .c_str());
      ImGui::TextUnformatted(
          t.format("net.tooltip.bandwidth",
                   l.bandwidth_bps == 0
                       ? t.get("net.tooltip.unlimited")
                       : number(static_cast<double>(l.bandwidth_bps) / 1e6, 1) + " Mbit/s")
              .c_str());
      ImGui::TextUnformatted(
          t.format("net.tooltip.loss", number(l.effective_loss() * 100.0, 1)).c_str());
      if (l.up)
        ImGui::TextColored(p.positive, "%s", t.c_str("net.tooltip.link_up"));
      else
        ImGui::TextColored(p.permanent, "%s", t.c_str("net.tooltip.link_down"));
      if (hit.index < m_tls_links.size() && m_tls_links[hit.index])
        ImGui::TextColored(p.positive, "%s", t.c_str("net.tooltip.tls"));
      break;
    }
    case HitKind::kEnvelope: {
      const auto events = ctx.session->events();
      if (hit.index >= events.size()) break;
      const core::TraceEvent& e = events[hit.index];
      const bool dns = e.kind == TraceKind::kDnsQuery;
      const Flow flow = dns ? Flow::kDns : flow_of(e.protocol);
      ImGui::TextColored(flow_colour(p, flow), "%s", flow_name(flow));
      ImGui::SameLine();
      const std::string to = dns && m_topology.dns_node()
                                 ? m_topology.name(*m_topology.dns_node())
                                 : e.peer;
      ImGui::TextUnformatted(t.format("net.tooltip.envelope", e.node, to).c_str());
      if (ctx.fonts.mono) ImGui::PushFont(ctx.fonts.mono);
      if (e.kind == TraceKind::kDataSent)
        ImGui::TextUnformatted(t.format("net.tooltip.data", e.text).c_str());
      else if (dns)
        ImGui::TextUnformatted(t.format("net.tooltip.dns", e.text).c_str());
      else
        ImGui::TextUnformatted(e.text.c_str());
      if (ctx.fonts.mono) ImGui::PopFont();
      if (m_animator.bounce_connection(e.connection))
        ImGui::TextColored(p.permanent, "%s", t.c_str("net.tooltip.bounce"));
      break;
    }
    case HitKind::kNone:
      break;
  }
  ImGui::Separator();
  ImGui::TextColored(
      p.muted, "%s",
      t.c_str(hit.kind == HitKind::kNode ? "net.tooltip.click_host" : "net.tooltip.click"));
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

namespace {

AppCommand fault_command(scenario::FaultKind kind, const std::string& target,
                         const std::string& value = {}) {
  scenario::FaultAction f;
  f.kind = kind;
  f.target = target;
  f.value = value;
  return command::LiveAction{f};
}

AppCommand clear_command(scenario::FaultKind kind, const std::string& target) {
  return command::LiveAction{scenario::ClearFaultAction{kind, target}};
}

}  // namespace

std::vector<NetworkMenuEntry> node_menu(const world::World& world, const std::string& name) {
  using scenario::FaultKind;
  std::vector<NetworkMenuEntry> out;
  const world::NodeState* node = nullptr;
  for (const auto& n : world.nodes())
    if (n->spec.name == name) node = n.get();
  if (!node) return out;
  out.push_back({"net.menu.select", {}, command::SelectNode{name, true}});
  if (node->down) {
    out.push_back({"net.menu.host_up", {}, clear_command(FaultKind::kHostDown, name)});
  } else {
    out.push_back({"net.menu.host_down", {}, fault_command(FaultKind::kHostDown, name)});
    out.push_back({"net.menu.crash", {}, fault_command(FaultKind::kHostCrash, name)});
  }
  const bool server = node->has_role(scenario::Role::kMsa) || node->has_role(scenario::Role::kMta) ||
                      node->has_role(scenario::Role::kMx);
  if (server) {
    if (node->greylisting)
      out.push_back({"net.menu.greylisting_off", {}, clear_command(FaultKind::kGreylisting, name)});
    else
      out.push_back({"net.menu.greylisting_on", {}, fault_command(FaultKind::kGreylisting, name)});
    if (!node->temp_refusal.empty())
      out.push_back({"net.menu.refuse_off", {}, clear_command(FaultKind::kTempRefusal, name)});
    else
      out.push_back(
          {"net.menu.refuse_on", {}, fault_command(FaultKind::kTempRefusal, name, "greeting")});
  }
  // The mailboxes this host holds.
  for (const auto& [address, box] : world.mailboxes()) {
    if (box.host != name) continue;
    if (box.full)
      out.push_back({"net.menu.empty_mailbox", address, clear_command(FaultKind::kMailboxFull, address)});
    else
      out.push_back({"net.menu.fill_mailbox", address, fault_command(FaultKind::kMailboxFull, address)});
    if (box.unknown)
      out.push_back({"net.menu.known_user", address, clear_command(FaultKind::kUnknownUser, address)});
    else
      out.push_back({"net.menu.unknown_user", address, fault_command(FaultKind::kUnknownUser, address)});
    out.push_back({"net.menu.select", address, command::SelectMailbox{address, true}});
  }
  return out;
}

std::vector<NetworkMenuEntry> link_menu(const world::World& world, std::size_t index) {
  using scenario::FaultKind;
  std::vector<NetworkMenuEntry> out;
  const auto& links = world.network().links();
  if (index >= links.size()) return out;
  const world::LinkState& link = links[index];
  const std::string name = link.name();
  out.push_back({"net.menu.select", {}, command::SelectLink{link.a, link.b}});
  if (link.up)
    out.push_back({"net.menu.link_down", {}, fault_command(FaultKind::kLinkDown, name)});
  else
    out.push_back({"net.menu.link_up", {}, clear_command(FaultKind::kLinkDown, name)});
  if (link.extra_latency.micros() > 0)
    out.push_back({"net.menu.link_fast", {}, clear_command(FaultKind::kLinkSlow, name)});
  else
    out.push_back({"net.menu.link_slow", {}, fault_command(FaultKind::kLinkSlow, name, "500ms")});
  if (link.extra_loss > 0.0)
    out.push_back({"net.menu.link_clean", {}, clear_command(FaultKind::kLinkLossy, name)});
  else
    out.push_back({"net.menu.link_lossy", {}, fault_command(FaultKind::kLinkLossy, name, "0.2")});
  return out;
}

void NetworkView::draw_menu(const UiContext& ctx) {
  if (!ImGui::BeginPopup("##network_menu")) return;
  const text::Catalog& t = ctx.text;
  const world::World& world = ctx.session->world();
  std::vector<NetworkMenuEntry> entries;
  switch (m_menu.kind) {
    case HitKind::kNode:
      entries = node_menu(world, m_menu.node);
      ImGui::TextDisabled("%s", m_menu.node.c_str());
      break;
    case HitKind::kLink: {
      const auto& links = world.network().links();
      if (m_menu.link < links.size() && links[m_menu.link].connects(m_menu.a, m_menu.b))
        entries = link_menu(world, m_menu.link);
      ImGui::TextDisabled("%s", t.format("net.tooltip.link", m_menu.a, m_menu.b).c_str());
      break;
    }
    default:
      if (ImGui::MenuItem(t.c_str("net.fit"))) m_fit_requested = true;
      if (ImGui::MenuItem(t.c_str("net.reset_layout"))) {
        m_layout.reset_moves();
        m_fit_requested = true;
      }
      ImGui::EndPopup();
      return;
  }
  if (entries.empty()) {
    ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
    return;
  }
  ImGui::Separator();
  std::string open_box;  // the mailbox submenu being listed
  bool box_open = false;
  bool titled = false;
  for (const NetworkMenuEntry& entry : entries) {
    if (entry.mailbox != open_box) {
      if (box_open) ImGui::EndMenu();
      open_box = entry.mailbox;
      box_open = false;
      if (!titled) {
        ImGui::Separator();
        ImGui::TextDisabled("%s", t.c_str("net.menu.mailboxes"));
        titled = true;
      }
      box_open = ImGui::BeginMenu(open_box.c_str());
    }
    if (!entry.mailbox.empty() && !box_open) continue;
    if (ImGui::MenuItem(t.c_str(entry.label_key))) ctx.commands.push(entry.command);
  }
  if (box_open) ImGui::EndMenu();
  ImGui::EndPopup();
}

// --- the frame ------------------------------------------------------------------------------

void NetworkView::draw(const UiContext& ctx, ImVec2 size) {
  m_envelopes_drawn = 0;
  m_envelopes_hidden = 0;
  ImGui::BeginChild("##network", size, true,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  if (!ctx.session) {
    m_envelope_hits.clear();
    ImGui::TextColored(ctx.palette.muted, "%s", ctx.text.c_str("net.empty"));
    ImGui::EndChild();
    return;
  }
  sync_model(ctx);
  draw_toolbar(ctx);

  m_canvas_min = ImGui::GetCursorScreenPos();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  m_canvas_size = ImVec2(std::max(avail.x, 1.0f), std::max(avail.y, 1.0f));
  ImGui::InvisibleButton("##canvas", m_canvas_size,
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight |
                             ImGuiButtonFlags_MouseButtonMiddle);
  const bool hovered = ImGui::IsItemHovered();
  const bool active = ImGui::IsItemActive();

  m_scale = ctx.settings.scale;
  // Until the class pans or zooms by hand, the network keeps filling the view when the window,
  // the layout or the UI scale changes its size.
  if (m_auto_fit && (std::abs(m_canvas_size.x - m_fitted_size.x) > 1.0f ||
                     std::abs(m_canvas_size.y - m_fitted_size.y) > 1.0f)) {
    m_fit_requested = true;
  }
  if (m_fit_requested && m_canvas_size.x > 8.0f && m_canvas_size.y > 8.0f) {
    // Room for the labels under the icons and the badges above them, but never more than a
    // share of a small canvas (2x on 1024x768 leaves little height).
    const ImVec2 mn = m_layout.min();
    const ImVec2 mx = m_layout.max();
    const float s = ctx.settings.scale;
    // Two lines of label under the lowest icons, a badge over the highest: centre the network
    // a little higher than the canvas's middle.
    const float below = 2.0f * ImGui::GetTextLineHeightWithSpacing() + 10.0f * s;
    const float above = 12.0f * s;
    const float wanted_y = (below + above) / 2.0f;
    const float margin_y = std::min(wanted_y, m_canvas_size.y * 0.25f);
    const ImVec2 margin(std::min(70.0f * s, m_canvas_size.x * 0.12f), margin_y);
    m_view = ViewTransform::fit(ImVec2(mn.x - 30.0f, mn.y - 30.0f), ImVec2(mx.x + 30.0f, mx.y + 30.0f),
                                m_canvas_size, margin, 1.6f * s);
    m_view.offset.y -= (below - above) / 2.0f * (margin_y / wanted_y);
    // Where the canvas's height squeezes the network (1024x768 at 2x), the hosts move apart
    // until their labels are whole and clear the hosts below.
    spread_for_labels(ctx, m_canvas_size);
    m_fit_requested = false;
    m_auto_fit = true;
    m_fitted_size = m_canvas_size;
  }
  handle_input(ctx, hovered, active);

  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 canvas_max(m_canvas_min.x + m_canvas_size.x, m_canvas_min.y + m_canvas_size.y);
  dl->PushClipRect(m_canvas_min, canvas_max, true);
  const ImDrawListFlags saved_flags = dl->Flags;
  if (m_layout.size() > kBulkNodes)
    dl->Flags &= ~(ImDrawListFlags_AntiAliasedLines | ImDrawListFlags_AntiAliasedFill);
  draw_links(ctx, dl);
  // Labels and badges shrink and grow with the zoom: their text is sampled filtered.
  if (ctx.fonts.filtered_begin) dl->AddCallback(ctx.fonts.filtered_begin, nullptr);
  draw_nodes(ctx, dl);
  if (ctx.fonts.filtered_end) dl->AddCallback(ctx.fonts.filtered_end, nullptr);
  dl->Flags = saved_flags;
  draw_envelopes(ctx, dl);
  dl->PopClipRect();

  m_hovered_node = static_cast<std::size_t>(-1);
  if (hovered && m_drag == Drag::kNone && !ImGui::IsPopupOpen("##network_menu")) {
    const Hit hit = hit_test(ImGui::GetIO().MousePos);
    if (hit.kind == HitKind::kNode) m_hovered_node = hit.index;
    if (hit.kind != HitKind::kNone) draw_tooltip(ctx, hit);
  }
  draw_menu(ctx);
  ImGui::EndChild();
}

}  // namespace mailhop::gui
