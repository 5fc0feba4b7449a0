// The occlusion mask with which the busy network view leaves out envelopes that later ones
// cover entirely.

#include "gui/occlusion.h"

#include <catch2/catch.hpp>
#include <limits>

using mailhop::gui::OcclusionMask;

TEST_CASE("a marked rectangle covers itself and nothing that reaches past it",
          "[gui][occlusion]") {
  OcclusionMask m;
  m.reset(0, 0, 100, 50);
  CHECK(m.width() == 100);
  CHECK(m.height() == 50);
  CHECK_FALSE(m.covered(10, 10, 20, 20));
  m.mark(10, 10, 20, 20);
  CHECK(m.covered(10, 10, 20, 20));
  CHECK(m.covered(12, 12, 18.5f, 19));
  CHECK_FALSE(m.covered(10, 10, 20.5f, 20));  // touches pixel column 20
  CHECK_FALSE(m.covered(9.5f, 10, 20, 20));
  CHECK_FALSE(m.covered(10, 9, 20, 20));
  // Two rectangles side by side cover the rectangle across both.
  m.mark(20, 10, 30, 20);
  CHECK(m.covered(15, 12, 25, 18));
  // A gap of one pixel column is not covered.
  m.mark(31, 10, 40, 20);
  CHECK_FALSE(m.covered(25, 12, 35, 18));
}

TEST_CASE("a pixel is marked when its centre lies inside, and rows span words",
          "[gui][occlusion]") {
  OcclusionMask m;
  m.reset(0, 0, 200, 4);
  m.mark(10.4f, 0, 20, 1);  // pixel 10's centre (10.5) is inside
  CHECK(m.covered(10, 0, 20, 1));
  OcclusionMask n;
  n.reset(0, 0, 200, 4);
  n.mark(10.6f, 0, 20, 1);  // pixel 10's centre is not
  CHECK_FALSE(n.covered(10, 0, 20, 1));
  CHECK(n.covered(11, 0, 20, 1));
  // Across 64-pixel words.
  m.mark(60, 1, 190, 2);
  CHECK(m.covered(60, 1, 190, 2));
  CHECK(m.covered(63, 1, 129, 2));
  CHECK_FALSE(m.covered(59, 1, 70, 2));
  CHECK_FALSE(m.covered(180, 1, 191, 2));
  CHECK_FALSE(m.covered(60, 1, 190, 3));
}

TEST_CASE("pixels outside the region count as covered; bad numbers never do",
          "[gui][occlusion]") {
  OcclusionMask m;
  m.reset(10.5f, 10.5f, 60.2f, 40.7f);  // pixels 10..60 × 10..40
  CHECK(m.width() == 51);
  CHECK(m.height() == 31);
  CHECK(m.covered(-50, -50, 5, 5));
  CHECK(m.covered(100, 0, 120, 20));
  m.mark(50, 30, 80, 60);  // clipped to the region
  CHECK(m.covered(50, 30, 90, 70));
  CHECK_FALSE(m.covered(49, 30, 90, 70));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  m.mark(nan, 0, 100, 100);
  CHECK_FALSE(m.covered(nan, 30, 60, 40));
  CHECK_FALSE(m.covered(20, 20, inf, 30));
  CHECK_FALSE(m.covered(20, 20, 30, 30));
  // Huge coordinates are clamped, not overflowed.
  m.mark(-1e30f, -1e30f, 1e30f, 1e30f);
  CHECK(m.covered(10, 10, 61, 41));
  // An empty region covers everything there is in it: nothing.
  OcclusionMask e;
  e.reset(5, 5, 5, 5);
  CHECK(e.width() == 0);
  CHECK(e.covered(0, 0, 10, 10));
  e.reset(nan, 0, 10, 10);
  CHECK(e.width() == 0);
}
