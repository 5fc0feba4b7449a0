#pragma once
// Internal to mailhop_text: reading JSON files into values with clear errors, no exceptions out.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "sim/text/load_error.h"

namespace mailhop::text::detail {

// The whole file as bytes; "file not found" / "cannot read" errors name the path.
std::optional<std::string> read_text_file(const std::filesystem::path& path, LoadError* error);

// Parses JSON (UTF-8 only); a syntax error names the line and the column.
std::optional<nlohmann::json> parse_json(std::string_view text, const std::string& origin,
                                         LoadError* error);

// read_text_file + parse_json.
std::optional<nlohmann::json> load_json_file(const std::filesystem::path& path, LoadError* error);

// Sets *error when it is not null.
void set_error(LoadError* error, const std::string& path, std::string reason);

}  // namespace mailhop::text::detail
