#pragma once
// The languages mailhop speaks. Every UI string and explanation exists in each of them.

#include <array>
#include <optional>
#include <string_view>

namespace mailhop::text {

enum class Language { kEnglish, kSpanish };

inline constexpr std::array<Language, 2> kAllLanguages = {Language::kEnglish, Language::kSpanish};
inline constexpr Language kFallbackLanguage = Language::kEnglish;

// "en" or "es": the file name under assets/i18n/ and assets/explain/, and the --lang value.
std::string_view language_code(Language language);

// Accepts "en" and "es" in any case; nothing else.
std::optional<Language> parse_language(std::string_view code);

// From a POSIX locale name such as "es_ES.UTF-8" or "en_GB": the language when mailhop speaks
// it, otherwise nothing ("C", "POSIX", "fr_FR").
std::optional<Language> language_from_locale(std::string_view locale);

// The language to speak before --lang is known or when it is absent: LC_ALL, LC_MESSAGES,
// LANG (the first that is set and not empty, as POSIX orders them), else English.
Language language_from_environment(const char* lc_all, const char* lc_messages, const char* lang);

// Position in kAllLanguages, for per-language arrays.
constexpr std::size_t language_index(Language language) {
  return language == Language::kEnglish ? 0 : 1;
}

}  // namespace mailhop::text
