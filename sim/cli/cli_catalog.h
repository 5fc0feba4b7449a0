#pragma once
// The string catalog for the headless commands.

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/text/catalog.h"

namespace mailhop::cli {

// The catalog, speaking the language of --lang when it is among `args` (looked for first, so
// that complaints about other options already speak it), else the environment's. Says why on
// `err` and returns nothing when the assets cannot be found or read; `assets_out` receives the
// assets folder.
std::optional<text::Catalog> load_catalog(const std::vector<std::string>& args, std::ostream& err,
                                          std::filesystem::path* assets_out);

}  // namespace mailhop::cli
