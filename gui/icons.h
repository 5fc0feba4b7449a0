#pragma once
// Vector icons of the network view, drawn with ImDrawList at any size: a laptop or a phone for
// a mail program, a server, a name server (a globe), a mailbox; the "down" mark, the envelope,
// the padlock and the queue badge. Which icon and which role tags a host gets is decided here
// too (plain functions, tested without a window).

#include <imgui.h>

#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace mailhop::gui {

class Sprites;

enum class IconKind { kLaptop, kPhone, kServer, kDns };

// A mail program on a phone: its host name or caption says so ("phone", "móvil", "mobile",
// "celular"...). Everything else with the mua role is a laptop.
bool looks_like_phone(const scenario::Node& node);
IconKind icon_for(const scenario::Node& node);

// The small tags under a server: its roles with the port each listens on ("MSA 587",
// "MX 25", "POP3 110", "IMAP 143", "DNS 53"). Protocol names and numbers, the same in every
// language.
std::vector<std::string> role_tags(const scenario::Node& node);

struct IconStyle {
  ImU32 body = IM_COL32(52, 62, 78, 255);     // case and frame
  ImU32 face = IM_COL32(206, 226, 248, 255);  // screen, front panel
  ImU32 detail = IM_COL32(255, 255, 255, 255);
  ImU32 light = IM_COL32(40, 170, 80, 255);   // status lights
  ImU32 outline = IM_COL32(24, 28, 36, 255);
};
// The same style faded: a host that is down.
IconStyle faded(const IconStyle& style);

// How much detail a shape gets. `Detail::kSimple` is for hundreds or thousands at once: square
// corners, coarse circles and thin strokes, a fraction of the triangles.
enum class Detail { kFull, kSimple };

// Draws `kind` centred on `centre`, `size` pixels tall (about as wide).
void draw_icon(ImDrawList* list, IconKind kind, ImVec2 centre, float size, const IconStyle& style,
               Detail detail = Detail::kFull);
// A mailbox (post box with a flag), `size` pixels tall; the flag is up when it holds mail.
void draw_mailbox(ImDrawList* list, ImVec2 centre, float size, bool has_mail, ImU32 body,
                  ImU32 outline, Detail detail = Detail::kFull);
// The red cross of a host that is down, over an icon of `size`.
void draw_down_cross(ImDrawList* list, ImVec2 centre, float size, ImU32 colour);
// An envelope `width` pixels wide (height 0.66 of it) with its flap.
void draw_envelope(ImDrawList* list, ImVec2 centre, float width, ImU32 fill, ImU32 outline,
                   Detail detail = Detail::kFull);
// A closed padlock `size` pixels tall.
void draw_padlock(ImDrawList* list, ImVec2 centre, float size, ImU32 body, ImU32 outline);
// The small one-colour padlock of a protocol line that travelled inside TLS: a shackle (half
// ring) over a body, `height` pixels high and 0.75 of that wide, from `top_left`.
void draw_line_padlock(ImDrawList* list, ImVec2 top_left, float height, ImU32 colour);
// A round badge with a number, centred on `centre`; returns its radius.
// With `Detail::kSimple` and `sprites`, its round ends are quads of a disc sprite: a few
// triangles where a rounded pill is dozens.
float draw_count_badge(ImDrawList* list, ImFont* font, float font_size, ImVec2 centre,
                       const std::string& text, ImU32 fill, ImU32 text_colour,
                       Detail detail = Detail::kFull, const Sprites* sprites = nullptr);

}  // namespace mailhop::gui
