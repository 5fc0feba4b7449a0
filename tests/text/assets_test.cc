#include "sim/text/assets.h"

#include <catch2/catch.hpp>
#include <filesystem>

namespace {

const std::filesystem::path kAssets = MAILHOP_ASSETS_DIR;

}  // namespace

TEST_CASE("assets are found in order: MAILHOP_ASSETS, the source tree, next to the program",
          "[gui]") {
  using mailhop::text::find_assets;
  CHECK(mailhop::text::looks_like_assets_dir(kAssets));
  CHECK_FALSE(mailhop::text::looks_like_assets_dir(kAssets / "fonts"));

  SECTION("the source tree") {
    const auto search = find_assets(nullptr, kAssets, "/nonexistent/bin/mailhop");
    REQUIRE(search.found);
    CHECK(*search.found == kAssets);
  }
  SECTION("MAILHOP_ASSETS wins, and a wrong value is reported rather than replaced") {
    const auto good = find_assets(kAssets.c_str(), "/nonexistent", {});
    REQUIRE(good.found);
    CHECK(*good.found == kAssets);
    const auto wrong = find_assets("/nonexistent/assets", kAssets, {});
    CHECK_FALSE(wrong.found);
    CHECK(wrong.tried == std::vector<std::filesystem::path>{"/nonexistent/assets"});
  }
  SECTION("next to the executable") {
    const std::filesystem::path root =
        std::filesystem::temp_directory_path() / "mailhop_assets_test";
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root / "bin");
    std::filesystem::create_directory_symlink(kAssets, root / "bin" / "assets");
    const auto search = find_assets("", "/nonexistent", root / "bin" / "mailhop");
    REQUIRE(search.found);
    CHECK(*search.found == root / "bin" / "assets");
    std::filesystem::remove_all(root);
  }
  SECTION("nowhere: every place tried is listed") {
    const auto search = find_assets(nullptr, "/nonexistent/a", "/nonexistent/bin/mailhop");
    CHECK_FALSE(search.found);
    CHECK(search.tried.size() == 3);
    CHECK(search.tried[0] == "/nonexistent/a");
  }
}
