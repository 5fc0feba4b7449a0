#pragma once
// RFC 5321 mailbox and path syntax (section 4.1.2) with the size limits of section 4.5.3.1.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mailhop::mail {

// RFC 5321 4.5.3.1.1 and 4.5.3.1.2.
inline constexpr std::size_t kMaxLocalPartOctets = 64;
inline constexpr std::size_t kMaxDomainOctets = 255;
// RFC 5321 4.5.3.1.3: a path, including the angle brackets.
inline constexpr std::size_t kMaxPathOctets = 256;

// local-part "@" ( domain / address-literal ). The local part is kept exactly as written
// (a quoted-string keeps its quotes); the domain keeps its case as written.
struct Mailbox {
  std::string local_part;
  std::string domain;  // a dot-string domain or an address literal such as "[192.0.2.1]"

  std::string str() const;           // "local@domain"
  bool is_address_literal() const;   // domain starts with '['
  std::string domain_lower() const;  // ASCII-lowercased domain, for routing decisions
  friend bool operator==(const Mailbox&, const Mailbox&) = default;
};

// Why a path failed to parse. Each maps to a distinct SMTP reply in the server engine
// (RFC 5321 4.5.3.1.10 gives "501 Path too long" as an example for the size limits).
enum class PathError {
  kNone,
  kSyntax,            // 501 5.1.7 (MAIL) / 501 5.1.3 (RCPT)
  kLocalPartTooLong,  // 553 5.1.? per engine
  kDomainTooLong,
  kPathTooLong,
};

struct PathParse {
  PathError error = PathError::kNone;
  std::string message;             // human-readable reason when error != kNone
  bool null_path = false;          // "<>"
  std::optional<Mailbox> mailbox;  // set when a mailbox was parsed
  std::size_t consumed = 0;        // octets consumed from the input, including the brackets
};

// Parses "<" [ A-d-l ":" ] Mailbox ">" or "<>" at the start of `text` (RFC 5321 4.1.2).
// A source route (A-d-l) is accepted and ignored, as RFC 5321 Appendix C allows.
// `allow_null` selects Reverse-path ("<>" allowed) versus Forward-path.
PathParse parse_path(std::string_view text, bool allow_null);

// parse_path() for the usual path only, "<" Dot-string "@" Domain ">" within the size limits:
// true with the parts assigned to `out` (no PathParse made, no Mailbox moved) and the octets
// consumed. False, with `out` untouched, for anything else (a null path, a quoted local part,
// a source route, an address literal, any error): parse_path() then says what it is. `text`
// must not lie in `out`'s strings.
bool parse_plain_path(std::string_view text, Mailbox* out, std::size_t* consumed);

// Parses a bare "local@domain" mailbox (no brackets), e.g. from a scenario file.
std::optional<Mailbox> parse_mailbox(std::string_view text, std::string* error = nullptr);

// True when `domain` is a syntactically valid RFC 5321 Domain (dot-separated sub-domains of
// letters, digits and hyphens, not starting or ending with a hyphen) or an address literal.
bool is_valid_domain(std::string_view domain);

// Renders a path: "<local@domain>" or "<>" for the null reverse-path.
std::string format_path(const std::optional<Mailbox>& mailbox);

// RFC 5321 4.1.1.3: a server must accept "RCPT TO:<Postmaster>" without a domain. Returns the
// octets consumed (12) when `text` starts with "<Postmaster>" in any case, else 0.
std::size_t match_bare_postmaster(std::string_view text);

}  // namespace mailhop::mail
