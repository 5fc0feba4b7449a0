#include "sim/text/catalog.h"

#include <algorithm>
#include <cstdlib>

#include "sim/text/json_util.h"

namespace mailhop::text {
namespace {

// Reads "{digits}" at `pos`; returns the index and the length of the placeholder.
bool read_placeholder(std::string_view s, std::size_t pos, std::size_t* index,
                      std::size_t* length) {
  if (pos >= s.size() || s[pos] != '{') return false;
  std::size_t i = pos + 1;
  std::size_t value = 0;
  const std::size_t digits_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - digits_start < 3) {
    value = value * 10 + static_cast<std::size_t>(s[i] - '0');
    ++i;
  }
  if (i == digits_start || i >= s.size() || s[i] != '}') return false;
  *index = value;
  *length = i + 1 - pos;
  return true;
}

// JSON Pointer escaping (RFC 6901) for error messages.
std::string pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string json_type_name(const nlohmann::json& value) {
  return value.type_name();
}

bool flatten(const nlohmann::json& object, const std::string& prefix, const std::string& pointer,
             std::map<std::string, std::string, std::less<>>& out, const std::string& origin,
             LoadError* error) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& key = it.key();
    const std::string here = pointer + "/" + pointer_token(key);
    if (key.empty()) {
      detail::set_error(error, origin, here + ": empty key");
      return false;
    }
    if (key.front() == '_') continue;  // comments for translators
    const std::string full = prefix.empty() ? key : prefix + "." + key;
    if (it->is_string()) {
      out[full] = it->get<std::string>();
    } else if (it->is_object()) {
      if (!flatten(*it, full, here, out, origin, error)) return false;
    } else {
      detail::set_error(error, origin,
                        here + ": expected a string or an object, found " + json_type_name(*it));
      return false;
    }
  }
  return true;
}

}  // namespace

std::string format_placeholders(std::string_view pattern, std::span<const std::string> args) {
  std::string out;
  out.reserve(pattern.size());
  std::size_t i = 0;
  while (i < pattern.size()) {
    std::size_t index = 0;
    std::size_t length = 0;
    if (pattern[i] == '{' && read_placeholder(pattern, i, &index, &length) && index < args.size()) {
      out += args[index];
      i += length;
    } else {
      out += pattern[i];
      ++i;
    }
  }
  return out;
}

std::vector<int> placeholders_in(std::string_view pattern) {
  std::vector<int> found;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    std::size_t index = 0;
    std::size_t length = 0;
    if (read_placeholder(pattern, i, &index, &length)) {
      found.push_back(static_cast<int>(index));
      i += length - 1;
    }
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

std::optional<StringTable> StringTable::parse(std::string_view json, const std::string& origin,
                                              LoadError* error) {
  const std::optional<nlohmann::json> doc = detail::parse_json(json, origin, error);
  if (!doc) return std::nullopt;
  if (!doc->is_object()) {
    detail::set_error(error, origin,
                      "expected a JSON object at the top level, found " + json_type_name(*doc));
    return std::nullopt;
  }
  StringTable table;
  if (!flatten(*doc, "", "", table.m_entries, origin, error)) return std::nullopt;
  return table;
}

std::optional<StringTable> StringTable::load(const std::filesystem::path& file, LoadError* error) {
  const std::optional<std::string> text = detail::read_text_file(file, error);
  if (!text) return std::nullopt;
  return parse(*text, file.string(), error);
}

const std::string* StringTable::find(std::string_view key) const {
  const auto it = m_entries.find(key);
  return it == m_entries.end() ? nullptr : &it->second;
}

void StringTable::set(std::string key, std::string text) {
  m_entries[std::move(key)] = std::move(text);
}

std::vector<std::string> StringTable::keys() const {
  std::vector<std::string> out;
  out.reserve(m_entries.size());
  for (const auto& [key, value] : m_entries) out.push_back(key);
  return out;
}

std::optional<Catalog> Catalog::load(const std::filesystem::path& i18n_dir, LoadError* error) {
  Catalog catalog;
  for (const Language language : kAllLanguages) {
    const std::filesystem::path file = i18n_dir / (std::string(language_code(language)) + ".json");
    std::optional<StringTable> table = StringTable::load(file, error);
    if (!table) return std::nullopt;
    catalog.set_table(language, std::move(*table));
  }
  return catalog;
}

void Catalog::set_table(Language language, StringTable table) {
  m_tables[language_index(language)] = std::move(table);
}

const StringTable& Catalog::table(Language language) const {
  return m_tables[language_index(language)];
}

const std::string& Catalog::get(Language language, std::string_view key) const {
  if (const std::string* text = table(language).find(key)) return *text;
  if (const std::string* text = table(kFallbackLanguage).find(key)) return *text;
  const std::string marked = "[" + std::string(key) + "]";
  return *m_missing.insert(marked).first;
}

bool Catalog::has(Language language, std::string_view key) const {
  return table(language).find(key) != nullptr;
}

std::string Catalog::format_seconds(std::int64_t micros) const {
  const bool negative = micros < 0;
  // Round to the nearest millisecond.
  const std::int64_t magnitude = negative ? -micros : micros;
  const std::int64_t millis = (magnitude + 500) / 1000;
  std::string fraction = std::to_string(millis % 1000);
  fraction.insert(0, 3 - fraction.size(), '0');
  std::string number = (negative ? "-" : "") + std::to_string(millis / 1000) +
                       get("format.decimal_separator") + fraction;
  return format("format.seconds", number);
}

}  // namespace mailhop::text
