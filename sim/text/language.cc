#include "sim/text/language.h"

#include <cctype>
#include <string>

#include "sim/mail/ascii.h"

namespace mailhop::text {
namespace {

using mail::ascii_lower;
using mail::ascii_upper;

}  // namespace

std::string_view language_code(Language language) {
  switch (language) {
    case Language::kEnglish:
      return "en";
    case Language::kSpanish:
      return "es";
  }
  return "en";
}

std::optional<Language> parse_language(std::string_view code) {
  const std::string c = ascii_lower(code);
  if (c == "en") return Language::kEnglish;
  if (c == "es") return Language::kSpanish;
  return std::nullopt;
}

std::optional<Language> language_from_locale(std::string_view locale) {
  // language[_territory][.codeset][@modifier]
  const std::size_t end = locale.find_first_of("_.@");
  return parse_language(locale.substr(0, end));
}

Language language_from_environment(const char* lc_all, const char* lc_messages,
                                   const char* lang) {
  for (const char* value : {lc_all, lc_messages, lang}) {
    if (value && *value) return language_from_locale(value).value_or(kFallbackLanguage);
  }
  return kFallbackLanguage;
}

}  // namespace mailhop::text
