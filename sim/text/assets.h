#pragma once
// Where the app and the command line find assets/ (fonts, UI strings, explanations): $MAILHOP_ASSETS, then the
// source tree the program was built from, then "assets" next to the executable (and
// ../share/mailhop/assets for an installed layout). The first that holds the files wins; when
// $MAILHOP_ASSETS is set it is the only place looked at, so a wrong value is reported.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mailhop::text {

struct AssetSearch {
  std::optional<std::filesystem::path> found;
  std::vector<std::filesystem::path> tried;  // in order, for the error message
};

// A directory counts when it has i18n/en.json and fonts/DejaVuSans.ttf.
bool looks_like_assets_dir(const std::filesystem::path& dir);

// `env_value` is $MAILHOP_ASSETS (may be null), `built_in` the source tree's assets directory
// baked in at build time (may be empty), `executable` the program's own path (may be empty).
AssetSearch find_assets(const char* env_value, const std::filesystem::path& built_in,
                        const std::filesystem::path& executable);

// The running program's path (/proc/self/exe), or argv0 when that is not available.
std::filesystem::path executable_path(const char* argv0);

}  // namespace mailhop::text
