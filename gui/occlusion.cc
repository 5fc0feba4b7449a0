#include "gui/occlusion.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace mailhop::gui {
namespace {

// Far beyond any screen, and safely inside an int.
constexpr float kLimit = 1.0e7f;

int floor_pixel(float v) { return static_cast<int>(std::floor(std::clamp(v, -kLimit, kLimit))); }
int ceil_pixel(float v) { return static_cast<int>(std::ceil(std::clamp(v, -kLimit, kLimit))); }

bool finite(float a, float b, float c, float d) {
  return std::isfinite(a) && std::isfinite(b) && std::isfinite(c) && std::isfinite(d);
}

// Bits a..b-1 (0 ≤ a < b ≤ 64) of a word.
std::uint64_t bits(int a, int b) {
  const std::uint64_t high = b >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << b) - 1;
  return high & ~((std::uint64_t{1} << a) - 1);
}

// Clamps the span [a, b) to [lo, hi); false when nothing is left.
bool clamp_span(int& a, int& b, int lo, int hi) {
  a = std::max(a, lo);
  b = std::min(b, hi);
  return a < b;
}

}  // namespace

void OcclusionMask::reset(float x0, float y0, float x1, float y1) {
  if (!finite(x0, y0, x1, y1)) x0 = y0 = x1 = y1 = 0.0f;
  m_x0 = floor_pixel(x0);
  m_y0 = floor_pixel(y0);
  m_x1 = std::max(m_x0, ceil_pixel(x1));
  m_y1 = std::max(m_y0, ceil_pixel(y1));
  m_words = (width() + 63) / 64;
  m_bits.assign(static_cast<std::size_t>(m_words) * static_cast<std::size_t>(height()), 0);
}

void OcclusionMask::mark(float x0, float y0, float x1, float y1) {
  if (!finite(x0, y0, x1, y1)) return;
  // Pixel i's centre is i + 0.5: inside when x0 ≤ i + 0.5 < x1.
  int ax = ceil_pixel(x0 - 0.5f);
  int bx = ceil_pixel(x1 - 0.5f);
  int ay = ceil_pixel(y0 - 0.5f);
  int by = ceil_pixel(y1 - 0.5f);
  if (!clamp_span(ax, bx, m_x0, m_x1) || !clamp_span(ay, by, m_y0, m_y1)) return;
  const int a = ax - m_x0;
  const int b = bx - m_x0;
  for (int y = ay - m_y0; y < by - m_y0; ++y) {
    std::uint64_t* row =
        m_bits.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(m_words);
    for (int w = a / 64; w <= (b - 1) / 64; ++w)
      row[w] |= bits(std::max(a - w * 64, 0), std::min(b - w * 64, 64));
  }
}

bool OcclusionMask::covered(float x0, float y0, float x1, float y1) const {
  if (!finite(x0, y0, x1, y1)) return false;
  int ax = floor_pixel(x0);
  int bx = ceil_pixel(x1);
  int ay = floor_pixel(y0);
  int by = ceil_pixel(y1);
  if (!clamp_span(ax, bx, m_x0, m_x1) || !clamp_span(ay, by, m_y0, m_y1)) return true;
  const int a = ax - m_x0;
  const int b = bx - m_x0;
  for (int y = ay - m_y0; y < by - m_y0; ++y) {
    const std::uint64_t* row =
        m_bits.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(m_words);
    for (int w = a / 64; w <= (b - 1) / 64; ++w) {
      const std::uint64_t want = bits(std::max(a - w * 64, 0), std::min(b - w * 64, 64));
      if ((row[w] & want) != want) return false;
    }
  }
  return true;
}

}  // namespace mailhop::gui
