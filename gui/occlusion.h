#pragma once
// Which pixels of a region are already painted over, for good, by opaque shapes drawn later.
//
// The busy network view draws thousands of envelopes, most of them on top of one another where
// routes cross (the 200-host bench paints each visible envelope pixel about four times). A
// software renderer pays for every triangle and every layer, so the view walks its envelopes
// from the topmost down, marks the pixels that each one paints opaquely, and leaves out an
// envelope whose every pixel is already marked: nothing of it could show, and the picture stays
// the same.
//
// One bit per pixel, 64 pixels to a word: marking or testing a small rectangle is a few word
// operations per row.

#include <cstdint>
#include <vector>

namespace mailhop::gui {

class OcclusionMask {
 public:
  // Starts over on the pixels [x0, x1) × [y0, y1) (x0 and y0 rounded down, x1 and y1 up), with
  // nothing marked.
  void reset(float x0, float y0, float x1, float y1);

  // Marks the pixels whose centres lie inside the rectangle [x0, x1) × [y0, y1): the ones an
  // opaque shape filling it paints. On whole pixels, exactly the pixels of the rectangle.
  void mark(float x0, float y0, float x1, float y1);

  // True when every pixel that the rectangle [x0, x1) × [y0, y1) overlaps, even partly, is
  // marked. Pixels outside the region count as marked: they are clipped away anyway.
  bool covered(float x0, float y0, float x1, float y1) const;

  int width() const { return m_x1 - m_x0; }
  int height() const { return m_y1 - m_y0; }

 private:
  int m_x0 = 0;
  int m_y0 = 0;
  int m_x1 = 0;
  int m_y1 = 0;
  int m_words = 0;  // per row
  std::vector<std::uint64_t> m_bits;
};

}  // namespace mailhop::gui
