#include "sim/text/explanations.h"

#include <algorithm>
#include <cctype>

#include "sim/mail/ascii.h"
#include "sim/text/catalog.h"
#include "sim/mail/encoded_words.h"
#include "sim/text/json_util.h"

namespace mailhop::text {
namespace {

using mail::ascii_lower;
using mail::ascii_upper;

using Group = ExplanationSet::Group;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Groups whose keys are looked up case-insensitively are stored upper- or lower-cased.
enum class KeyCase { kAsIs, kUpper, kLower };

struct GroupInfo {
  Group group;
  const char* path;  // JSON pointer of the object holding the group
  KeyCase key_case;
  bool optional;  // a file without the group has it empty
};

constexpr std::array<GroupInfo, ExplanationSet::kGroupCount> kGroups = {{
    {Group::kCommands, "/commands", KeyCase::kUpper, false},
    {Group::kReplies, "/replies", KeyCase::kAsIs, false},
    {Group::kContexts, "/contexts", KeyCase::kAsIs, false},
    {Group::kExtensions, "/extensions", KeyCase::kUpper, false},
    {Group::kHeaders, "/headers", KeyCase::kLower, false},
    {Group::kLines, "/lines", KeyCase::kAsIs, false},
    {Group::kClasses, "/enhanced/classes", KeyCase::kAsIs, false},
    {Group::kSubjects, "/enhanced/subjects", KeyCase::kAsIs, false},
    {Group::kDetails, "/enhanced/details", KeyCase::kAsIs, false},
    {Group::kImapCommands, "/imap/commands", KeyCase::kUpper, true},
    {Group::kImapResponses, "/imap/responses", KeyCase::kUpper, true},
    {Group::kPop3Commands, "/pop3/commands", KeyCase::kUpper, true},
    {Group::kPop3Responses, "/pop3/responses", KeyCase::kUpper, true},
}};

std::string normalise(std::string_view key, KeyCase key_case) {
  switch (key_case) {
    case KeyCase::kUpper:
      return ascii_upper(key);
    case KeyCase::kLower:
      return ascii_lower(key);
    case KeyCase::kAsIs:
      break;
  }
  return std::string(key);
}

bool read_entry(const nlohmann::json& value, const std::string& where, const std::string& origin,
                Explanation* out, LoadError* error) {
  if (!value.is_object()) {
    detail::set_error(error, origin,
                      where +
                          ": expected an object with \"title\", \"text\" and "
                          "\"rfc\", found " +
                          std::string(value.type_name()));
    return false;
  }
  for (const char* field : {"title", "text", "rfc"}) {
    const auto it = value.find(field);
    if (it == value.end()) {
      detail::set_error(error, origin, where + ": missing \"" + field + "\"");
      return false;
    }
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      detail::set_error(error, origin, where + "/" + field + ": expected a non-empty string");
      return false;
    }
  }
  out->title = value["title"].get<std::string>();
  out->text = value["text"].get<std::string>();
  out->rfc = value["rfc"].get<std::string>();
  return true;
}

void add(std::vector<ExplanationSection>& out, const Explanation* e) {
  if (e) out.push_back({e->title, e->text, e->rfc});
}

// ESMTP parameter keywords of MAIL and RCPT, and the extension that defines each.
std::string_view extension_of_parameter(std::string_view keyword) {
  const std::string k = ascii_upper(keyword);
  if (k == "SIZE") return "SIZE";
  if (k == "BODY") return "8BITMIME";
  if (k == "SMTPUTF8") return "SMTPUTF8";
  if (k == "RET" || k == "ENVID" || k == "NOTIFY" || k == "ORCPT") return "DSN";
  if (k == "AUTH") return "AUTH";
  return {};
}

}  // namespace

std::string EnhancedCode::str() const {
  return std::to_string(status_class) + "." + std::to_string(subject) + "." +
         std::to_string(detail);
}

std::optional<EnhancedCode> parse_enhanced_status(std::string_view code) {
  std::array<int, 3> parts{};
  std::size_t i = 0;
  for (std::size_t p = 0; p < 3; ++p) {
    if (p > 0) {
      if (i >= code.size() || code[i] != '.') return std::nullopt;
      ++i;
    }
    const std::size_t start = i;
    int value = 0;
    while (i < code.size() && is_digit(code[i])) {
      value = value * 10 + (code[i] - '0');
      ++i;
    }
    const std::size_t digits = i - start;
    if (digits == 0 || digits > 3) return std::nullopt;
    if (digits > 1 && code[start] == '0') return std::nullopt;  // no leading zeros
    parts[p] = value;
  }
  if (i != code.size()) return std::nullopt;
  if (parts[0] != 2 && parts[0] != 4 && parts[0] != 5) return std::nullopt;
  return EnhancedCode{parts[0], parts[1], parts[2]};
}

std::string_view ExplanationSet::group_name(Group group) {
  for (const GroupInfo& info : kGroups) {
    if (info.group == group) return std::string_view(info.path).substr(1);
  }
  return {};
}

