#pragma once
// The parts of a stored message that an IMAP server's FETCH returns (RFC 3501 section 7.4.2):
// INTERNALDATE, ENVELOPE, BODY/BODYSTRUCTURE, the header, the text and selected header fields.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mailhop::proto {

// "17-Jul-1996 02:44:25 +0000" (date-time, day space-padded), UTC.
std::string imap_internal_date(std::int64_t unix_seconds);

// The header section including the blank line that ends it (RFC 3501 BODY[HEADER]).
std::string_view imap_header_part(std::string_view content);
// Everything after the blank line (BODY[TEXT]).
std::string_view imap_text_part(std::string_view content);
// The named header fields (case-insensitive), each with its folds, and the blank line
// (HEADER.FIELDS); with `exclude`, every other field (HEADER.FIELDS.NOT).
std::string imap_header_fields(std::string_view content, const std::vector<std::string>& names,
                               bool exclude);
// The unfolded value of the first field called `name`, without surrounding whitespace.
std::string imap_header_value(std::string_view content, std::string_view name);

// ENVELOPE: ("date" "subject" (from) (sender) (reply-to) (to) (cc) (bcc) "in-reply-to"
// "message-id"), sender and reply-to defaulting to from.
std::string imap_envelope(std::string_view content);

// BODYSTRUCTURE (with extension data when `extended`) or BODY, for a single-part message; a
// multipart message is described part by part with the boundary from its Content-Type.
std::string imap_body_structure(std::string_view content, bool extended);

}  // namespace mailhop::proto
