#include "sim/text/assets.h"

#include <system_error>

namespace mailhop::text {

bool looks_like_assets_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(dir / "i18n" / "en.json", ec) &&
         std::filesystem::is_regular_file(dir / "fonts" / "DejaVuSans.ttf", ec);
}

AssetSearch find_assets(const char* env_value, const std::filesystem::path& built_in,
                        const std::filesystem::path& executable) {
  AssetSearch search;
  auto consider = [&](const std::filesystem::path& dir) {
    if (search.found || dir.empty()) return;
    search.tried.push_back(dir);
    if (looks_like_assets_dir(dir)) search.found = dir;
  };
  if (env_value && *env_value) {
    // Set on purpose: a wrong value is reported, not silently replaced by another directory.
    consider(env_value);
    return search;
  }
  consider(built_in);
  if (!executable.empty()) {
    const std::filesystem::path bin = executable.parent_path();
    consider(bin / "assets");
    consider(bin.parent_path() / "share" / "mailhop" / "assets");
  }
  return search;
}

std::filesystem::path executable_path(const char* argv0) {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec && !self.empty()) return self;
  if (argv0 && *argv0) return std::filesystem::absolute(argv0, ec);
  return {};
}

}  // namespace mailhop::text
