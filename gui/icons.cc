#include "gui/icons.h"

#include "gui/sprites.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <string_view>

namespace mailhop::gui {

namespace {

using scenario::Role;

bool has(const scenario::Node& node, Role role) {
  return std::find(node.roles.begin(), node.roles.end(), role) != node.roles.end();
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

ImU32 fade(ImU32 colour) {
  // Towards a light grey, and half transparent.
  ImVec4 c = ImGui::ColorConvertU32ToFloat4(colour);
  c.x = c.x * 0.35f + 0.6f;
  c.y = c.y * 0.35f + 0.6f;
  c.z = c.z * 0.35f + 0.6f;
  c.w *= 0.7f;
  return ImGui::ColorConvertFloat4ToU32(c);
}

ImVec2 at(ImVec2 c, float x, float y) { return ImVec2(c.x + x, c.y + y); }

}  // namespace

bool looks_like_phone(const scenario::Node& node) {
  static constexpr std::array<std::string_view, 8> kWords = {
      "phone", "movil", "móvil", "mobile", "celular", "smartphone", "android", "tablet"};
  const std::string text = lower(node.name) + " " + lower(node.label.en) + " " + lower(node.label.es);
  for (std::string_view word : kWords)
    if (text.find(word) != std::string::npos) return true;
  return false;
}

IconKind icon_for(const scenario::Node& node) {
  if (has(node, Role::kMua)) return looks_like_phone(node) ? IconKind::kPhone : IconKind::kLaptop;
  const bool only_dns = has(node, Role::kDns) && node.roles.size() == 1;
  return only_dns ? IconKind::kDns : IconKind::kServer;
}

std::vector<std::string> role_tags(const scenario::Node& node) {
  std::vector<std::string> tags;
  const auto port_tag = [&](const char* name, int port) {
    tags.push_back(port > 0 ? std::string(name) + " " + std::to_string(port) : std::string(name));
  };
  const scenario::Ports& p = node.ports;
  if (has(node, Role::kMsa)) port_tag("MSA", p.submission);
  if (has(node, Role::kMx)) port_tag("MX", p.smtp);
  if (has(node, Role::kMta) && !has(node, Role::kMx)) port_tag("MTA", p.smtp);
  if (has(node, Role::kMda)) tags.emplace_back("MDA");
  if (has(node, Role::kPop3)) port_tag("POP3", p.pop3);
  if (has(node, Role::kImap)) port_tag("IMAP", p.imap);
  if (has(node, Role::kWebmail)) tags.emplace_back("Webmail");
  if (has(node, Role::kDns)) port_tag("DNS", 53);
  return tags;
}

IconStyle faded(const IconStyle& s) {
  return {fade(s.body), fade(s.face), fade(s.detail), fade(IM_COL32(150, 150, 150, 255)),
          fade(s.outline)};
}

void draw_icon(ImDrawList* dl, IconKind kind, ImVec2 c, float size, const IconStyle& s,
               Detail detail) {
  const bool simple = detail == Detail::kSimple;
  // Simple: square corners (a rectangle is then two triangles) and coarse circles.
  const auto round = [simple](float r) { return simple ? 0.0f : r; };
  const auto segments = [simple](int n) { return simple ? std::max(6, n / 3) : n; };
  const float h = size;
  const float line = std::max(1.0f, h / 40.0f);
  switch (kind) {
    case IconKind::kLaptop: {
      // Lid with its screen, then the keyboard base (a flat trapezoid).
      const float w = h * 1.25f;
      const ImVec2 lid_min = at(c, -w * 0.40f, -h * 0.42f);
      const ImVec2 lid_max = at(c, w * 0.40f, h * 0.18f);
      dl->AddRectFilled(lid_min, lid_max, s.body, round(h * 0.06f));
      dl->AddRectFilled(at(lid_min, h * 0.06f, h * 0.06f), at(lid_max, -h * 0.06f, -h * 0.05f),
                        s.face, round(h * 0.02f));
      // A mail window on the screen: two text lines.
      dl->AddLine(at(c, -w * 0.26f, -h * 0.22f), at(c, w * 0.18f, -h * 0.22f), s.body, line);
      dl->AddLine(at(c, -w * 0.26f, -h * 0.10f), at(c, w * 0.06f, -h * 0.10f), s.body, line);
      const ImVec2 base[4] = {at(c, -w * 0.46f, h * 0.21f), at(c, w * 0.46f, h * 0.21f),
                              at(c, w * 0.52f, h * 0.33f), at(c, -w * 0.52f, h * 0.33f)};
      dl->AddConvexPolyFilled(base, 4, s.body);
      dl->AddLine(at(c, -w * 0.08f, h * 0.27f), at(c, w * 0.08f, h * 0.27f), s.face, line);
      break;
    }
    case IconKind::kPhone: {
      const float w = h * 0.5f;
      const ImVec2 mn = at(c, -w * 0.5f, -h * 0.45f);
      const ImVec2 mx = at(c, w * 0.5f, h * 0.45f);
      dl->AddRectFilled(mn, mx, s.body, round(h * 0.09f));
      dl->AddRectFilled(at(mn, h * 0.04f, h * 0.11f), at(mx, -h * 0.04f, -h * 0.14f), s.face,
                        round(h * 0.02f));
      dl->AddCircleFilled(at(c, 0, h * 0.375f), h * 0.035f, s.face, segments(12));
      dl->AddLine(at(c, -w * 0.12f, -h * 0.39f), at(c, w * 0.12f, -h * 0.39f), s.face, line);
      dl->AddLine(at(c, -w * 0.28f, -h * 0.20f), at(c, w * 0.22f, -h * 0.20f), s.body, line);
      dl->AddLine(at(c, -w * 0.28f, -h * 0.08f), at(c, w * 0.10f, -h * 0.08f), s.body, line);
      break;
    }
    case IconKind::kServer: {
      // A rack of three units with status lights.
      const float w = h * 0.9f;
      const float unit = h * 0.28f;
      for (int k = 0; k < 3; ++k) {
        const float top = -h * 0.44f + static_cast<float>(k) * (unit + h * 0.04f);
        const ImVec2 mn = at(c, -w * 0.5f, top);
        const ImVec2 mx = at(c, w * 0.5f, top + unit);
        dl->AddRectFilled(mn, mx, s.body, round(h * 0.04f));
        dl->AddRectFilled(at(mn, h * 0.06f, unit * 0.3f), at(mn, w * 0.55f, unit * 0.7f), s.face,
                          round(h * 0.02f));
        dl->AddCircleFilled(at(mx, -h * 0.10f, -unit * 0.5f), h * 0.035f, s.light, segments(10));
        dl->AddCircleFilled(at(mx, -h * 0.20f, -unit * 0.5f), h * 0.035f, s.face, segments(10));
      }
      break;
    }
    case IconKind::kDns: {
      // A globe: circle, equator, two parallels, a meridian ellipse.
      const float r = h * 0.42f;
      dl->AddCircleFilled(c, r, s.face, segments(32));
      dl->AddCircle(c, r, s.body, segments(32), line * 2.0f);
      dl->AddLine(at(c, -r, 0), at(c, r, 0), s.body, line * 1.5f);
      const float py = r * 0.5f;
      const float px = std::sqrt(r * r - py * py);
      dl->AddLine(at(c, -px, -py), at(c, px, -py), s.body, line);
      dl->AddLine(at(c, -px, py), at(c, px, py), s.body, line);
      dl->AddLine(at(c, 0, -r), at(c, 0, r), s.body, line);
      constexpr int kSteps = 24;
      ImVec2 pts[kSteps + 1];
      for (int k = 0; k <= kSteps; ++k) {
        const float a = static_cast<float>(k) / kSteps * 3.14159265f;
        pts[k] = at(c, std::sin(a) * r * 0.45f, -std::cos(a) * r);
      }
      dl->AddPolyline(pts, kSteps + 1, s.body, ImDrawFlags_None, line * 1.5f);
      for (int k = 0; k <= kSteps; ++k) pts[k].x = c.x - (pts[k].x - c.x);
      dl->AddPolyline(pts, kSteps + 1, s.body, ImDrawFlags_None, line * 1.5f);
      break;
    }
  }
}

void draw_mailbox(ImDrawList* dl, ImVec2 c, float size, bool has_mail, ImU32 body, ImU32 outline,
                  Detail detail) {
  const float top_rounding = detail == Detail::kSimple ? 0.0f : size * 0.22f;
  // A post box seen from the side: a box with a rounded top on a thin post, a slot, and the
  // flag raised when it holds mail.
  const float h = size;
  const float w = h * 0.95f;
  const float t = std::max(1.0f, h / 22.0f);
  const ImVec2 mn = at(c, -w * 0.5f, -h * 0.42f);
  const ImVec2 mx = at(c, w * 0.5f, h * 0.1f);
  dl->AddRectFilled(at(c, -h * 0.05f, h * 0.1f), at(c, h * 0.05f, h * 0.5f), outline);
  dl->AddRectFilled(mn, mx, body, top_rounding, ImDrawFlags_RoundCornersTop);
  dl->AddRect(mn, mx, outline, top_rounding, ImDrawFlags_RoundCornersTop, t);
  // The door on the front (left end) and the slot.
  dl->AddLine(at(c, -w * 0.28f, -h * 0.36f), at(c, -w * 0.28f, h * 0.1f), outline, t);
  dl->AddLine(at(c, -w * 0.1f, -h * 0.16f), at(c, w * 0.3f, -h * 0.16f), outline, t * 1.5f);
  const ImU32 flag = has_mail ? IM_COL32(214, 40, 40, 255) : IM_COL32(140, 140, 140, 255);
  const float fx = c.x + w * 0.36f;
  if (has_mail) {
    dl->AddLine(ImVec2(fx, c.y), ImVec2(fx, c.y - h * 0.62f), outline, t);
    dl->AddRectFilled(ImVec2(fx, c.y - h * 0.62f), ImVec2(fx + w * 0.3f, c.y - h * 0.46f), flag);
  } else {
    dl->AddRectFilled(ImVec2(fx - w * 0.02f, c.y - h * 0.06f), ImVec2(fx + w * 0.3f, c.y), flag);
  }
}

void draw_line_padlock(ImDrawList* dl, ImVec2 top_left, float height, ImU32 colour) {
  const float w = height * 0.75f;
  const float body_top = top_left.y + height * 0.45f;
  const float r = w * 0.32f;
  const ImVec2 centre(top_left.x + w * 0.5f, body_top);
  dl->PathArcTo(centre, r, 3.14159265f, 2 * 3.14159265f, 10);
  dl->PathStroke(colour, false, std::max(1.0f, height * 0.12f));
  dl->AddRectFilled(ImVec2(top_left.x, body_top), ImVec2(top_left.x + w, top_left.y + height),
                    colour, height * 0.1f);
}

void draw_down_cross(ImDrawList* dl, ImVec2 c, float size, ImU32 colour) {
  const float r = size * 0.42f;
  const float t = std::max(2.0f, size / 10.0f);
  dl->AddLine(at(c, -r, -r), at(c, r, r), colour, t);
  dl->AddLine(at(c, -r, r), at(c, r, -r), colour, t);
}

void draw_envelope(ImDrawList* dl, ImVec2 c, float width, ImU32 fill, ImU32 outline,
                   Detail detail) {
  const float hw = width * 0.5f;
  const float hh = width * 0.33f;
  const ImVec2 mn = at(c, -hw, -hh);
  const ImVec2 mx = at(c, hw, hh);
  if (detail == Detail::kSimple) {
    dl->AddRectFilled(mn, mx, outline);
    dl->AddRectFilled(at(mn, 1.0f, 1.0f), at(mx, -1.0f, -1.0f), fill);
    dl->AddLine(at(mn, 1.0f, 1.0f), ImVec2(c.x, c.y + hh * 0.2f), IM_COL32(255, 255, 255, 230));
    dl->AddLine(ImVec2(c.x, c.y + hh * 0.2f), ImVec2(mx.x - 1.0f, mn.y + 1.0f),
                IM_COL32(255, 255, 255, 230));
    return;
  }
  dl->AddRectFilled(mn, mx, fill, width * 0.06f);
  dl->AddRect(mn, mx, outline, width * 0.06f, ImDrawFlags_None, std::max(1.0f, width / 18.0f));
  // The flap: a light V from the top corners to the middle, so it reads as an envelope.
  const ImVec2 flap[3] = {at(mn, width * 0.06f, width * 0.05f), ImVec2(c.x, c.y + hh * 0.2f),
                          ImVec2(mx.x - width * 0.06f, mn.y + width * 0.05f)};
  dl->AddPolyline(flap, 3, IM_COL32(255, 255, 255, 230), ImDrawFlags_None,
                  std::max(1.0f, width / 14.0f));
}

void draw_padlock(ImDrawList* dl, ImVec2 c, float size, ImU32 body, ImU32 outline) {
  const float w = size * 0.8f;
  const float t = std::max(1.5f, size / 7.0f);
  // Shackle: a half circle above the body.
  dl->PathArcTo(at(c, 0, -size * 0.08f), w * 0.3f, 3.14159265f, 2.0f * 3.14159265f, 12);
  dl->PathStroke(outline, ImDrawFlags_None, t);
  dl->AddLine(at(c, -w * 0.3f, -size * 0.08f), at(c, -w * 0.3f, size * 0.02f), outline, t);
  dl->AddLine(at(c, w * 0.3f, -size * 0.08f), at(c, w * 0.3f, size * 0.02f), outline, t);
  dl->AddRectFilled(at(c, -w * 0.5f, 0), at(c, w * 0.5f, size * 0.5f), body, size * 0.08f);
  dl->AddRect(at(c, -w * 0.5f, 0), at(c, w * 0.5f, size * 0.5f), outline, size * 0.08f,
              ImDrawFlags_None, std::max(1.0f, size / 14.0f));
  dl->AddCircleFilled(at(c, 0, size * 0.22f), size * 0.07f, outline, 8);
}

float draw_count_badge(ImDrawList* dl, ImFont* font, float font_size, ImVec2 c,
                       const std::string& text, ImU32 fill, ImU32 text_colour, Detail detail,
                       const Sprites* sprites) {
  const int segments = detail == Detail::kSimple ? 8 : 20;
  const ImVec2 ts = font->CalcTextSizeA(font_size, 1e9f, 0.0f, text.c_str());
  const float r = ts.y * 0.5f + font_size * 0.2f;
  const float half = std::max(0.0f, ts.x * 0.5f - r * 0.6f);
  const Sprite* disc = detail == Detail::kSimple && sprites ? sprites->disc(2.0f * r) : nullptr;
  if (disc) {
    // Two round ends and, for wide numbers, the band between them: on whole pixels, one texel
    // to a pixel.
    const float d = disc->width;
    const ImVec2 left(std::round(c.x - half - d * 0.5f), std::round(c.y - d * 0.5f));
    const float span = std::round(2.0f * half);
    dl->PrimReserve(6, 4);
    dl->PrimRectUV(left, ImVec2(left.x + d, left.y + d), disc->uv0, disc->uv1, fill);
    if (span > 0.0f) {
      dl->PrimReserve(6, 4);
      dl->PrimRectUV(ImVec2(left.x + span, left.y), ImVec2(left.x + span + d, left.y + d), disc->uv0,
                     disc->uv1, fill);
      dl->AddRectFilled(ImVec2(left.x + d * 0.5f, left.y), ImVec2(left.x + span + d * 0.5f, left.y + d),
                        fill);
    }
  } else if (half > 0.0f)  // a pill for wide numbers
    dl->AddRectFilled(at(c, -half - r, -r), at(c, half + r, r), fill, r);
  else
    dl->AddCircleFilled(c, r, fill, segments);
  dl->AddText(font, font_size, at(c, -ts.x * 0.5f, -ts.y * 0.5f), text_colour, text.c_str());
  return r;
}

}  // namespace mailhop::gui