std::optional<ExplanationSet> ExplanationSet::parse(std::string_view json,
                                                    const std::string& origin, LoadError* error) {
  const std::optional<nlohmann::json> doc = detail::parse_json(json, origin, error);
  if (!doc) return std::nullopt;
  if (!doc->is_object()) {
    detail::set_error(error, origin, "expected a JSON object at the top level");
    return std::nullopt;
  }
  ExplanationSet set;
  for (const GroupInfo& info : kGroups) {
    const nlohmann::json::json_pointer pointer(info.path);
    if (!doc->contains(pointer)) {
      if (info.optional) continue;
      detail::set_error(error, origin, std::string(info.path) + ": missing");
      return std::nullopt;
    }
    const nlohmann::json& object = (*doc)[pointer];
    if (!object.is_object()) {
      detail::set_error(error, origin, std::string(info.path) + ": expected an object");
      return std::nullopt;
    }
    auto& map = set.m_groups[static_cast<std::size_t>(info.group)];
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (!it.key().empty() && it.key().front() == '_') continue;  // comments
      Explanation entry;
      if (!read_entry(*it, std::string(info.path) + "/" + it.key(), origin, &entry, error)) {
        return std::nullopt;
      }
      map[normalise(it.key(), info.key_case)] = std::move(entry);
    }
  }
  return set;
}

std::optional<ExplanationSet> ExplanationSet::load(const std::filesystem::path& file,
                                                   LoadError* error) {
  const std::optional<std::string> text = detail::read_text_file(file, error);
  if (!text) return std::nullopt;
  return parse(*text, file.string(), error);
}

const Explanation* ExplanationSet::find(Group group, std::string_view key) const {
  const GroupInfo& info = kGroups[static_cast<std::size_t>(group)];
  const auto& map = m_groups[static_cast<std::size_t>(group)];
  const auto it = map.find(normalise(key, info.key_case));
  return it == map.end() ? nullptr : &it->second;
}

std::vector<std::string> ExplanationSet::keys(Group group) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : m_groups[static_cast<std::size_t>(group)]) out.push_back(key);
  return out;
}

std::optional<Explanations> Explanations::load(const std::filesystem::path& explain_dir,
                                               LoadError* error) {
  Explanations all;
  for (const Language language : kAllLanguages) {
    std::optional<ExplanationSet> set =
        ExplanationSet::load(explain_dir / (std::string(language_code(language)) + ".json"), error);
    if (!set) return std::nullopt;
    all.set(language, std::move(*set));
  }
  return all;
}

void Explanations::set(Language language, ExplanationSet set) {
  m_sets[language_index(language)] = std::move(set);
}

const ExplanationSet& Explanations::set_for(Language language) const {
  return m_sets[language_index(language)];
}

const Explanation* Explanations::find(Language language, Group group, std::string_view key) const {
  if (const Explanation* e = set_for(language).find(group, key)) return e;
  return set_for(kFallbackLanguage).find(group, key);
}

const Explanation* Explanations::command(Language language, std::string_view verb) const {
  return find(language, Group::kCommands, verb);
}

const Explanation* Explanations::reply(Language language, int code) const {
  return find(language, Group::kReplies, std::to_string(code));
}

const Explanation* Explanations::reply_in_context(Language language, std::string_view context,
                                                  int code) const {
  if (context.empty()) return nullptr;
  return find(language, Group::kContexts, std::string(context) + "." + std::to_string(code));
}

const Explanation* Explanations::extension(Language language, std::string_view keyword) const {
  return find(language, Group::kExtensions, keyword);
}

const Explanation* Explanations::header(Language language, std::string_view field_name) const {
  return find(language, Group::kHeaders, field_name);
}

const Explanation* Explanations::imap_command(Language language, std::string_view name) const {
  return find(language, Group::kImapCommands, name);
}

const Explanation* Explanations::imap_response(Language language, std::string_view word) const {
  return find(language, Group::kImapResponses, word);
}

const Explanation* Explanations::pop3_command(Language language, std::string_view name) const {
  return find(language, Group::kPop3Commands, name);
}

const Explanation* Explanations::pop3_response(Language language, std::string_view word) const {
  return find(language, Group::kPop3Responses, word);
}

const Explanation* Explanations::line(Language language, std::string_view key) const {
  return find(language, Group::kLines, key);
}

std::optional<EnhancedExplanation> Explanations::enhanced(Language language,
                                                          std::string_view code) const {
  const std::optional<EnhancedCode> parsed = parse_enhanced_status(code);
  if (!parsed) return std::nullopt;
  const Explanation* cls = find(language, Group::kClasses, std::to_string(parsed->status_class));
  const Explanation* subject = find(language, Group::kSubjects, std::to_string(parsed->subject));
  if (!cls) return std::nullopt;
  const Explanation* detail =
      find(language, Group::kDetails,
           std::to_string(parsed->subject) + "." + std::to_string(parsed->detail));

  EnhancedExplanation out;
  out.code = *parsed;
  out.class_title = cls->title;
  out.summary = cls->title;
  if (subject) {
    out.subject_title = subject->title;
    out.summary += " – " + subject->title;
  }
  if (detail) {
    out.detail_title = detail->title;
    out.summary += " – " + detail->title;
    out.text = detail->text;
    out.rfc = detail->rfc;
  } else if (subject) {
    out.text = subject->text;
    out.rfc = subject->rfc;
  } else {
    out.text = cls->text;
    out.rfc = cls->rfc;
  }
  return out;
}

