#pragma once
// Explanations for students of SMTP commands, reply codes, RFC 3463 enhanced status codes,
// EHLO extensions, message header fields and the other lines of a transcript, per language,
// loaded from assets/explain/<code>.json. Each entry has a title, one or two sentences, and the
// RFC section it comes from.

#include <array>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/text/language.h"
#include "sim/text/load_error.h"

namespace mailhop::text {

struct Explanation {
  std::string title;  // "EHLO — Extended Hello"
  std::string text;   // one or two sentences for students
  std::string rfc;    // "RFC 5321 §4.1.1.1"
  friend bool operator==(const Explanation&, const Explanation&) = default;
};

// An RFC 3463 code split into its three parts: "5.1.1" -> {5, 1, 1}.
struct EnhancedCode {
  int status_class = 0;  // 2, 4 or 5
  int subject = 0;       // 0..999
  int detail = 0;        // 0..999
  std::string str() const;
  friend bool operator==(const EnhancedCode&, const EnhancedCode&) = default;
};

// "class.subject.detail" exactly as RFC 3463 section 2 allows (class 2, 4 or 5; 1 to 3 digits,
// no leading zeros); nothing otherwise.
std::optional<EnhancedCode> parse_enhanced_status(std::string_view code);

// An enhanced code decoded into words: "5.1.1" -> "Permanent failure – Addressing status – Bad
// destination mailbox address", with the detail's explanation (or the subject's, when the
// detail is not one mailhop knows: RFC 3463 asks clients to report the subject then).
struct EnhancedExplanation {
  EnhancedCode code;
  std::string class_title;
  std::string subject_title;
  std::string detail_title;  // empty when the detail is unknown
  std::string summary;       // the three titles joined with " – "
  std::string text;
  std::string rfc;
};

// What a transcript line is, so that it can be explained without guessing.
enum class LineRole {
  kCommand,           // "MAIL FROM:<...>"
  kAuthData,          // a base64 line answering a 334 challenge
  kReply,             // "250-PIPELINING", "550 5.1.1 ..."
  kMessageHeader,     // a header field line of the message (or its folded continuation)
  kMessageSeparator,  // the empty line between header and body
  kMessageBody,       // a body line
  kEndOfData,         // the "." that ends DATA
  kConnected,         // notes: the TCP connection opened,
  kTlsStart,          //        the TLS handshake started,
  kTlsEstablished,    //        TLS is up,
  kClosed,            //        the connection closed.
};

// One part of a line's explanation; a line may have several (a reply and its enhanced code).
struct ExplanationSection {
  std::string title;
  std::string text;
  std::string rfc;
};

// One language's explanations.
class ExplanationSet {
 public:
  // See assets/explain/en.json for the shape: objects "commands", "replies", "contexts",
  // "extensions", "headers", "lines", "enhanced" {"classes", "subjects", "details"} and the
  // optional "imap" and "pop3" {"commands", "responses"}, each
  // mapping a key to {"title", "text", "rfc"}.
  static std::optional<ExplanationSet> parse(std::string_view json, const std::string& origin,
                                             LoadError* error);
  static std::optional<ExplanationSet> load(const std::filesystem::path& file, LoadError* error);

  enum class Group {
    kCommands,
    kReplies,
    kContexts,
    kExtensions,
    kHeaders,
    kLines,
    kClasses,
    kSubjects,
    kDetails,
    kImapCommands,   // "imap/commands": IMAP commands (optional in a file)
    kImapResponses,  // "imap/responses": status words, response codes, untagged data (optional)
    kPop3Commands,   // "pop3/commands": POP3 commands (optional in a file)
    kPop3Responses,  // "pop3/responses": +OK/-ERR, "[CODE]" response codes, CAPA names (optional)
  };
  static constexpr std::size_t kGroupCount = 13;
  static std::string_view group_name(Group group);  // "commands", ..., "enhanced/details"

  const Explanation* find(Group group, std::string_view key) const;
  std::vector<std::string> keys(Group group) const;  // sorted

 private:
  std::array<std::map<std::string, Explanation, std::less<>>, kGroupCount> m_groups;
};

class Explanations {
 public:
  Explanations() = default;

  // Loads <dir>/en.json and <dir>/es.json; any missing or malformed file is an error.
  static std::optional<Explanations> load(const std::filesystem::path& explain_dir,
                                          LoadError* error);

  void set(Language language, ExplanationSet set);
  const ExplanationSet& set_for(Language language) const;

  // Each lookup falls back to English when the language lacks the entry.
  const Explanation* command(Language language, std::string_view verb) const;  // any case
  const Explanation* reply(Language language, int code) const;
  // A reply in the context of the command it answers: ("EHLO", 250), ("end_of_data", 250),
  // ("greeting", 220).
  const Explanation* reply_in_context(Language language, std::string_view context, int code) const;
  const Explanation* extension(Language language, std::string_view keyword) const;  // any case
  const Explanation* header(Language language, std::string_view field_name) const;  // any case
  const Explanation* line(Language language, std::string_view key) const;
  // IMAP: a command ("FETCH") and a response word ("OK", "EXISTS", "UIDVALIDITY"), any case.
  const Explanation* imap_command(Language language, std::string_view name) const;
  const Explanation* imap_response(Language language, std::string_view word) const;
  // POP3: a command ("RETR") and a response word, any case: a status ("+OK", "-ERR", "+"), a
  // response code with its brackets ("[AUTH]", "[SYS/TEMP]"), a CAPA capability name
  // ("PIPELINING"), or a line of a multi-line answer ("SCAN-LISTING", "UNIQUE-ID-LISTING",
  // "." for its end; "SASL-RESPONSE" for the client's base64 line after a "+").
  const Explanation* pop3_command(Language language, std::string_view name) const;
  const Explanation* pop3_response(Language language, std::string_view word) const;
  std::optional<EnhancedExplanation> enhanced(Language language, std::string_view code) const;

  // Everything worth saying about one transcript line, most specific first. `context` is the
  // command a reply answers (see reply_in_context); it is ignored for other roles.
  std::vector<ExplanationSection> explain(Language language, LineRole role, std::string_view line,
                                          std::string_view context = {}) const;

 private:
  const Explanation* find(Language language, ExplanationSet::Group group,
                          std::string_view key) const;

  std::array<ExplanationSet, kAllLanguages.size()> m_sets;
};

}  // namespace mailhop::text
