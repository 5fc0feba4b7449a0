#pragma once
// Writing what OpenGL drew to a PNG file (stb_image_write), for --screenshot.

#include <cstdint>
#include <string>
#include <vector>

namespace mailhop::gui {

// Rows as OpenGL returns them (bottom row first) become top-first rows.
void flip_rows(std::vector<std::uint8_t>& pixels, int width, int height, int channels);

// Writes RGB pixels (top row first) to `path` through a temporary file renamed into place, so a
// failed write never leaves a half-written PNG. False and *error set on failure.
bool write_png(const std::string& path, const std::vector<std::uint8_t>& rgb, int width, int height,
               std::string* error);

}  // namespace mailhop::gui
