// mailhop_png_check FILE.png MIN_WIDTH MIN_HEIGHT MIN_COLOURS
// Exits 0 when FILE.png is at least MIN_WIDTH x MIN_HEIGHT and holds at least MIN_COLOURS
// distinct colours (a blank or garbage screenshot has one or two); prints what it found.

#include <stb_image.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s FILE.png MIN_WIDTH MIN_HEIGHT MIN_COLOURS\n", argv[0]);
    return 2;
  }
  const int min_width = std::atoi(argv[2]);
  const int min_height = std::atoi(argv[3]);
  const std::size_t min_colours = static_cast<std::size_t>(std::atoi(argv[4]));
  int width = 0;
  int height = 0;
  int channels = 0;
  unsigned char* pixels = stbi_load(argv[1], &width, &height, &channels, 3);
  if (!pixels) {
    std::fprintf(stderr, "%s: not a readable image (%s)\n", argv[1], stbi_failure_reason());
    return 1;
  }
  std::set<unsigned int> colours;
  const std::size_t count = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned char* p = pixels + i * 3;
    colours.insert((static_cast<unsigned int>(p[0]) << 16) |
                   (static_cast<unsigned int>(p[1]) << 8) | p[2]);
  }
  stbi_image_free(pixels);
  std::printf("%s: %dx%d, %zu distinct colours\n", argv[1], width, height, colours.size());
  if (width < min_width || height < min_height) {
    std::fprintf(stderr, "too small: expected at least %dx%d\n", min_width, min_height);
    return 1;
  }
  if (colours.size() < min_colours) {
    std::fprintf(stderr, "looks blank: expected at least %zu colours\n", min_colours);
    return 1;
  }
  return 0;
}
