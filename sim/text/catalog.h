#pragma once
// The string catalog: every text the app and the command line show, per language, loaded from
// assets/i18n/<code>.json. Keys are dotted names ("toolbar.next"); texts may hold {0}, {1}...
// placeholders. A key missing in the current language falls back to English.

#include <array>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sim/text/language.h"
#include "sim/text/load_error.h"

namespace mailhop::text {

// Replaces {0}, {1}, ... in `pattern` with args[0], args[1], ...; a placeholder without an
// argument, and any other brace, is kept as written.
std::string format_placeholders(std::string_view pattern, std::span<const std::string> args);

// The placeholder numbers used in `pattern`, sorted, without duplicates ({1} {0} {1} -> 0 1).
std::vector<int> placeholders_in(std::string_view pattern);

// One language's key -> text table.
class StringTable {
 public:
  // The JSON is an object whose values are strings or nested objects; nested keys are joined
  // with "." ({"toolbar": {"next": "Next"}} gives "toolbar.next"). Keys starting with "_" are
  // comments and are skipped. Anything else (a number, an array, a null) is an error naming the
  // JSON path.
  static std::optional<StringTable> parse(std::string_view json, const std::string& origin,
                                          LoadError* error);
  static std::optional<StringTable> load(const std::filesystem::path& file, LoadError* error);

  const std::string* find(std::string_view key) const;
  void set(std::string key, std::string text);
  std::vector<std::string> keys() const;  // sorted
  std::size_t size() const { return m_entries.size(); }

 private:
  std::map<std::string, std::string, std::less<>> m_entries;
};

class Catalog {
 public:
  Catalog() = default;

  // Loads <dir>/en.json and <dir>/es.json; any missing or malformed file is an error.
  static std::optional<Catalog> load(const std::filesystem::path& i18n_dir, LoadError* error);

  void set_table(Language language, StringTable table);
  const StringTable& table(Language language) const;

  void set_language(Language language) { m_language = language; }
  Language language() const { return m_language; }

  // The text for `key` in the current language (or `language`), else in English, else
  // "[key]" so that a missing string is visible instead of silently blank. The reference stays
  // valid as long as the catalog is not reloaded.
  const std::string& get(std::string_view key) const { return get(m_language, key); }
  const std::string& get(Language language, std::string_view key) const;
  const char* c_str(std::string_view key) const { return get(key).c_str(); }

  bool has(Language language, std::string_view key) const;

  // get(key) with its placeholders replaced: format("status.step", 3, 20) -> "Step 3 of 20".
  template <typename... Args>
  std::string format(std::string_view key, const Args&... args) const {
    const std::array<std::string, sizeof...(Args)> list{to_arg(args)...};
    return format_placeholders(get(key), list);
  }
  template <typename... Args>
  std::string format_in(Language language, std::string_view key, const Args&... args) const {
    const std::array<std::string, sizeof...(Args)> list{to_arg(args)...};
    return format_placeholders(get(language, key), list);
  }

  // A duration in seconds with three decimals and the language's decimal separator:
  // 75000 us -> "0.075 s" (English) or "0,075 s" (Spanish). Negative values keep their sign.
  std::string format_seconds(std::int64_t micros) const;

 private:
  static std::string to_arg(const std::string& s) { return s; }
  static std::string to_arg(std::string_view s) { return std::string(s); }
  static std::string to_arg(const char* s) { return s ? std::string(s) : std::string(); }
  template <typename T>
  requires std::is_arithmetic_v<T>
  static std::string to_arg(T value) { return std::to_string(value); }

  std::array<StringTable, kAllLanguages.size()> m_tables;
  Language m_language = kFallbackLanguage;
  // Storage for the "[key]" texts handed out for missing keys.
  mutable std::set<std::string, std::less<>> m_missing;
};

}  // namespace mailhop::text
