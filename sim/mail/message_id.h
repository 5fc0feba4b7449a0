#pragma once
// Message-ID values (RFC 5322 3.6.4): "<" id-left "@" id-right ">".

#include <string>
#include <string_view>

namespace mailhop::mail {

// Builds "<unique@domain>". `unique` becomes a dot-atom-text: characters outside atext are
// left out, and so are dots at either end or doubled; an empty result becomes "0". `domain`
// must be a valid domain or address literal (see is_valid_domain), else "invalid" (RFC 2606)
// is used, so the result is always a syntactically valid msg-id.
// Example: make_message_id("20261122150405.4ZkQ2x", "gmail.example")
//          == "<20261122150405.4ZkQ2x@gmail.example>"
std::string make_message_id(std::string_view unique, std::string_view domain);

}  // namespace mailhop::mail
