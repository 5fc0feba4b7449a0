// The sprites painted into the font atlas: the envelope picture itself, where it lands in the
// atlas, and which size the view picks.

#include "gui/sprites.h"

#include <imgui.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>

namespace {

using mailhop::gui::envelope_pixel;
using mailhop::gui::kEnvelopeSpriteBody;
using mailhop::gui::kEnvelopeSpriteEdge;
using mailhop::gui::kEnvelopeSpriteFlap;
using mailhop::gui::Sprites;

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
  ImFontAtlas atlas;
  atlas.AddFontDefault();
  Sprites sprites;
  sprites.reserve(atlas);
  REQUIRE(sprites.paint(atlas));
  const auto& widths = Sprites::envelope_widths();
  CHECK(sprites.envelope(1.0f)->width == static_cast<float>(widths.front()));
  CHECK(sprites.envelope(static_cast<float>(widths[2]))->width == static_cast<float>(widths[2]));
  CHECK(sprites.envelope(static_cast<float>(widths[2]) + 0.5f)->width ==
        static_cast<float>(widths[3]));
  CHECK(sprites.envelope(10000.0f)->width == static_cast<float>(widths.back()));
}
