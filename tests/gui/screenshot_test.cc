#include "gui/screenshot.h"

#include <stb_image.h>

#include <catch2/catch.hpp>
#include <filesystem>

TEST_CASE("OpenGL rows are flipped top-first and written as PNG", "[gui]") {
  // 2x3 RGB image, bottom row first as glReadPixels gives it.
  std::vector<std::uint8_t> pixels = {
      1, 1, 1, 2, 2, 2,  // bottom
      3, 3, 3, 4, 4, 4,  // middle
      5, 5, 5, 6, 6, 6,  // top
  };
  mailhop::gui::flip_rows(pixels, 2, 3, 3);
  CHECK(pixels == std::vector<std::uint8_t>{5, 5, 5, 6, 6, 6, 3, 3, 3, 4, 4, 4, 1, 1, 1, 2, 2, 2});

  const std::string path =
      (std::filesystem::temp_directory_path() / "mailhop_screenshot_test.png").string();
  std::string error;
  REQUIRE(mailhop::gui::write_png(path, pixels, 2, 3, &error));
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  int w = 0;
  int h = 0;
  int n = 0;
  unsigned char* back = stbi_load(path.c_str(), &w, &h, &n, 3);
  REQUIRE(back);
  CHECK(w == 2);
  CHECK(h == 3);
  CHECK(std::vector<std::uint8_t>(back, back + 18) == pixels);
  stbi_image_free(back);
  std::filesystem::remove(path);

  CHECK_FALSE(mailhop::gui::write_png("/nonexistent/dir/x.png", pixels, 2, 3, &error));
  CHECK_FALSE(error.empty());
  CHECK_FALSE(mailhop::gui::write_png(path, pixels, 3, 3, &error));  // wrong size
}
