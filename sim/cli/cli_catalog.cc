#include "sim/cli/cli_catalog.h"

#include <cstdlib>

#include "sim/text/assets.h"

#ifndef MAILHOP_BUILTIN_ASSETS_DIR
#define MAILHOP_BUILTIN_ASSETS_DIR ""
#endif

namespace mailhop::cli {

namespace fs = std::filesystem;

std::optional<text::Catalog> load_catalog(const std::vector<std::string>& args, std::ostream& err,
                                          fs::path* assets_out) {
  const text::AssetSearch search = text::find_assets(
      std::getenv("MAILHOP_ASSETS"), MAILHOP_BUILTIN_ASSETS_DIR, text::executable_path(nullptr));
  if (!search.found) {
    // Without the catalog there is nothing to translate with.
    err << "mailhop: cannot find the assets folder / no se encuentra la carpeta assets\n";
    for (const auto& dir : search.tried) err << "  - " << dir.string() << "\n";
    return std::nullopt;
  }
  text::LoadError error;
  std::optional<text::Catalog> catalog = text::Catalog::load(*search.found / "i18n", &error);
  if (!catalog) {
    err << "mailhop: " << error.message() << "\n";
    return std::nullopt;
  }
  text::Language language = text::language_from_environment(
      std::getenv("LC_ALL"), std::getenv("LC_MESSAGES"), std::getenv("LANG"));
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--lang")
      if (auto l = text::parse_language(args[i + 1])) language = *l;
  catalog->set_language(language);
  *assets_out = *search.found;
  return catalog;
}

std::optional<text::Explanations> load_explanations(const fs::path& assets, std::ostream& err) {
  text::LoadError error;
  std::optional<text::Explanations> explanations =
      text::Explanations::load(assets / "explain", &error);
  if (!explanations) err << "mailhop: " << error.message() << "\n";
  return explanations;
}

const char* outcome_key(proto::DeliveryStatus status) {
  switch (status) {
    case proto::DeliveryStatus::kDelivered:
      return "demo.outcome.delivered";
    case proto::DeliveryStatus::kDeferred:
      return "demo.outcome.deferred";
    case proto::DeliveryStatus::kFailed:
      return "demo.outcome.failed";
  }
  return "demo.outcome.deferred";
}

}  // namespace mailhop::cli
