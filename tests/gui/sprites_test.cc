// The sprites painted into the font atlas: the envelope picture itself, where it lands in the
// atlas, and which size the view picks; the host icons and the rasteriser that paints them.

#include "gui/sprites.h"

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

namespace {

using mailhop::gui::envelope_pixel;
using mailhop::gui::kEnvelopeSpriteBody;
using mailhop::gui::kEnvelopeSpriteEdge;
using mailhop::gui::kEnvelopeSpriteFlap;
using mailhop::gui::Sprites;

// An atlas with the default font and every sprite painted into it.
struct PaintedAtlas {
  ImFontAtlas atlas;
  Sprites sprites;
  PaintedAtlas() {
    atlas.AddFontDefault();
    sprites.reserve(atlas);
    REQUIRE(sprites.paint(atlas));
  }
};

}  // namespace

TEST_CASE("the envelope picture has an edge, a body and a light flap", "[gui][sprites]") {
  const int w = 40;
  const int h = 26;
  // The border all round is the edge's grey.
  for (int x = 0; x < w; ++x) {
    CHECK(envelope_pixel(x, 0, w, h).grey == Approx(kEnvelopeSpriteEdge));
    CHECK(envelope_pixel(x, h - 1, w, h).grey == Approx(kEnvelopeSpriteEdge));
  }
  for (int y = 0; y < h; ++y) {
    CHECK(envelope_pixel(0, y, w, h).grey == Approx(kEnvelopeSpriteEdge));
    CHECK(envelope_pixel(w - 1, y, w, h).grey == Approx(kEnvelopeSpriteEdge));
  }
  // Under the flap's tip (the middle of the bottom half) is plain body.
  CHECK(envelope_pixel(w / 2, h - 5, w, h).grey == Approx(kEnvelopeSpriteBody));
  // The flap's tip, at 60% of the height in the middle, is the light V.
  const int tip_y = static_cast<int>(std::floor(h * 0.6));
  CHECK(envelope_pixel(w / 2, tip_y, w, h).grey > kEnvelopeSpriteBody);
  // Every pixel is opaque: the quad's edges are the picture's edges.
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) CHECK(envelope_pixel(x, y, w, h).alpha == 1.0f);
}

TEST_CASE("the envelope sprites are painted into the atlas where their coordinates say",
          "[gui][sprites]") {
  ImFontAtlas atlas;
  atlas.AddFontDefault();
  Sprites sprites;
  CHECK_FALSE(sprites.ready());
  CHECK(sprites.envelope(20.0f) == nullptr);
  sprites.reserve(atlas);
  REQUIRE(sprites.paint(atlas));
  REQUIRE(sprites.ready());

  unsigned char* pixels = nullptr;
  int tex_w = 0;
  int tex_h = 0;
  atlas.GetTexDataAsRGBA32(&pixels, &tex_w, &tex_h);
  REQUIRE(pixels != nullptr);
  float previous = 0.0f;
  for (const int width : Sprites::envelope_widths()) {
    const mailhop::gui::Sprite* s = sprites.envelope(static_cast<float>(width));
    REQUIRE(s != nullptr);
    CHECK(s->width == static_cast<float>(width));
    CHECK(s->width > previous);
    previous = s->width;
    CHECK(s->height == std::round(s->width * 0.66f));
    CHECK((s->uv0.x >= 0.0f && s->uv0.y >= 0.0f && s->uv1.x <= 1.0f && s->uv1.y <= 1.0f));
    CHECK((s->uv1.x - s->uv0.x) * static_cast<float>(tex_w) == Approx(s->width));
    CHECK((s->uv1.y - s->uv0.y) * static_cast<float>(tex_h) == Approx(s->height));
    // Every texel is the picture's grey, opaque.
    const int x0 = static_cast<int>(std::lround(s->uv0.x * static_cast<float>(tex_w)));
    const int y0 = static_cast<int>(std::lround(s->uv0.y * static_cast<float>(tex_h)));
    const int w = static_cast<int>(s->width);
    const int h = static_cast<int>(s->height);
    int wrong = 0;
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const std::size_t at = (static_cast<std::size_t>(y0 + y) * static_cast<std::size_t>(tex_w) +
                                static_cast<std::size_t>(x0 + x)) * 4;
        const long grey = std::lround(envelope_pixel(x, y, w, h).grey * 255.0f);
        if (pixels[at] != grey || pixels[at + 1] != grey || pixels[at + 2] != grey ||
            pixels[at + 3] != 255)
          ++wrong;
      }
    }
    CHECK(wrong == 0);
    // The texels just outside are transparent: nothing bleeds in when it is scaled.
    const std::size_t left = (static_cast<std::size_t>(y0) * static_cast<std::size_t>(tex_w) +
                              static_cast<std::size_t>(x0 - 1)) * 4;
    CHECK(pixels[left + 3] == 0);
  }
}