std::vector<ExplanationSection> Explanations::explain(Language language, LineRole role,
                                                      std::string_view line,
                                                      std::string_view context) const {
  std::vector<ExplanationSection> out;
  switch (role) {
    case LineRole::kCommand: {
      const std::size_t end = line.find_first_of(" :");
      const std::string verb = ascii_upper(line.substr(0, end));
      if (const Explanation* e = command(language, verb)) {
        add(out, e);
      } else {
        add(out, this->line(language, "unknown_command"));
      }
      // ESMTP parameters after the path of MAIL and RCPT (RFC 5321 4.1.2: Mail-parameters).
      if (verb == "MAIL" || verb == "RCPT") {
        const std::size_t close = line.find('>');
        std::string_view rest =
            close == std::string_view::npos ? std::string_view{} : line.substr(close + 1);
        std::vector<std::string> seen;
        while (!rest.empty()) {
          const std::size_t space = rest.find(' ');
          const std::string_view token = rest.substr(0, space);
          rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
          const std::string_view keyword = token.substr(0, token.find('='));
          const std::string_view ext = extension_of_parameter(keyword);
          if (ext.empty() || std::find(seen.begin(), seen.end(), ext) != seen.end()) continue;
          seen.emplace_back(ext);
          add(out, extension(language, ext));
        }
      }
      break;
    }
    case LineRole::kAuthData:
      add(out, this->line(language, "auth_data"));
      break;
    case LineRole::kReply: {
      if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2])) {
        add(out, this->line(language, "malformed_reply"));
        break;
      }
      const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view{};
      // An EHLO reply line after the first names an extension: that is what it says (the
      // reply itself is explained on the first line).
      if (ascii_upper(context) == "EHLO" && code == 250) {
        const std::string_view keyword = text.substr(0, text.find(' '));
        if (const Explanation* e = extension(language, keyword)) {
          add(out, e);
          break;
        }
      }
      if (const Explanation* e = reply_in_context(language, context, code)) {
        add(out, e);
      } else if (const Explanation* generic = reply(language, code)) {
        add(out, generic);
      } else {
        add(out, this->line(language, "unknown_reply"));
      }
      // "550 5.1.1 ..." : the enhanced code when its class matches the reply's (RFC 3463).
      const std::string_view first = text.substr(0, text.find(' '));
      if (const std::optional<EnhancedCode> parsed = parse_enhanced_status(first);
          parsed && parsed->status_class == line[0] - '0') {
        if (const std::optional<EnhancedExplanation> e = enhanced(language, first)) {
          out.push_back({e->code.str() + ": " + e->summary, e->text, e->rfc});
        }
      }
      break;
    }
    case LineRole::kMessageHeader: {
      if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
        add(out, this->line(language, "message_header_folded"));
        break;
      }
      const std::size_t colon = line.find(':');
      const std::string_view name = colon == std::string_view::npos ? line : line.substr(0, colon);
      if (const Explanation* e = header(language, name)) {
        add(out, e);
      } else {
        add(out, this->line(language, "message_header"));
      }
      if (colon != std::string_view::npos) {
        if (const std::optional<std::string> decoded =
                mail::decode_encoded_words(line.substr(colon + 1))) {
          if (const Explanation* e = this->line(language, "encoded_word")) {
            std::string trimmed = *decoded;
            trimmed.erase(0, trimmed.find_first_not_of(' '));
            const std::array<std::string, 1> args{trimmed};
            out.push_back(
                {format_placeholders(e->title, args), format_placeholders(e->text, args), e->rfc});
          }
        }
      }
      break;
    }
    case LineRole::kMessageSeparator:
      add(out, this->line(language, "message_separator"));
      break;
    case LineRole::kMessageBody:
      add(out, this->line(language, "message_body"));
      if (line.size() >= 2 && line[0] == '.' && line[1] == '.') {
        add(out, this->line(language, "dot_stuffing"));
      }
      break;
    case LineRole::kEndOfData:
      add(out, this->line(language, "end_of_data"));
      break;
    case LineRole::kConnected:
      add(out, this->line(language, "connected"));
      break;
    case LineRole::kTlsStart:
      add(out, this->line(language, "tls_start"));
      break;
    case LineRole::kTlsEstablished:
      add(out, this->line(language, "tls_established"));
      break;
    case LineRole::kClosed:
      add(out, this->line(language, "closed"));
      break;
  }
  return out;
}

}  // namespace mailhop::text
