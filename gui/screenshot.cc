#include "gui/screenshot.h"

#include <stb_image_write.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <system_error>

namespace mailhop::gui {

void flip_rows(std::vector<std::uint8_t>& pixels, int width, int height, int channels) {
  const std::size_t stride = static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
  for (int y = 0; y < height / 2; ++y) {
    auto top = pixels.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(y) * stride);
    auto bottom = pixels.begin() +
                  static_cast<std::ptrdiff_t>(static_cast<std::size_t>(height - 1 - y) * stride);
    std::swap_ranges(top, top + static_cast<std::ptrdiff_t>(stride), bottom);
  }
}

bool write_png(const std::string& path, const std::vector<std::uint8_t>& rgb, int width, int height,
               std::string* error) {
  if (width <= 0 || height <= 0 ||
      rgb.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3) {
    if (error) *error = "no image to write";
    return false;
  }
  const std::string temporary = path + ".tmp";
  if (stbi_write_png(temporary.c_str(), width, height, 3, rgb.data(), width * 3) == 0) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    if (error) *error = "stb_image_write could not write " + temporary;
    return false;
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    if (error) *error = "cannot rename " + temporary + ": " + ec.message();
    std::filesystem::remove(temporary, ec);
    return false;
  }
  return true;
}

}  // namespace mailhop::gui