TEST_CASE("the view gets the smallest envelope sprite at least as wide as it asks",
          "[gui][sprites]") {
  PaintedAtlas painted;
  const Sprites& sprites = painted.sprites;
  const auto& widths = Sprites::envelope_widths();
  CHECK(sprites.envelope(1.0f)->width == static_cast<float>(widths.front()));
  CHECK(sprites.envelope(static_cast<float>(widths[2]))->width == static_cast<float>(widths[2]));
  CHECK(sprites.envelope(static_cast<float>(widths[2]) + 0.5f)->width ==
        static_cast<float>(widths[3]));
  CHECK(sprites.envelope(10000.0f)->width == static_cast<float>(widths.back()));
}

namespace {

// RGBA of pixel (x, y) of the atlas at a sprite's top-left texel plus (x, y).
std::array<int, 4> texel(ImFontAtlas& atlas, const mailhop::gui::Sprite& s, int x, int y) {
  unsigned char* pixels = nullptr;
  int tex_w = 0;
  int tex_h = 0;
  atlas.GetTexDataAsRGBA32(&pixels, &tex_w, &tex_h);
  const int x0 = static_cast<int>(std::lround(s.uv0.x * static_cast<float>(tex_w)));
  const int y0 = static_cast<int>(std::lround(s.uv0.y * static_cast<float>(tex_h)));
  const unsigned char* p =
      pixels + (static_cast<std::size_t>(y0 + y) * static_cast<std::size_t>(tex_w) +
                static_cast<std::size_t>(x0 + x)) * 4;
  return {p[0], p[1], p[2], p[3]};
}

}  // namespace

TEST_CASE("triangles are rasterised with their colours, blended and anti-aliased",
          "[gui][sprites]") {
  ImDrawListSharedData shared;
  ImDrawList list(&shared);
  list._ResetForNewFrame();
  list.Flags = ImDrawListFlags_None;
  // Opaque red over two whole pixels, then half-transparent blue over the second one, and an
  // opaque green square over half of the fourth pixel.
  list.AddRectFilled(ImVec2(0, 0), ImVec2(2, 1), IM_COL32(255, 0, 0, 255));
  list.AddRectFilled(ImVec2(1, 0), ImVec2(2, 1), IM_COL32(0, 0, 255, 128));
  list.AddRectFilled(ImVec2(3, 0), ImVec2(3.5f, 1), IM_COL32(0, 255, 0, 255));
  const std::vector<unsigned char> rgba = mailhop::gui::rasterize(list, 4, 1);
  REQUIRE(rgba.size() == 16);
  CHECK(rgba[0] == 255);  // red, opaque
  CHECK(rgba[2] == 0);
  CHECK(rgba[3] == 255);
  CHECK(rgba[4] >= 126);  // half red, half blue
  CHECK(rgba[4] <= 129);
  CHECK(rgba[6] >= 126);
  CHECK(rgba[6] <= 129);
  CHECK(rgba[7] == 255);
  CHECK(rgba[11] == 0);  // nothing on the third pixel
  CHECK(rgba[13] == 255);  // green, half covered: not premultiplied, half alpha
  CHECK(rgba[15] == 128);
  CHECK(mailhop::gui::rasterize(list, 0, 0).empty());
}

TEST_CASE("host icons are painted into the atlas at several sizes, and faded when down",
          "[gui][sprites]") {
  using mailhop::gui::IconKind;
  PaintedAtlas painted;
  ImFontAtlas& atlas = painted.atlas;
  const Sprites& sprites = painted.sprites;
  const auto& sizes = Sprites::icon_sizes();
  for (const IconKind kind : {IconKind::kLaptop, IconKind::kPhone, IconKind::kServer, IconKind::kDns}) {
    for (const bool down : {false, true}) {
      INFO(static_cast<int>(kind) << (down ? " down" : " up"));
      const float first = static_cast<float>(sizes.front());
      const mailhop::gui::Sprite* smallest = sprites.icon(kind, down, first * 0.95f);
      REQUIRE(smallest != nullptr);
      CHECK(smallest->icon_size == first);
      CHECK(smallest->width == static_cast<float>(Sprites::icon_canvas(sizes.front())));
      // The painted size nearest the one asked for, within 8%; none further.
      CHECK(sprites.icon(kind, down, first * 0.9f) == nullptr);
      const float fourth = static_cast<float>(sizes[3]);
      CHECK(sprites.icon(kind, down, fourth + 0.5f)->icon_size == fourth);
      CHECK(sprites.icon(kind, down, fourth * 1.1f)->icon_size == static_cast<float>(sizes[4]));
      CHECK(sprites.icon(kind, down, static_cast<float>(sizes.back()) * 1.1f) == nullptr);
      // Every size holds a picture: opaque pixels at the centre of the icon, a transparent
      // margin at the corner.
      for (const int size : sizes) {
        const mailhop::gui::Sprite* s = sprites.icon(kind, down, static_cast<float>(size));
        REQUIRE(s != nullptr);
        const int side = static_cast<int>(s->width);
        CHECK(texel(atlas, *s, 0, 0)[3] == 0);
        int opaque = 0;
        for (int y = 0; y < side; ++y)
          for (int x = 0; x < side; ++x) opaque += texel(atlas, *s, x, y)[3] > 0 ? 1 : 0;
        CHECK(opaque > side * side / 8);
      }
    }
  }
  // A host that is down is drawn faded: lighter and partly transparent.
  const auto look = [&](const mailhop::gui::Sprite* s) {
    int max_alpha = 0;
    double grey = 0;
    int count = 0;
    for (int y = 0; y < static_cast<int>(s->width); ++y) {
      for (int x = 0; x < static_cast<int>(s->width); ++x) {
        const auto t = texel(atlas, *s, x, y);
        max_alpha = std::max(max_alpha, t[3]);
        if (t[3] == 0) continue;
        grey += t[0] + t[1] + t[2];
        ++count;
      }
    }
    return std::pair<int, double>(max_alpha, grey / std::max(count, 1));
  };
  const auto up = look(sprites.icon(IconKind::kServer, false, 32.0f));
  const auto down = look(sprites.icon(IconKind::kServer, true, 32.0f));
  CHECK(up.first == 255);
  CHECK(down.first < 255);
  CHECK(down.second > up.second);
}

