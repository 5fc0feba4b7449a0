#pragma once
// The string catalog for the headless commands.

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/proto/smtp_client.h"
#include "sim/text/catalog.h"
#include "sim/text/explanations.h"

namespace mailhop::cli {

// The catalog, speaking the language of --lang when it is among `args` (looked for first, so
// that complaints about other options already speak it), else the environment's. Says why on
// `err` and returns nothing when the assets cannot be found or read; `assets_out` receives the
// assets folder.
std::optional<text::Catalog> load_catalog(const std::vector<std::string>& args, std::ostream& err,
                                          std::filesystem::path* assets_out);

// The catalog key that words a recipient's outcome ("demo.outcome.delivered" and so on: "{0}"
// the recipient, "{1}" the reply or diagnostic).
const char* outcome_key(proto::DeliveryStatus status);

// The explanations of every line (`--explain`) from the assets folder `assets`. Says why on
// `err` and returns nothing when they cannot be read.
std::optional<text::Explanations> load_explanations(const std::filesystem::path& assets,
                                                    std::ostream& err);

}  // namespace mailhop::cli
