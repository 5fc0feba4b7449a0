#include "sim/text/json_util.h"

#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

namespace mailhop::text::detail {

void set_error(LoadError* error, const std::string& path, std::string reason) {
  if (error) *error = LoadError{path, std::move(reason)};
}

std::optional<std::string> read_text_file(const std::filesystem::path& path, LoadError* error) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    set_error(error, path.string(), "file not found");
    return std::nullopt;
  }
  if (std::filesystem::is_directory(path, ec)) {
    set_error(error, path.string(), "is a directory, not a file");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    set_error(error, path.string(), "cannot be opened for reading");
    return std::nullopt;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    set_error(error, path.string(), "read error");
    return std::nullopt;
  }
  return std::move(buffer).str();
}

namespace {

// 1-based line and column of a byte offset, for error messages people can act on.
std::string position_of(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

std::optional<nlohmann::json> parse_json(std::string_view text, const std::string& origin,
                                         LoadError* error) {
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at line 3,
    // column 9: syntax error while parsing ..."; keep only the part after the position.
    std::string what = e.what();
    const std::size_t detail = what.find(": ");
    if (detail != std::string::npos) what = what.substr(detail + 2);
    set_error(error, origin, "invalid JSON at " + position_of(text, offset) + ": " + what);
    return std::nullopt;
  } catch (const nlohmann::json::exception& e) {
    set_error(error, origin, std::string("JSON error: ") + e.what());
    return std::nullopt;
  }
}

std::optional<nlohmann::json> load_json_file(const std::filesystem::path& path, LoadError* error) {
  const std::optional<std::string> text = read_text_file(path, error);
  if (!text) return std::nullopt;
  return parse_json(*text, path.string(), error);
}

}  // namespace mailhop::text::detail