TEST_CASE("badge ends are white discs, opaque inside and clear at the corners",
          "[gui][sprites]") {
  PaintedAtlas painted;
  ImFontAtlas& atlas = painted.atlas;
  const Sprites& sprites = painted.sprites;
  const auto& diameters = Sprites::disc_diameters();
  CHECK(sprites.disc(1.0f)->width == static_cast<float>(diameters.front()));
  CHECK(sprites.disc(static_cast<float>(diameters[2]) + 0.5f)->width ==
        static_cast<float>(diameters[3]));
  CHECK(sprites.disc(static_cast<float>(diameters.back()) + 1.0f) == nullptr);
  for (const int d : diameters) {
    const mailhop::gui::Sprite* s = sprites.disc(static_cast<float>(d));
    REQUIRE(s != nullptr);
    CHECK(s->width == static_cast<float>(d));
    CHECK(texel(atlas, *s, d / 2, d / 2) == std::array<int, 4>{255, 255, 255, 255});
    CHECK(texel(atlas, *s, 0, 0)[3] == 0);
    CHECK(texel(atlas, *s, d - 1, d - 1)[3] == 0);
    // The edge is anti-aliased: some partly covered pixels.
    int partial = 0;
    for (int x = 0; x < d; ++x) {
      const int a = texel(atlas, *s, x, 1)[3];
      if (a > 0 && a < 255) ++partial;
    }
    CHECK(partial > 0);
  }
}

TEST_CASE("the ladder's padlock is painted white at every whole height, as its shapes draw it",
          "[gui][sprites]") {
  PaintedAtlas painted;
  ImFontAtlas& atlas = painted.atlas;
  const Sprites& sprites = painted.sprites;
  const auto& heights = Sprites::padlock_heights();
  CHECK(sprites.padlock(static_cast<float>(heights.front()) - 1.0f) == nullptr);
  CHECK(sprites.padlock(static_cast<float>(heights.back()) + 1.0f) == nullptr);
  // The nearest whole height: 13.4 is 13, 13.6 is 14.
  CHECK(sprites.padlock(13.4f)->height == 13.0f + 2.0f);
  CHECK(sprites.padlock(13.6f)->height == 14.0f + 2.0f);
  for (const int h : heights) {
    const mailhop::gui::Sprite* s = sprites.padlock(static_cast<float>(h));
    REQUIRE(s != nullptr);
    CHECK(s->height == static_cast<float>(h + 2));
    const int w = static_cast<int>(s->width);
    CHECK(w == static_cast<int>(std::ceil(static_cast<float>(h) * 0.75f)) + 2);
    // The same shapes drawn on a draw list of their own and rasterised alike.
    ImDrawListSharedData shared;
    shared.SetCircleTessellationMaxError(0.30f);
    ImDrawList list(&shared);
    list._ResetForNewFrame();
    list.Flags = ImDrawListFlags_None;
    mailhop::gui::draw_line_padlock(&list, ImVec2(1.0f, 1.0f), static_cast<float>(h),
                                    IM_COL32(255, 255, 255, 255));
    const std::vector<unsigned char> expected = mailhop::gui::rasterize(list, w, h + 2);
    int opaque = 0;
    int different = 0;
    for (int y = 0; y < h + 2; ++y) {
      for (int x = 0; x < w; ++x) {
        const std::array<int, 4> t = texel(atlas, *s, x, y);
        const std::size_t at = (static_cast<std::size_t>(y) * static_cast<std::size_t>(w) +
                                static_cast<std::size_t>(x)) * 4;
        if (t[3] != expected[at + 3]) ++different;
        if (t[3] == 255) {
          ++opaque;
          CHECK(t == std::array<int, 4>{255, 255, 255, 255});
        }
      }
    }
    CHECK(different == 0);
    CHECK(opaque > h);              // the body is solid
    CHECK(texel(atlas, *s, 0, 0)[3] == 0);  // the margin is clear
  }
}
